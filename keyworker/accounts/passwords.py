"""Password rules beyond Django's (NCSC guidance): a blocklist of product words and not the person's own name.

No composition rules (upper case, digits, symbols) and no short maximum: long passphrases are welcome.
"""

import re

from django.core.exceptions import ValidationError

# Words anyone guessing a Keyworker password tries first, whatever the spelling of the rest.
PRODUCT_WORDS = ("keyworker", "key worker", "password", "passw0rd", "p@ssword", "p@ssw0rd", "safeguarding", "letmein")


def _squash(text: str) -> str:
    """Lower case, letters and digits only, common substitutions undone: "P@ss-w0rd" -> "password"."""
    text = text.lower().translate(str.maketrans({"@": "a", "0": "o", "1": "i", "3": "e", "$": "s", "5": "s", "!": "i"}))
    return re.sub(r"[^a-z0-9]", "", text)


def _organisation_names(user) -> list[str]:
    if user is None or not getattr(user, "pk", None):
        return []
    from keyworker.accounts.models import StaffMember

    return list(StaffMember.objects.filter(user=user).values_list("organisation__name", flat=True))


class BlocklistValidator:
    """Refuses a password built on a product word ("keyworker", "password", …) or on the person's organisation."""

    def validate(self, password: str, user=None) -> None:
        squashed = _squash(password)
        words = [_squash(w) for w in PRODUCT_WORDS] + [_squash(n) for n in _organisation_names(user)]
        organisation_words = [w for n in _organisation_names(user) for w in re.findall(r"[a-z0-9]{4,}", n.lower())]
        generic = {"school", "primary", "academy", "nursery", "club", "service", "group", "trust", "college"}
        words += [w for w in organisation_words if w not in generic]
        for word in words:
            if word and word in squashed:
                raise ValidationError(
                    "This password is too easy to guess: it contains a word like “keyworker”, “password” or your "
                    "organisation's name. Try three or four random words together.",
                    code="password_blocklisted",
                )

    def get_help_text(self) -> str:
        return "Your password can't contain “keyworker”, “password” or your organisation's name."


class NotYourNameValidator:
    """Refuses a password containing the e-mail's local part or any part of the person's name of 3 letters or more."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        squashed = _squash(password)
        parts: list[str] = []
        email = (getattr(user, "email", "") or "").lower()
        if "@" in email:
            local = email.split("@", 1)[0]
            parts.append(_squash(local))
            parts += re.findall(r"[a-z]{3,}", local)
        parts += [p for p in re.findall(r"[a-z]+", (getattr(user, "full_name", "") or "").lower()) if len(p) >= 3]
        for part in parts:
            if len(part) >= 3 and part in squashed:
                raise ValidationError(
                    "Your password can't contain your name or your e-mail address.", code="password_contains_name"
                )

    def get_help_text(self) -> str:
        return "Your password can't contain your name or your e-mail address."
