"""Demo records of learning targets and homework (SCH-8) for the school: in the class of the demo carer's child, each
child has two targets set by the class teacher at the start of the half term; most families had them shared (the
demo carer's in the portal, with their note from home; others on paper or at parents' evening), a few not yet, so
the compliance page shows SCH-8 met and due from these records. The class has homework handed in last week (returns
marked, feedback to the demo family) and homework due this week. Deterministic; dates are offsets from today."""

import datetime as dt

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.models import Group, Organisation
from keyworker.people.models import Carer, Child

from . import services
from .models import ShareMethod, TargetStatus
from .selectors import on_roll

DEMO_CARER_EMAIL = "parent@example.org"  # the portal demo's carer (keyworker.portal.demo)
NOT_SHARED = 3  # the last few children of the class: targets set, not shared yet

TARGETS = (
    ("Use full stops and capital letters in every sentence", "So that readers can follow my writing.",
     "I check my own writing and find the missing full stops before I hand it in.",
     "When your child writes a card, list or diary, ask them to read it back and find the full stops."),
    ("Know my 3, 4 and 8 times tables", "They help with division and fractions this year.",
     "I can answer any of the facts in under five seconds, mixed up.",
     "Ask a few facts on the way to school; the Times Tables Rock Stars login is in the reading record."),
    ("Read aloud with expression", "Reading aloud well shows I understand what I read.",
     "I change my voice for speech marks and pause at commas.",
     "Listen to your child read for ten minutes and ask what a character might be feeling."),
)


def _teacher(group: Group) -> StaffMember | None:
    return (StaffMember.objects.filter(group_memberships__group=group, staff_roles__role__code="teacher", is_active=True)
            .select_related("user").order_by("id").first())


def _demo_carer(organisation: Organisation) -> Carer | None:
    carer = Carer.objects.filter(organisation=organisation, email=DEMO_CARER_EMAIL).order_by("id").first()
    return carer or Carer.objects.filter(organisation=organisation, user__isnull=False).order_by("id").first()


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """Returns the number of targets written."""
    carer = _demo_carer(organisation)
    if carer is None:
        return 0
    child = (Child.objects.filter(family_id=carer.family_id, group__isnull=False).select_related("group__setting")
             .order_by("date_of_birth", "id").first())
    if child is None:
        return 0
    group = child.group
    teacher = _teacher(group)
    if teacher is None:
        return 0
    actor = actor_for(teacher.user, organisation.pk)
    day = today or clock.today(group.setting.time_zone)
    half_term_start = day - dt.timedelta(days=20)
    classmates = list(on_roll(Child.objects.filter(group=group), day).order_by("legal_last_name", "legal_first_name", "id"))
    classmates.sort(key=lambda c: c.pk != child.pk)  # the demo child first
    written = 0
    for n, pupil in enumerate(classmates):
        made = []
        for k in range(2):
            what, why, know, home = TARGETS[(n + k) % len(TARGETS)]
            made.append(services.target_create(actor=actor, child=pupil, what=what, why=why, how_we_know=know, help_at_home=home,
                                               review_on=day + dt.timedelta(days=25 + n % 5), as_of=half_term_start))
            written += 1
        if n == 0:
            services.target_review(actor=actor, target=made[0], progress="Full stops in nearly every sentence now; capital "
                                   "letters for names are next.", status=TargetStatus.WORKING,
                                   next_review_on=day + dt.timedelta(days=30), as_of=day - dt.timedelta(days=2))
        if n >= len(classmates) - NOT_SHARED:
            continue
        method = ShareMethod.PORTAL if n == 0 else (ShareMethod.PAPER if n % 2 else ShareMethod.MEETING)
        services.targets_share(actor=actor, child=pupil, method=method, as_of=day - dt.timedelta(days=12 - n % 7),
                               note="" if method != ShareMethod.MEETING else "Parents' evening")
    services.home_note_add(link=carer, child=child, target=None,
                           text="We have been practising the 4 times table in the car – the 8s are still tricky. "
                                "Reading together most evenings, and the voices are the best bit!")
    _homework(actor, group, classmates, child, day)
    return written


def _homework(actor, group: Group, classmates: list[Child], child: Child, day: dt.date) -> None:
    last_week = services.homework_set(
        actor=actor, group=group, title="Spellings: words ending in -tion", set_on=day - dt.timedelta(days=9),
        due_on=day - dt.timedelta(days=2), what_to_do="Learn the ten spellings on the sheet and write each in a sentence.",
        how_to_help="Test them on three evenings; let your child write the sentences without help.")
    returned = {c.pk: (i % 4 != 3) for i, c in enumerate(classmates)}
    returned[child.pk] = True
    services.homework_returns_mark(actor=actor, homework=last_week, returned=returned, as_of=day - dt.timedelta(days=2))
    services.homework_feedback_give(actor=actor, homework=last_week, child_id=child.pk,
                                    feedback="9 out of 10 and lovely sentences. Keep practising “station”.",
                                    as_of=day - dt.timedelta(days=1))
    services.homework_set(
        actor=actor, group=group, title="Times tables: the 4s and 8s", set_on=day - dt.timedelta(days=2),
        due_on=day + dt.timedelta(days=3), what_to_do="Fill in the grid and practise on Times Tables Rock Stars for ten "
                                                      "minutes on three days.",
        how_to_help="Ask a few facts out loud, mixed up; spot how the 8s are double the 4s.")
