"""Records for the targets tests, made through the services."""

import datetime as dt

from keyworker.core import clock
from keyworker.targets import services

TODAY = dt.date(2026, 11, 18)  # conftest's FIXED_NOW


def target(world, child=None, what="Read a chapter book on my own", **kw):
    child = child or world.child_a
    values = {"why": "To enjoy longer stories", "how_we_know": "Reads ten pages aloud with few errors",
              "help_at_home": "Read together for ten minutes each evening", "review_on": clock.today() + dt.timedelta(days=30)}
    values.update(kw)
    return services.target_create(actor=world.actor(world.teacher_a), child=child, what=what, **values)


def homework(world, group=None, child=None, by=None, **kw):
    values = {"title": "Spellings week 3", "what_to_do": "Learn the ten spellings on the sheet",
              "how_to_help": "Test them on three evenings", "due_on": clock.today() + dt.timedelta(days=5)}
    values.update(kw)
    return services.homework_set(actor=world.actor(by or world.teacher_a), group=group if group is not None else (None if child else world.class_a),
                                 child=child, **values)
