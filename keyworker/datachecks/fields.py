"""The data a check shows, field by field: its label, the value held as shown on screen, and how a proposed value
is read and checked.

A field is named by a key: "child.date_of_birth", "key_aspects.allergies", "carer.<carer id>.phone".
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Group
from keyworker.people.models import Carer, Child, ContactMethod, KeyAspects, Relationship

from .models import CorrectionTarget

CHILD_FIELDS = (
    ("legal_first_name", "Legal first name"),
    ("legal_last_name", "Legal last name"),
    ("preferred_name", "Preferred name"),
    ("date_of_birth", "Date of birth"),
    ("group", "Class"),
)
KEY_ASPECT_FIELDS = (
    ("first_language", "First language"),
    ("religion", "Religion"),
    ("medical_needs", "Medical needs"),
    ("allergies", "Allergies"),
)
CARER_FIELDS = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("relationship", "Relationship"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("address", "Address"),
    ("preferred_contact_method", "Preferred contact method"),
    ("parental_responsibility", "Parental responsibility"),
)
MAX_LENGTH = {
    "legal_first_name": 80, "legal_last_name": 80, "preferred_name": 80, "first_language": 60, "religion": 60,
    "medical_needs": 2000, "allergies": 2000, "first_name": 80, "last_name": 80, "phone": 40, "email": 254,
    "address": 500,
}
REQUIRED = {"legal_first_name", "legal_last_name", "first_name", "last_name"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Item:
    key: str
    target: str
    field: str
    label: str          # e.g. "Phone of Jane Adams (Mother)"
    short: str          # e.g. "Phone"
    value: str          # as shown on screen
    carer: Carer | None = None


def _show_date(day: dt.date | None) -> str:
    return f"{day.day}/{day.month}/{day.year}" if day else ""


def _child_value(child: Child, name: str) -> str:
    if name == "date_of_birth":
        return _show_date(child.date_of_birth)
    if name == "group":
        return child.group.name if child.group_id else ""
    return getattr(child, name) or ""


def _carer_value(carer: Carer, name: str) -> str:
    if name == "relationship":
        return carer.get_relationship_display()
    if name == "preferred_contact_method":
        return carer.get_preferred_contact_method_display()
    if name == "parental_responsibility":
        return "Yes" if carer.parental_responsibility else "No"
    return getattr(carer, name) or ""


def carer_title(carer: Carer) -> str:
    return f"{carer.full_name} ({carer.get_relationship_display()})"


def child_items(child: Child, aspects: KeyAspects | None) -> list[Item]:
    items = [Item(f"child.{n}", CorrectionTarget.CHILD, n, f"{label} of {child.display_name}", label, _child_value(child, n))
             for n, label in CHILD_FIELDS]
    items += [Item(f"key_aspects.{n}", CorrectionTarget.KEY_ASPECTS, n, f"{label} of {child.display_name}", label,
                   (getattr(aspects, n) if aspects else "") or "") for n, label in KEY_ASPECT_FIELDS]
    return items


def carer_items(carer: Carer) -> list[Item]:
    return [Item(f"carer.{carer.pk}.{n}", CorrectionTarget.CARER, n, f"{label} of {carer_title(carer)}", label,
                 _carer_value(carer, n), carer) for n, label in CARER_FIELDS]


def all_items(child: Child, aspects: KeyAspects | None, carers: list[Carer]) -> list[Item]:
    items = child_items(child, aspects)
    for c in carers:
        items += carer_items(c)
    return items


def snapshot(items: list[Item]) -> dict[str, str]:
    return {i.key: i.value for i in items}


def _choice(raw: str, choices, what: str) -> str:
    text = raw.strip().lower()
    for value, label in choices:
        if text in (value, label.lower()):
            return value
    raise RuleViolation(f"Choose a {what}: {', '.join(label for _, label in choices)}.", rule="proposed_value",
                        field="proposed_value")


def parse(item: Item, raw: str, *, child: Child, groups: list[Group] | None = None) -> tuple[str, object]:
    """The proposed value as stored on the correction (text) and as the people services take it, or a refusal."""
    text = (raw or "").strip()
    bad = "proposed_value"
    if item.field in MAX_LENGTH and len(text) > MAX_LENGTH[item.field]:
        raise RuleViolation(f"Keep it to {MAX_LENGTH[item.field]} characters or fewer.", rule="too_long", field=bad)
    if item.field in REQUIRED and not text:
        raise RuleViolation(f"Enter the {item.short.lower()} as it should be.", rule="required", field=bad)
    if item.field == "date_of_birth":
        for fmt in DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
            except ValueError:
                continue
            if day >= clock.today(child.setting.time_zone) or day.year < 1990:
                raise RuleViolation("Enter a real date of birth in the past, for example 14/3/2019.", rule="date", field=bad)
            return day.isoformat(), day
        raise RuleViolation("Enter the date of birth as a date, for example 14/3/2019.", rule="date", field=bad)
    if item.field == "group":
        options = groups if groups is not None else list(Group.objects.filter(setting_id=child.setting_id).order_by("name"))
        for g in options:
            if g.name.lower() == text.lower():
                return g.name, g
        names = ", ".join(g.name for g in options) or "none set up yet"
        raise RuleViolation(f"Enter the name of one of the classes: {names}.", rule="class", field=bad)
    if item.field == "relationship":
        value = _choice(text, Relationship.choices, "relationship")
        return value, value
    if item.field == "preferred_contact_method":
        value = _choice(text, ContactMethod.choices, "contact method")
        return value, value
    if item.field == "parental_responsibility":
        if text.lower() in YES:
            return "yes", True
        if text.lower() in NO:
            return "no", False
        raise RuleViolation("Answer yes or no.", rule="yes_no", field=bad)
    if item.field == "email" and text:
        try:
            validate_email(text)
        except ValidationError:
            raise RuleViolation("Enter an e-mail address like name@example.org, or leave it empty to remove it.",
                                rule="email", field=bad) from None
    return text, text


def shown(field: str, stored: str) -> str:
    """A stored proposed value as it reads on screen."""
    if field == "relationship":
        return dict(Relationship.choices).get(stored, stored)
    if field == "preferred_contact_method":
        return dict(ContactMethod.choices).get(stored, stored)
    if field == "parental_responsibility":
        return "Yes" if stored == "yes" else "No" if stored == "no" else stored
    if field == "date_of_birth":
        try:
            return _show_date(dt.date.fromisoformat(stored))
        except ValueError:
            return stored
    return stored
