"""Calendars: one appointment as an .ics file, and the private calendar feeds of staff and carers (RFC 5545).

Each event carries the appointment's unchanging UID and its SEQUENCE (raised on every change a calendar should
see), so a calendar updates the event in place; a cancelled one stays in the feed with STATUS:CANCELLED, so it
disappears from the calendars that had it. Times are written in the setting's time zone with its VTIMEZONE.
Nothing staff-only is written: no notes, no cancellation reason, no names of other families.

A feed lives at a secret address (`CalendarFeed.token`); making a new address revokes the old, which then answers
404 like any guessed one. What a feed shows is the person's own: for a member of staff, the appointments they are
invited to or made; for a carer, those they are invited to in the families whose appointments they may see.
"""

import datetime as dt
import secrets
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from icalendar import Calendar, Event, Timezone, vText

from keyworker.core.audit import audit_record
from keyworker.core.extensions import carer_calendar_sources
from keyworker.notifications.services import absolute_url
from keyworker.people.carer_access import APPOINTMENTS, links_with

from .models import Appointment, AppointmentStatus, Invitee, InviteeKind, family_title
from .models_reminders import CalendarFeed

PRODID = "-//Keyworker//Appointments//EN"
# A feed shows appointments from this long ago onwards (older ones are history, not a calendar's business).
FEED_PAST = dt.timedelta(days=120)
FEED_FIELDS = ("id", "uid", "sequence", "title", "kind", "starts_at", "ends_at", "place", "video_link", "status",
               "created_at", "updated_at", "setting__name", "setting__time_zone", "child__preferred_name",
               "child__legal_first_name")


# --- Feeds: the secret addresses ----------------------------------------------------------------------------------

def _token() -> str:
    return secrets.token_urlsafe(32)


def feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("meetings:calendar_feed", args=[feed.token]))


def _live(*, user, staff=None) -> QuerySet[CalendarFeed]:
    qs = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
    return qs.filter(staff=staff) if staff is not None else qs.filter(staff__isnull=True)


def feed_of(*, user, staff=None) -> CalendarFeed | None:
    """The person's live feed, if they made one."""
    return _live(user=user, staff=staff).first()


@transaction.atomic
def calendar_feed_get(*, user, staff=None, now: dt.datetime) -> CalendarFeed:
    """The person's live feed, made on first asking ("Get my calendar address")."""
    feed = feed_of(user=user, staff=staff)
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user, staff=staff, organisation_id=getattr(staff, "organisation_id", None),
                                               token=_token(), created_at=now)
    except IntegrityError:  # made at the same moment in another tab: that one
        return _live(user=user, staff=staff).get()


@transaction.atomic
def calendar_feed_rotate(*, user, staff=None, now: dt.datetime) -> CalendarFeed:
    """"Make a new address": the old one stops working at once (404), a new one is made."""
    old = list(_live(user=user, staff=staff).select_for_update())
    _live(user=user, staff=staff).update(revoked_at=now)
    feed = CalendarFeed.objects.create(user=user, staff=staff, organisation_id=getattr(staff, "organisation_id", None),
                                       token=_token(), created_at=now)
    if staff is not None and old:
        audit_record(organisation_id=staff.organisation_id, actor=user, event_type="calendar_feed.rotated", obj=feed,
                     summary="Made a new calendar address; the old one no longer works")
    return feed


def feed_by_token(token: str) -> CalendarFeed | None:
    """The live feed at this address, or None (revoked, guessed, or its owner's account or membership ended)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user", "staff").filter(token=token, revoked_at__isnull=True).first()
    if feed is None or not feed.user.is_active:
        return None
    if feed.staff_id is not None and not feed.staff.is_active:
        return None
    return feed


# --- What each feed shows -------------------------------------------------------------------------------------------

def staff_appointments(staff, *, now: dt.datetime) -> QuerySet[Appointment]:
    """A member of staff's: the appointments they are invited to or made, in their organisation."""
    invited = Invitee.objects.filter(staff=staff, kind=InviteeKind.STAFF).values("appointment_id")
    return Appointment.objects.filter(
        Q(id__in=invited) | Q(created_by_id=staff.user_id), organisation_id=staff.organisation_id,
        ends_at__gte=now - FEED_PAST,
    )


def carer_appointments(user, *, now: dt.datetime) -> QuerySet[Appointment]:
    """A carer's: the appointments they are invited to, in the families whose appointments they may see."""
    carer_ids = [c.pk for c in links_with(user, APPOINTMENTS)]
    invited = Invitee.objects.filter(carer_id__in=carer_ids, kind=InviteeKind.CARER).values("appointment_id")
    return Appointment.objects.filter(id__in=invited, ends_at__gte=now - FEED_PAST)


def feed_appointments(feed: CalendarFeed, *, now: dt.datetime) -> list[dict]:
    qs = staff_appointments(feed.staff, now=now) if feed.staff_id else carer_appointments(feed.user, now=now)
    rows = list(qs.order_by("starts_at", "id").values(*FEED_FIELDS))
    if not feed.staff_id:  # a carer's feed also carries the events other apps register (transition visits)
        extra = [row for source in carer_calendar_sources() for row in source.fetch(feed.user, now)]
        if extra:
            rows = sorted(rows + extra, key=lambda r: r["starts_at"])
    return rows


# --- iCalendar ------------------------------------------------------------------------------------------------------

def _carers_summary(a: dict) -> str:
    """A carer's calendar names the appointment as the portal does (the title staff wrote is staff-only); events other
    apps register (transition visits) come with a title written for the family."""
    if "child__legal_first_name" not in a:
        return a["title"]
    return family_title(a["kind"], a["child__preferred_name"] or a["child__legal_first_name"] or "")


def _event(a: dict, *, now: dt.datetime, link: str = "", for_carer: bool = False) -> Event:
    tz = zoneinfo.ZoneInfo(a["setting__time_zone"] or "Europe/London")
    e = Event()
    e.add("uid", f"{a['uid']}@keyworker")
    e.add("dtstamp", now.astimezone(dt.UTC))
    e.add("dtstart", a["starts_at"].astimezone(tz))
    e.add("dtend", a["ends_at"].astimezone(tz))
    e.add("sequence", a["sequence"])
    e.add("summary", f"{_carers_summary(a) if for_carer else a['title']} – {a['setting__name']}")
    e.add("created", a["created_at"].astimezone(dt.UTC))
    e.add("last-modified", a["updated_at"].astimezone(dt.UTC))
    if a["place"]:
        e.add("location", vText(a["place"]))
    elif a["video_link"]:
        e.add("location", vText(a["video_link"]))
    if a["video_link"]:
        e.add("url", a["video_link"])
        e.add("description", f"Join online: {a['video_link']}")
    elif link:
        e.add("url", link)
    e.add("status", "CANCELLED" if a["status"] == AppointmentStatus.CANCELLED else "CONFIRMED")
    e.add("transp", "TRANSPARENT" if a["status"] == AppointmentStatus.CANCELLED else "OPAQUE")
    return e


def calendar_bytes(appointments: list[dict], *, now: dt.datetime, name: str = "", method: str = "",
                   empty_zone: str = "Europe/London", for_carer: bool = False) -> bytes:
    """A VCALENDAR of these appointments, with a VTIMEZONE for each time zone used."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for a in appointments:
        cal.add_component(_event(a, now=now, for_carer=for_carer))
    if appointments:
        cal.add_missing_timezones()
    else:
        # RFC 5545 wants at least one component: an empty feed still carries its time zone.
        cal.add_component(Timezone.from_tzid(empty_zone))
    return cal.to_ical()


def appointment_ics(appointment: Appointment, *, now: dt.datetime, for_carer: bool = False) -> bytes:
    """One appointment as an .ics file (METHOD:PUBLISH), the same event as in the feeds."""
    row = Appointment.objects.filter(pk=appointment.pk).values(*FEED_FIELDS).get()
    return calendar_bytes([row], now=now, method="PUBLISH", for_carer=for_carer)


def ics_filename(appointment: Appointment) -> str:
    day = appointment.starts_at.date().isoformat()
    return f"appointment-{day}-{appointment.pk}.ics"
