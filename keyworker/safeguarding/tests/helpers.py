"""Test helpers: a concern raised by a persona, a session whose password was just confirmed."""

import datetime as dt

from keyworker.core import clock
from keyworker.safeguarding import services
from keyworker.testing import confirmed_session

WORDS = "Alfie said his uncle Zebedee hit him with a wooden spoon last night"
PRESENT = "Mrs Quill the lunchtime supervisor"


def raise_concern(world, staff=None, child=None, text: str = WORDS, **kwargs):
    staff = staff or world.ta_a
    return services.concern_raise(
        actor=world.actor(staff), child=child or world.child_a, category=kwargs.pop("category", "physical_abuse"),
        what_happened=text, happened_at=kwargs.pop("happened_at", clock.now() - dt.timedelta(hours=1)),
        present=kwargs.pop("present", PRESENT), **kwargs,
    )


def confirmed(client):
    """Mark the client's session as having confirmed the password just now."""
    return confirmed_session(client)
