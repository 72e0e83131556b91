"""Password rules (NCSC): at least 12 characters, no blocklisted words, not your own name, no composition rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def _refused(password, user=None):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    return " ".join(exc.value.messages)


def test_eleven_characters_are_too_short_and_twelve_are_enough():
    assert "too short" in _refused("tea-sparrow")
    validate_password("tea-sparrows")


def test_common_passwords_are_refused():
    assert "too common" in _refused("qwertyuiop123")


@pytest.mark.parametrize("password", ["keyworker-2026!", "MyKeyWorker-rules", "Password-for-school", "p@ssw0rd-summer-24",
                                      "safeguarding-team-1"])
def test_product_words_and_password_variants_are_refused(password):
    assert "too easy to guess" in _refused(password)


def test_the_organisations_name_is_refused(world):
    assert "organisation" in _refused("welcome-to-test-primary", world.ta_a.user)


def test_own_name_and_email_are_refused(world):
    user = world.ta_a.user
    user.full_name, user.email = "Priya Okonkwo", "p.okonkwo@example.org"
    assert "your name" in _refused("okonkwo-family-garden", user)
    assert "your name" in _refused("violet-PRIYA-teapot", user)
    assert "your name" in _refused("x-p.okonkwo-x-lantern", user)


def test_no_composition_rules_and_long_passphrases_are_welcome(world):
    validate_password("correct horse battery staple", world.ta_a.user)  # no digits, no capitals, no symbols
    validate_password("lantern-" * 12, world.ta_a.user)  # 96 characters: no maximum below 64


def test_a_short_name_part_does_not_refuse_a_password(world):
    user = world.ta_a.user
    user.full_name = "Al Wu"
    validate_password("albatross-wumpus-garden", user)  # name parts under 3 letters are not checked


def test_the_password_page_says_why_a_password_is_refused(world, client):
    """People choose their own password (from the e-mailed link); the page gives the reason for a refusal."""
    import re

    from django.core import mail
    from django.utils import timezone

    from keyworker.notifications.services import deliveries_run

    client.post("/accounts/password/", {"email": world.teacher_a.user.email})
    deliveries_run(now=timezone.now(), worker_id="w1")
    link = re.search(r"http://testserver(/accounts/password/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    r = client.post(form_url, {"new_password1": "tara-keyworker-2026", "new_password2": "tara-keyworker-2026"})
    assert r.status_code == 200
    assert "too easy to guess" in r.content.decode() or "your name" in r.content.decode()
