"""Writes for family wellbeing: raise a concern (the leadership team and the key worker are told at once), record a
follow-up on it (a contact, a conversation, signposting or a referral), a referral's response, close it with its
outcome; and the agency directory. Each write on a concern refreshes the family's obligations (SCH-9, CC-M2)."""

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from keyworker.accounts.access import Actor
from keyworker.accounts.capabilities import MANAGE_SETUP
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.models import Setting
from keyworker.people.models import Child, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import (
    AGENCY_KINDS,
    Agency,
    Area,
    ConcernStatus,
    FollowUpKind,
    Indicator,
    Outcome,
    ReferralResponse,
    SignpostHow,
    WellbeingConcern,
    WellbeingFollowUp,
)
from .selectors import concerns_visible_to, leadership_team

MIN_WORDS = 5
TEXT_MAX = 5000
NOTE_MAX = 2000
REFERENCE_MAX = 80
BACKDATE_DAYS = 366
FOLLOW_UP_AHEAD_DAYS = 366
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def concern_link(concern: WellbeingConcern) -> str:
    return f"/wellbeing/concerns/{concern.pk}/"


def _refresh(concern: WellbeingConcern, actor: Actor) -> None:
    obligations_refresh(organisation_id=concern.organisation_id, family_ids={concern.family_id},
                        as_of=clock.today(concern.setting.time_zone), actor=actor)


def _date(day: dt.date | None, *, field: str, what: str, today: dt.date, not_before: dt.date | None = None,
          before_message: str = "") -> dt.date:
    if not isinstance(day, dt.date):
        raise RuleViolation(f"Enter the date {what}, for example 18/11/2026.", rule="date", field=field)
    if day > today:
        raise RuleViolation(f"The date {what} cannot be in the future: enter today's date or an earlier one.",
                            rule="future_date", field=field)
    if day < today - dt.timedelta(days=BACKDATE_DAYS):
        raise RuleViolation("A date can be back-dated by up to a year.", rule="old_date", field=field)
    if not_before is not None and day < not_before:
        raise RuleViolation(before_message, rule="before_concern", field=field)
    return day


def _choices(values: Iterable[str] | None, allowed: list[str], *, field: str, message: str) -> list[str]:
    if isinstance(values, str) or values is None:
        values = [values] if values else []
    chosen = []
    for v in values:
        if v not in allowed:
            raise RuleViolation(message, rule=f"{field}_invalid", field=field)
        if v not in chosen:
            chosen.append(v)
    if not chosen:
        raise RuleViolation(message, rule=f"{field}_required", field=field)
    return [v for v in allowed if v in chosen]  # in the usual order


def _setting(family: Family, actor: Actor, setting: Setting | None) -> Setting:
    """The concern's setting: the given one, else the one of the family's children the actor works in."""
    setting_ids = list(Child.objects.filter(family_id=family.pk).values_list("setting_id", flat=True).distinct())
    if setting is not None:
        if setting.organisation_id != family.organisation_id or (setting_ids and setting.pk not in setting_ids):
            raise RuleViolation("Choose a setting this family's children attend.", rule="setting", field="setting")
        return setting
    ordered = sorted(setting_ids, key=lambda pk: (pk not in actor.setting_ids, pk)) or sorted(actor.setting_ids)
    found = Setting.objects.filter(pk__in=ordered[:1], organisation_id=family.organisation_id).first()
    if found is None:
        raise RuleViolation("This family has no children in a setting yet, so a concern cannot be raised.", rule="setting")
    return found


def _tell(concern: WellbeingConcern, actor: Actor) -> int:
    """Tell the setting's leadership team and the family's key worker at once (in-app and e-mail).

    The notification names the family and who raised it, never what was noticed: the link opens the concern."""
    sender = actor.user.full_name or actor.user.email
    recipients = {m.user_id: m.user for m in leadership_team(concern.organisation_id, concern.setting_id)}
    for a in KeyWorkerAllocation.objects.filter(family_id=concern.family_id, ends_at__isnull=True).select_related("staff__user"):
        recipients.setdefault(a.staff.user_id, a.staff.user)
    recipients.pop(actor.user.pk, None)  # the sender knows
    for user in recipients.values():
        notification_send(
            recipient=user, organisation_id=concern.organisation_id, kind="wellbeing.concern",
            subject=f"Wellbeing concern: {concern.family.name}, from {sender}",
            body=(f"{sender} has raised a wellbeing concern about {concern.family.name}: the family may be struggling and "
                  "need support. Open it to read what they noticed and record what is done."),
            link=concern_link(concern), dedupe_key=f"wellbeing-concern:{concern.pk}", now=concern.created_at,
        )
    return len(recipients)


@transaction.atomic
def concern_raise(
    *, actor: Actor, family: Family, what_noticed: str, areas: Iterable[str], indicators: Iterable[str],
    children: Iterable[Child] = (), noticed_on: dt.date | None = None, setting: Setting | None = None,
) -> WellbeingConcern:
    """Raise a wellbeing concern about a family the actor may see; the leaders and the key worker are told."""
    if not isinstance(family, Family) or not actor.is_member or family.organisation_id != actor.organisation_id or not (
        families_visible_to(actor).filter(pk=family.pk).exists()
    ):
        raise RuleViolation("Family not found.", rule="scope", field="family")
    setting = _setting(family, actor, setting)
    today = clock.today(setting.time_zone)
    noticed_on = _date(noticed_on or today, field="noticed_on", what="you noticed it", today=today)
    what_noticed = (what_noticed or "").strip()
    if word_count(what_noticed) < MIN_WORDS:
        raise RuleViolation(f"Write at least a sentence ({MIN_WORDS} words or more) about what you noticed: a change in "
                            "behaviour, something said, how the family seems.", rule="what_noticed_short", field="what_noticed")
    if len(what_noticed) > TEXT_MAX:
        raise RuleViolation(f"Keep what you noticed to {TEXT_MAX} characters or fewer.", rule="what_noticed_long",
                            field="what_noticed")
    areas = _choices(areas, Area.values, field="areas",
                     message="Choose at least one thing the family may be struggling with, or “Something else”.")
    indicators = _choices(indicators, Indicator.values, field="indicators",
                          message="Choose at least one wellbeing indicator (Safe, Healthy, Achieving, Nurtured, Active, "
                                  "Respected, Responsible, Included).")
    kids = list(children or ())
    if any(not isinstance(c, Child) or c.family_id != family.pk for c in kids):
        raise RuleViolation("Choose children of this family only.", rule="children", field="children")
    concern = WellbeingConcern.objects.create(
        organisation_id=family.organisation_id, family=family, setting=setting, raised_by=actor.staff, noticed_on=noticed_on,
        created_at=clock.now(), areas=areas, indicators=indicators, what_noticed=what_noticed,
    )
    if kids:
        concern.children.set(kids)
    told = _tell(concern, actor)
    audit_record(organisation_id=concern.organisation_id, actor=actor.user, event_type="wellbeing.concern_raised", obj=concern,
                 summary=f"Wellbeing concern about {family.name} raised", data={"areas": areas, "indicators": indicators,
                                                                                 "told": told})
    _refresh(concern, actor)
    return concern


def _locked_open(actor: Actor, concern: WellbeingConcern) -> WellbeingConcern:
    if not actor.is_member or concern.organisation_id != actor.organisation_id or not (
        concerns_visible_to(actor).filter(pk=concern.pk).exists()
    ):
        raise RuleViolation("Wellbeing concern not found.", rule="scope")
    locked = WellbeingConcern.objects.select_for_update(of=("self",)).select_related("setting", "family").get(pk=concern.pk)
    if locked.status != ConcernStatus.OPEN:
        raise RuleViolation("This concern is closed: raise a new one if the family is struggling again.", rule="closed")
    return locked


@transaction.atomic
def follow_up_record(
    *, actor: Actor, concern: WellbeingConcern, kind: str, happened_on: dt.date | None = None, note: str = "",
    agency: Agency | None = None, how: str = "", told_family: bool = False, reference: str = "",
    consent_given: bool | None = None, follow_up_on: dt.date | None = None,
) -> WellbeingFollowUp:
    """Record what was done about a concern. Signposting names the agency and how; a referral the agency, the family's
    consent and a date to follow it up. The concern's next follow-up date moves with it."""
    locked = _locked_open(actor, concern)
    today = clock.today(locked.setting.time_zone)
    if kind not in FollowUpKind.values:
        raise RuleViolation("Choose what was done: a contact with the family, a conversation, signposting or a referral.",
                            rule="kind", field="kind")
    happened_on = _date(happened_on or today, field="happened_on", what="it happened", today=today,
                        not_before=locked.noticed_on,
                        before_message=f"The concern was raised on {on_screen(locked.noticed_on)}: choose that day or a later one.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleViolation(f"Keep the note to {NOTE_MAX} characters or fewer.", rule="note_long", field="note")
    values: dict = {"kind": kind, "happened_on": happened_on, "note": note}
    if kind in AGENCY_KINDS:
        if not isinstance(agency, Agency) or agency.organisation_id != locked.organisation_id:
            raise RuleViolation("Choose the agency from the directory.", rule="agency", field="agency")
        if not agency.is_active:
            raise RuleViolation(f"{agency.name} is no longer in the directory: choose another agency.", rule="agency_retired",
                                field="agency")
        values["agency"] = agency
    elif word_count(note) < MIN_WORDS:
        raise RuleViolation(f"Write at least a sentence ({MIN_WORDS} words or more) about what was said or agreed.",
                            rule="note_short", field="note")
    if kind == FollowUpKind.SIGNPOSTING:
        if how not in SignpostHow.values:
            raise RuleViolation("Choose how the family was given the agency's details.", rule="how", field="how")
        values["how"], values["told_family"] = how, bool(told_family)
    if kind == FollowUpKind.REFERRAL:
        if consent_given is None:
            raise RuleViolation("Record whether the family agreed to the referral.", rule="consent_required", field="consent_given")
        if consent_given is not True:
            raise RuleViolation("A referral needs the family's consent: signpost them to the agency instead. If you think a "
                                "child is at risk of harm, raise a safeguarding concern.", rule="consent_missing",
                                field="consent_given")
        reference = " ".join((reference or "").split())
        if len(reference) > REFERENCE_MAX:
            raise RuleViolation(f"Keep the reference to {REFERENCE_MAX} characters or fewer.", rule="reference_long",
                                field="reference")
        if follow_up_on is None:
            raise RuleViolation("Enter when to follow the referral up, for example in two weeks.", rule="follow_up_required",
                                field="follow_up_on")
        values["reference"], values["consent_given"] = reference, True
    if follow_up_on is not None:
        if not isinstance(follow_up_on, dt.date):
            raise RuleViolation("Enter the follow-up date, for example 2/12/2026.", rule="follow_up_date", field="follow_up_on")
        if follow_up_on <= happened_on:
            raise RuleViolation("The follow-up date must be after the date it happened.", rule="follow_up_before",
                                field="follow_up_on")
        if follow_up_on > today + dt.timedelta(days=FOLLOW_UP_AHEAD_DAYS):
            raise RuleViolation("Choose a follow-up date within a year.", rule="follow_up_far", field="follow_up_on")
        values["follow_up_on"] = follow_up_on
    follow_up = WellbeingFollowUp.objects.create(
        organisation_id=locked.organisation_id, concern=locked, family_id=locked.family_id, recorded_by=actor.staff,
        by_leader=policies.writes_as_leader(actor, locked), created_at=clock.now(), **values,
    )
    # The next follow-up owed: this one's date if it sets one; else a follow-up on or after the date owed settles it.
    if follow_up_on is not None:
        if locked.follow_up_due_on is None or happened_on >= locked.follow_up_due_on or follow_up_on < locked.follow_up_due_on:
            locked.follow_up_due_on = follow_up_on
    elif locked.follow_up_due_on is not None and happened_on >= locked.follow_up_due_on:
        locked.follow_up_due_on = None
    if locked.last_follow_up_on is None or happened_on > locked.last_follow_up_on:
        locked.last_follow_up_on = happened_on
    locked.save(update_fields=["follow_up_due_on", "last_follow_up_on"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="wellbeing.follow_up_recorded",
                 obj=follow_up, summary=f"{follow_up.get_kind_display()} recorded on a wellbeing concern about {locked.family.name}",
                 data={"kind": kind, "agency": getattr(agency, "pk", None), "concern": locked.pk})
    _refresh(locked, actor)
    return follow_up


@transaction.atomic
def referral_response_record(*, actor: Actor, follow_up: WellbeingFollowUp, response: str,
                             responded_on: dt.date | None = None) -> WellbeingFollowUp:
    """Record the agency's answer to a referral: it no longer waits."""
    locked_concern = _locked_open(actor, follow_up.concern)
    locked = WellbeingFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.kind != FollowUpKind.REFERRAL:
        raise RuleViolation("Only a referral has a response.", rule="not_referral")
    if response not in ReferralResponse.values or not response:
        raise RuleViolation("Choose the agency's response: accepted, declined or no response.", rule="response", field="response")
    today = clock.today(locked_concern.setting.time_zone)
    responded_on = _date(responded_on or today, field="responded_on", what="of the response", today=today,
                         not_before=locked.happened_on, before_message="The response cannot be before the referral.")
    locked.response, locked.responded_on = response, responded_on
    locked.save(update_fields=["response", "responded_on"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="wellbeing.referral_response", obj=locked,
                 summary=f"Referral response recorded: {ReferralResponse(response).label}", data={"response": response})
    return locked


@transaction.atomic
def concern_close(*, actor: Actor, concern: WellbeingConcern, outcome: str, summary: str) -> WellbeingConcern:
    """Close a concern with its outcome and a summary (the setting's leaders or the family's key worker)."""
    locked = _locked_open(actor, concern)
    policies.require_close(actor, locked)
    if outcome not in Outcome.values:
        raise RuleViolation("Choose the outcome.", rule="outcome", field="outcome")
    summary = (summary or "").strip()
    if word_count(summary) < MIN_WORDS:
        raise RuleViolation(f"Write a summary of at least a sentence ({MIN_WORDS} words or more): what support is in place "
                            "and how the family is now.", rule="summary_short", field="summary")
    if len(summary) > TEXT_MAX:
        raise RuleViolation(f"Keep the summary to {TEXT_MAX} characters or fewer.", rule="summary_long", field="summary")
    locked.status, locked.outcome, locked.outcome_summary = ConcernStatus.CLOSED, outcome, summary
    locked.closed_at, locked.closed_by, locked.follow_up_due_on = clock.now(), actor.staff, None
    locked.save(update_fields=["status", "outcome", "outcome_summary", "closed_at", "closed_by", "follow_up_due_on"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="wellbeing.concern_closed", obj=locked,
                 summary=f"Wellbeing concern about {locked.family.name} closed: {Outcome(outcome).label}",
                 data={"outcome": outcome})
    _refresh(locked, actor)
    return locked


# The agency directory ----------------------------------------------------------------------------------------

AGENCY_FIELDS = ("name", "service", "areas", "phone", "email", "website", "area_covered", "notes", "is_active")
_PHONE = re.compile(r"^[0-9+()\- ]{6,40}$")


@transaction.atomic
def agency_save(
    *, actor: Actor, agency: Agency | None = None, name: str, service: str, areas: Iterable[str] = (), phone: str = "",
    email: str = "", website: str = "", area_covered: str = "", notes: str = "", is_active: bool = True,
) -> Agency:
    """Add or edit a partner agency (setup.manage); retiring one is saving it inactive (its referrals keep it)."""
    if not actor.is_member or (agency is not None and agency.organisation_id != actor.organisation_id):
        raise RuleViolation("Agency not found.", rule="scope")
    actor.require(MANAGE_SETUP)
    name = " ".join((name or "").split())
    if not name:
        raise RuleViolation("Enter the agency's name, for example “Brookfield Food Bank”.", rule="name_required", field="name")
    if len(name) > 150:
        raise RuleViolation("Keep the name to 150 characters or fewer.", rule="name_long", field="name")
    same = Agency.objects.filter(organisation_id=actor.organisation_id, name__iexact=name)
    if agency is not None:
        same = same.exclude(pk=agency.pk)
    if same.exists():
        raise RuleViolation(f"The directory already has an agency called {name}: edit that one.", rule="name_taken", field="name")
    service = (service or "").strip()
    if len(service) < 3:
        raise RuleViolation("Say what they help with, for example “Emergency food parcels and help with bills”.",
                            rule="service_required", field="service")
    if len(service) > NOTE_MAX:
        raise RuleViolation(f"Keep what they help with to {NOTE_MAX} characters or fewer.", rule="service_long", field="service")
    areas = list(areas or ())
    if any(a not in Area.values for a in areas):
        raise RuleViolation("Choose what they help with from the list.", rule="areas", field="areas")
    areas = [a for a in Area.values if a in areas]
    phone = (phone or "").strip()
    if phone and not _PHONE.match(phone):
        raise RuleViolation("Enter a phone number with digits and spaces only, for example 01632 960123.", rule="phone",
                            field="phone")
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RuleViolation("Enter an e-mail address like help@example.org.", rule="email", field="email") from None
    website = (website or "").strip()
    if website:
        if "://" not in website:
            website = f"https://{website}"
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise RuleViolation("Enter a web address like https://example.org.", rule="website", field="website") from None
    if not (phone or email or website):
        raise RuleViolation("Enter at least one way to contact them: a phone number, an e-mail address or a website.",
                            rule="contact_required", field="phone")
    area_covered = " ".join((area_covered or "").split())
    if len(area_covered) > 150:
        raise RuleViolation("Keep the area covered to 150 characters or fewer.", rule="area_long", field="area_covered")
    notes = (notes or "").strip()
    if len(notes) > NOTE_MAX:
        raise RuleViolation(f"Keep the notes to {NOTE_MAX} characters or fewer.", rule="notes_long", field="notes")
    values = {"name": name, "service": service, "areas": areas, "phone": phone, "email": email, "website": website,
              "area_covered": area_covered, "notes": notes, "is_active": bool(is_active)}
    now = clock.now()
    if agency is None:
        agency = Agency.objects.create(organisation_id=actor.organisation_id, created_at=now, updated_at=now,
                                       updated_by=actor.user, **values)
        event = "wellbeing.agency_added"
    else:
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        for k, v in values.items():
            setattr(agency, k, v)
        agency.updated_at, agency.updated_by = now, actor.user
        agency.save()
        event = "wellbeing.agency_edited"
    audit_record(organisation_id=agency.organisation_id, actor=actor.user, event_type=event, obj=agency,
                 summary=f"Agency {agency.name} {'added' if event.endswith('added') else 'edited'}",
                 data={"is_active": agency.is_active})
    return agency
