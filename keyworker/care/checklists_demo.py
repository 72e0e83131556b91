"""Demo records of the checklists, introductions and chat sessions for the childcare group.

- The setting's own items: a funding form on the early years enrolment checklist, nappy changing on its induction;
  a collection password and the club's rules at the out of school club, where the manager or the assistant manager
  introduces themselves to new families. The early years manager added "Emergency contacts checked" last week and
  asked it of the children who had started in the last 42 days too.
- Three children who started this term: Mila (early years, started on Monday of this week, with the key person of the
  demo's sign-in): her enrolment checklist misses two items, her first-week induction is due on Friday, and the
  manager's introduction is waiting; Tobi (early years, three weeks ago) and Isla (the club, two weeks ago) have
  their checklists complete and their introductions done.
- Chat sessions at the out of school club this half term, with the member of staff each child chose, one declined.
"""

import datetime as dt

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.caseload.services import allocation_assign
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Group, Organisation, Setting, SettingKind
from keyworker.people.models import Carer, Child, ContactMethod, Family, KeyAspects, Relationship
from keyworker.standards import engine

from .chats_services import chat_session_record
from .checklists import items_of
from .checklists_services import checklist_item_add, checklist_tick, introduction_setup_save
from .introductions_services import introduction_record
from .models_checklists import ChatOutcome, ChecklistKind, IntroducedBy, IntroductionHow

CHATS = [
    (ChatOutcome.HELD, "Talked about the new football group; happy, wants to bring a friend next week."),
    (ChatOutcome.HELD, "Worried about moving up to P4 next year; we looked at photos of the P4–P7 room together."),
    (ChatOutcome.DECLINED, ""),
    (ChatOutcome.HELD, "Proud of the den built outside; asked for more time in the garden after snack."),
    (ChatOutcome.HELD, "Finds the noise at snack time hard; agreed a quiet table by the window."),
]


def _staff(setting: Setting, role: str, group: Group | None = None) -> StaffMember:
    qs = StaffMember.objects.filter(staff_roles__setting=setting, staff_roles__role__code=role, is_active=True)
    if group is not None:
        qs = qs.filter(group_memberships__group=group)
    return qs.select_related("user").order_by("id").first()


def _years_before(day: dt.date, years: int, days: int) -> dt.date:
    return day.replace(year=day.year - years, day=min(day.day, 28)) - dt.timedelta(days=days)


def _new_child(organisation: Organisation, setting: Setting, room: Group, surname: str, first: str, carer: str,
               born: dt.date, enrolled_on: dt.date, n: int) -> Child:
    family = Family.objects.create(organisation=organisation, name=f"The {surname} family",
                                   address="14 Mill Lane\nPaisley", mis_reference=f"NEW{n:03d}")
    Carer.objects.create(organisation=organisation, family=family, first_name=carer, last_name=surname,
                         relationship=Relationship.MOTHER, parental_responsibility=True, phone=f"07700 9001{n:02d}",
                         email=f"{carer}.{surname}@example.org".lower(), preferred_contact_method=ContactMethod.PHONE,
                         contact_order=1)
    child = Child.objects.create(organisation=organisation, family=family, setting=setting, group=room,
                                 legal_first_name=first, legal_last_name=surname, date_of_birth=born,
                                 enrolled_on=enrolled_on, mis_reference=f"CN{n:04d}")
    KeyAspects.objects.create(organisation=organisation, child=child, first_language="English")
    # Set up with everyone else, before the year began (the families' places were booked then).
    Child.objects.filter(pk=child.pk).update(created_at=organisation.created_at)
    Family.objects.filter(pk=family.pk).update(created_at=organisation.created_at)
    return child


def _tick_all(actor, child: Child, kind: str, day: dt.date, leave: tuple[str, ...] = ()) -> None:
    for item in items_of(child.setting_id, kind, child.enrolled_on):
        if item.code not in leave and item.label not in leave:
            checklist_tick(actor=actor, child=child, kind=kind, item=item.code, done_on=day)


def _school_day_on_or_before(cal: TermCalendar, day: dt.date) -> dt.date:
    while not cal.is_school_day(day):
        day -= dt.timedelta(days=1)
    return day


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """Returns the number of records written."""
    early = Setting.objects.filter(organisation=organisation, kind=SettingKind.EARLY_YEARS).order_by("id").first()
    club = Setting.objects.filter(organisation=organisation, kind=SettingKind.OUT_OF_SCHOOL_CARE).order_by("id").first()
    if early is None or club is None:
        return 0
    today = today or clock.today(early.time_zone)
    cal = TermCalendar.for_setting(early)
    year_start = cal.school_year_start(today) or today
    monday = today - dt.timedelta(days=today.weekday())
    written = 0

    early_manager, club_manager = _staff(early, "manager"), _staff(club, "manager")
    club_assistant = _staff(club, "assistant_manager")
    manager_actor, club_actor = actor_for(early_manager.user), actor_for(club_manager.user)
    for setting, actor, items in (
        (early, manager_actor, [(ChecklistKind.ENROLMENT, "Funding form signed", "The funded hours form, signed by a "
                                 "carer with parental responsibility."),
                                (ChecklistKind.INDUCTION, "Nappy changing and toileting", "Where it happens, what the "
                                 "family brings and how we tell them.")]),
        (club, club_actor, [(ChecklistKind.ENROLMENT, "Collection password agreed", "The word anyone collecting "
                             "who is not a carer gives at the door."),
                            (ChecklistKind.INDUCTION, "Club rules agreed together", "The club's rules from the children "
                             "and young people handbook, talked through with the child.")]),
    ):
        for kind, label, hint in items:
            checklist_item_add(actor=actor, setting=setting, kind=kind, label=label, hint=hint, as_of=year_start)
            written += 1
    checklist_item_add(actor=manager_actor, setting=early, kind=ChecklistKind.ENROLMENT,
                       label="Emergency contacts checked", hint="Two people who may collect in an emergency, each "
                       "number rung once to check it.", include_started=True,
                       as_of=max(year_start, today - dt.timedelta(days=7)))
    written += 1
    introduction_setup_save(actor=club_actor, setting=club, introduced_by=IntroducedBy.EITHER)

    toddlers = Group.objects.get(setting=early, name="Toddlers")
    club_room = Group.objects.filter(setting=club).order_by("id").first()
    key_person = _staff(early, "practitioner", toddlers)
    club_key_contact = _staff(club, "practitioner", club_room) or club_manager
    kp_actor, club_kc_actor = actor_for(key_person.user), actor_for(club_key_contact.user)

    # Mila started on Monday: two items missing, the induction due on Friday, the introduction waiting.
    mila = _new_child(organisation, early, toddlers, "Novak", "Mila", "Ana", _years_before(today, 2, 120), monday, 1)
    allocation_assign(actor=manager_actor, family=mila.family, setting=early, staff=key_person, reason="Enrolment")
    _tick_all(kp_actor, mila, ChecklistKind.ENROLMENT, monday, leave=("paperwork", "Funding form signed"))
    checklist_tick(actor=kp_actor, child=mila, kind=ChecklistKind.INDUCTION, item="fire_evacuation", done_on=monday,
                   note="Showed Mila and her mum the garden exit and the assembly point.")

    # Tobi started three weeks ago: everything done.
    tobi_start = _school_day_on_or_before(cal, monday - dt.timedelta(days=21))
    tobi = _new_child(organisation, early, toddlers, "Okafor", "Tobi", "Grace", _years_before(today, 2, 200), tobi_start, 2)
    allocation_assign(actor=manager_actor, family=tobi.family, setting=early, staff=key_person, reason="Enrolment")
    _tick_all(kp_actor, tobi, ChecklistKind.ENROLMENT, tobi_start)
    _tick_all(kp_actor, tobi, ChecklistKind.INDUCTION, tobi_start + dt.timedelta(days=2))
    introduction_record(actor=manager_actor, child=tobi, introduced_on=tobi_start, how=IntroductionHow.IN_PERSON,
                        note="Met Grace and Tobi at drop-off on his first morning; explained how to reach me.")

    # Isla started at the club two weeks ago: everything done, introduced by the assistant manager by phone.
    club_cal = TermCalendar.for_setting(club)
    isla_start = _school_day_on_or_before(club_cal, monday - dt.timedelta(days=14))
    isla = _new_child(organisation, club, club_room, "Reid", "Isla", "Fiona", _years_before(today, 6, 30), isla_start, 3)
    allocation_assign(actor=club_actor, family=isla.family, setting=club, staff=club_key_contact, reason="Enrolment")
    _tick_all(club_kc_actor, isla, ChecklistKind.ENROLMENT, isla_start)
    _tick_all(club_kc_actor, isla, ChecklistKind.INDUCTION, isla_start + dt.timedelta(days=1))
    introduction_record(actor=actor_for(club_assistant.user), child=isla, introduced_on=isla_start + dt.timedelta(days=1),
                        how=IntroductionHow.PHONE, note="Called Fiona after Isla's first day; she is settling well.")
    written += 3

    # Chat sessions this half term at the club, with whom each child chose; one child chose not to talk.
    half = club_cal.half_term_for(today)
    first_day = max(half.starts_on if half else today - dt.timedelta(days=28), year_start)
    children = list(Child.objects.filter(setting=club, enrolled_on__lt=first_day).order_by("id")[:len(CHATS)])
    staff = [s for s in (club_manager, club_assistant, club_key_contact, _staff(club, "lead_practitioner", club_room))
             if s is not None]
    span = max((today - first_day).days, 1)
    for i, (child, (outcome, note)) in enumerate(zip(children, CHATS, strict=False)):
        day = _school_day_on_or_before(club_cal, first_day + dt.timedelta(days=span * (i + 1) // (len(CHATS) + 1)))
        day = max(day, first_day)
        chat_session_record(actor=club_actor, child=child, offered_on=day, outcome=outcome,
                            staff_id=staff[i % len(staff)].pk, note=note)
        written += 1
    # The records are back-dated: count them for the windows they fall in, as if entered on their day.
    families = {mila.family_id, tobi.family_id, isla.family_id, *(c.family_id for c in children)}
    engine.recompute(organisation_id=organisation.pk, as_of=today, families=families, rebuild=True)
    return written



