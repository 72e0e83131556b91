"""Test data for the carers' portal: one family with something on every page of the portal, and the address of every
page for its carer. Used by the portal's tests, the browser sweep and the benchmark (bench/bench_portal.py).

The family is a school family (a Year 6 pupil with an EHCP) that also has a younger child at a nursery of the same
organisation, so that one carer row (one link, one access kind) opens the school's sections (appointments, parents'
evenings, reviews, targets, homework, transitions, messages, the details check) and the nursery's (the learning
journal, the enrolment form, the personal care plan). Everything is made through the services, relative to the
clock (`keyworker.core.clock`), so the same data serves a test at the fixed time and a benchmark at today's date.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.models import Group, Setting, SettingKind
from keyworker.people.models import Carer, Child, Family

# What each page of the portal belongs to (keyworker.people.carer_access's sections). A page opens when the carer's
# access opens its section for the family; otherwise it answers 404. None: every signed-in carer (the home page).
# "forms" (the list of forms) opens with either of its two sections.
FORMS_LIST = "data_check|forms"
PAGE_SECTIONS: dict[str, str | None] = {
    "home": None,
    "key_worker_photo": "key_worker",
    "appointments": "appointments", "appointment_answer": "appointments", "appointment_ics": "appointments",
    "calendar": "appointments", "calendar_address": "appointments",
    "messages_index": "messages", "messages": "messages",
    "forms": FORMS_LIST, "forms_data_check": "data_check", "forms_contact": "forms", "forms_enrolment": "forms",
    "bookings": "bookings", "bookings_evening": "bookings", "bookings_book": "bookings", "bookings_move": "bookings",
    "bookings_cancel": "bookings",
    "reviews": "reviews", "review": "reviews", "review_family_views": "reviews", "review_booklet": "reviews",
    "care_plans": "care_plan", "care_plan": "care_plan",
    "journal": "journal", "journal_child": "journal", "journal_comment": "journal", "journal_wow": "journal",
    "journal_photo": "journal", "journal_wow_photo": "journal",
    "targets": "targets", "targets_child": "targets",
    "homework": "homework", "homework_child": "homework",
    "transitions": "transitions", "transition": "transitions",
}
# The door (open to anyone) and signing out: not pages of a section.
DOOR = frozenset({"sign_in", "sign_in_sent", "sign_in_link", "sign_out"})
# Pages that only take a POST (an answer, a booking, a new calendar address): the data each is sent.
POST_ONLY = frozenset({"appointment_answer", "bookings_book", "bookings_move", "bookings_cancel", "calendar_address",
                       "journal_comment"})


def section_open(name: str, sections: frozenset[str]) -> bool:
    """Does a carer whose access opens `sections` (for their family) open the page `name`?"""
    section = PAGE_SECTIONS[name]
    if section is None:
        return True
    return any(s in sections for s in section.split("|"))


@dataclass
class PortalFamily:
    """A family with something on every portal page, and where each page is for its carer."""

    family: Family
    carer: Carer                  # the carer with a portal account (parental responsibility, no restriction)
    school_child: Child
    nursery_child: Child
    key_worker: StaffMember       # the school's key worker (with a photo)
    nursery: Setting
    key_person: StaffMember
    pages: dict[str, str] = field(default_factory=dict)           # url name -> path, opened with GET
    posts: dict[str, tuple[str, dict]] = field(default_factory=dict)  # url name -> (path, data) of POST-only pages


def jpeg(width: int = 480, height: int = 360, colour=(29, 53, 87)) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (236, 240, 244))
    ImageDraw.Draw(image).ellipse([width // 8, height // 8, width * 7 // 8, height * 7 // 8], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def _nursery(family: Family) -> tuple[Setting, Group, StaffMember, Child]:
    from keyworker.testing import add_calendar, allocate, make_child, make_group, make_setting, make_staff

    org = family.organisation
    nursery = make_setting(org, SettingKind.EARLY_YEARS, name="Little Acorns Nursery")
    add_calendar(nursery)
    room = make_group(nursery, "Ladybirds", "Pre-school")
    key_person = make_staff(org, nursery, ["practitioner"], [room], name="Priya Patel")
    child = make_child(family, nursery, room, legal_first_name="Lily", legal_last_name=family.name.split()[1]
                       if family.name.count(" ") >= 2 else "Adams",
                       date_of_birth=clock.today() - dt.timedelta(days=3 * 365 + 100),
                       enrolled_on=clock.today() - dt.timedelta(days=60))
    allocate(family, nursery, key_person)
    return nursery, room, key_person, child


def portal_family(*, carer: Carer, child: Child, key_worker: StaffMember, teacher: StaffMember, leader: StaffMember,
                  email: str = "amy.adams@example.org") -> PortalFamily:
    """Fill every section of the portal for `carer`'s family: `child` is a school pupil in `teacher`'s class whose
    family's key worker is `key_worker`; `leader` (a headteacher) runs the parents' evening and the review. Saves
    photos to the default storage (set MEDIA_ROOT in a test)."""
    from keyworker.accounts.photos import staff_photo_set
    from keyworker.care import journals_services, plans_services
    from keyworker.celebrations.services import celebration_record
    from keyworker.contacts.messages import message_send
    from keyworker.enrolment import services as enrolment
    from keyworker.meetings import evenings, reviews
    from keyworker.meetings.evenings_models import EveningSlot
    from keyworker.meetings.models import Invitee
    from keyworker.people.carer_access import access_for
    from keyworker.targets import services as targets
    from keyworker.targets.models import ShareMethod
    from keyworker.testing import carer_account
    from keyworker.transitions import services as transitions

    now, today = clock.now(), clock.today()
    family = carer.family
    user = carer_account(carer, email)
    Child.objects.filter(pk=child.pk).update(year_group="Year 6", has_ehcp=True)
    child.refresh_from_db()
    kw, head, class_teacher = (actor_for(s.user, s.organisation_id) for s in (key_worker, leader, teacher))

    # The key worker's photo (home) and good news.
    staff_photo_set(actor=kw, staff=key_worker, file=jpeg(600, 600))
    key_worker.refresh_from_db()
    celebration_record(actor=kw, child=child, kind="star_of_the_week", title="Kind to everyone all week",
                       celebrated_on=today - dt.timedelta(days=2), shared_how="postcard_home")

    # The annual review: opened, its meeting in 12 days (an appointment the family is invited to), the booklet shared.
    review = reviews.review_open(actor=head, child=child, last_review_on=today - dt.timedelta(days=365 - 20))
    meeting_day = today + dt.timedelta(days=12)
    starts = _at(child.setting, meeting_day, 14)
    review = reviews.review_schedule(actor=head, review=review, starts_at=starts, ends_at=starts + dt.timedelta(hours=1),
                                     place="Meeting room 2")
    reviews.review_booklet_share(actor=kw, review=review, shared_with="Mum, in the portal")
    invitee = Invitee.objects.get(appointment=review.appointment, carer=carer)

    # A parents' evening in two weeks, booking open: one slot booked with the key worker, another free to move to.
    day = today + dt.timedelta(days=14)
    plan = evenings.evening_plan(setting=child.setting, day=day, starts=dt.time(16, 0), ends=dt.time(17, 0), slot_minutes=10)
    evening = evenings.evening_open(actor=head, setting=child.setting, title="Autumn parents' evening", plan=plan,
                                    staff=[key_worker, teacher], booking_opens_at=now - dt.timedelta(days=1),
                                    booking_closes_at=now + dt.timedelta(days=12), place="School hall")
    first, second = EveningSlot.objects.filter(evening=evening, staff=key_worker).order_by("starts_at")[:2]
    booked = evenings.booking_create(by=user, slot=first, child=child, carer=carer)
    free_with_teacher = EveningSlot.objects.filter(evening=evening, staff=teacher).order_by("starts_at").first()

    # Learning targets shared with the family, and the class's homework.
    targets.target_create(actor=class_teacher, child=child, what="Read a chapter book on my own", why="To enjoy longer stories",
                          how_we_know="Reads ten pages aloud", help_at_home="Read together for ten minutes each evening",
                          review_on=today + dt.timedelta(days=30))
    targets.targets_share(actor=kw, child=child, method=ShareMethod.PORTAL)
    targets.homework_set(actor=class_teacher, group=child.group, title="Spellings week 3",
                         what_to_do="Learn the ten spellings on the sheet", how_to_help="Test them on three evenings",
                         due_on=today + dt.timedelta(days=5))

    # Moving school: a plan, a visit, its dates shared with the family.
    transition = transitions.transition_plan_create(actor=kw, child=child, data={
        "destination_school": "Hillside High School", "destination_contact": "Mr Patel, head of Year 7",
        "destination_phone": "0161 496 0999", "destination_email": "transition@hillside.example",
        "family_notes": "Bring a packed lunch on the first visit."})
    visit_day = today + dt.timedelta(days=20)
    transitions.transition_visit_add(actor=kw, plan=transition, starts_at=_at(child.setting, visit_day, 9),
                                     ends_at=_at(child.setting, visit_day, 11), place="Main reception")
    transitions.transition_dates_share(actor=kw, plan=transition)

    # The nursery: photo consent given on the enrolment form, a shared observation with a photo, a wow moment from
    # home, a personal care plan.
    nursery, _room, key_person, little = _nursery(family)
    kp = actor_for(key_person.user, key_person.organisation_id)
    access = access_for(user)
    answers = {"allergies": "None", "medical_needs": "None", "outside_agencies": "None",
               "family_circumstances": "Lives with mum and gran", "photo_consent": True, "outings_consent": True,
               "sun_cream_consent": True, "emergency_treatment_consent": True}
    enrolment.enrolment_save(link=carer, child=little, answers=answers)
    observation = journals_services.observation_record(
        actor=kp, children=[little], observed_on=today - dt.timedelta(days=2), text="Painted a rainbow and named every colour.",
        areas=["eyfs.ead"], photos=[jpeg()], photo_description="Lily's rainbow painting")
    photo = observation.photos.get()
    wow = journals_services.wow_moment_send(link=carer, child=little, text="Counted to twenty on the stairs", photo=jpeg())
    plans_services.care_plan_save(actor=kp, child=little, sections={
        "health": "Mild eczema: cream after washing", "routines": "Nap after lunch", "what_matters": "Her rabbit Flopsy",
        "how_to_support": "A cuddle and a quiet corner", "interests": "Painting", "child_words": "I like the sand",
        "family_words": "She is shy at first"}, as_of=today)

    # A message to the key worker.
    message_send(access=access, family_id=family.pk, body="Could we talk about the review at pick-up on Friday?")

    f = family.pk
    pages = {
        "home": reverse("portal:home"),
        "key_worker_photo": reverse("portal:key_worker_photo", args=[key_worker.pk]),
        "appointments": reverse("portal:appointments"),
        "appointment_ics": reverse("portal:appointment_ics", args=[review.appointment_id]),
        "calendar": reverse("portal:calendar"),
        "messages_index": reverse("portal:messages_index"),
        "messages": reverse("portal:messages", args=[f]),
        "forms": reverse("portal:forms"),
        "forms_data_check": reverse("portal:forms_data_check", args=[f]),
        "forms_contact": reverse("portal:forms_contact", args=[f]),
        "forms_enrolment": reverse("portal:forms_enrolment", args=[little.pk]),
        "bookings": reverse("portal:bookings"),
        "bookings_evening": reverse("portal:bookings_evening", args=[evening.pk]),
        "reviews": reverse("portal:reviews"),
        "review": reverse("portal:review", args=[review.pk]),
        "review_family_views": reverse("portal:review_family_views", args=[review.pk]),
        "review_booklet": reverse("portal:review_booklet", args=[review.pk]),
        "care_plans": reverse("portal:care_plans"),
        "care_plan": reverse("portal:care_plan", args=[little.pk]),
        "journal": reverse("portal:journal"),
        "journal_child": reverse("portal:journal_child", args=[little.pk]),
        "journal_wow": reverse("portal:journal_wow", args=[little.pk]),
        "journal_photo": reverse("portal:journal_photo", args=[photo.pk, "thumb"]),
        "journal_wow_photo": reverse("portal:journal_wow_photo", args=[wow.pk, "thumb"]),
        "targets": reverse("portal:targets"),
        "targets_child": reverse("portal:targets_child", args=[child.pk]),
        "homework": reverse("portal:homework"),
        "homework_child": reverse("portal:homework_child", args=[child.pk]),
        "transitions": reverse("portal:transitions"),
        "transition": reverse("portal:transition", args=[transition.pk]),
    }
    posts = {
        "appointment_answer": (reverse("portal:appointment_answer", args=[invitee.pk]), {"rsvp": "yes"}),
        "calendar_address": (reverse("portal:calendar_address"), {}),
        "bookings_book": (reverse("portal:bookings_book", args=[evening.pk]),
                          {"child": child.pk, "staff": teacher.pk, "slot": free_with_teacher.pk}),
        # In this order: book the class teacher, cancel that booking, move the key worker's.
        "bookings_cancel": (reverse("portal:bookings_cancel", args=[evening.pk, free_with_teacher.pk]), {}),
        "bookings_move": (reverse("portal:bookings_move", args=[evening.pk, booked.pk]), {"slot": second.pk}),
        "journal_comment": (reverse("portal:journal_comment", args=[little.pk, observation.pk]), {"text": "Lovely!"}),
    }
    carer.refresh_from_db()
    return PortalFamily(family=family, carer=carer, school_child=child, nursery_child=little, key_worker=key_worker,
                        nursery=nursery, key_person=key_person, pages=pages, posts=posts)


def _at(setting: Setting, day: dt.date, hour: int) -> dt.datetime:
    import zoneinfo

    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zoneinfo.ZoneInfo(setting.time_zone))


def world_portal_family(world, email: str = "amy.adams@example.org") -> PortalFamily:
    """`portal_family` on the persona world (keyworker.testing.make_world): family A's first carer, Alfie in class Ash,
    Kim Keyworker, Tara Teacher and Helen Head."""
    carer = world.family_a.carers.order_by("contact_order", "id").first()
    Carer.objects.filter(pk=carer.pk).update(first_name="Amy", last_name="Adams")
    carer.refresh_from_db()
    return portal_family(carer=carer, child=world.child_a, key_worker=world.ta_a, teacher=world.teacher_a,
                         leader=world.headteacher, email=email)
