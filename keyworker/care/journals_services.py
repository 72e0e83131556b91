"""Writes of learning journals (CC-K4): record an observation of one or more children (with photos for children whose
photo consent is recorded), edit it as a new version, hide it with a reason; plan next steps and follow them up;
carers' comments and "wow moments" from the portal, which staff approve before they enter the journal.

Each write that changes which observations a child has brings the child's obligations up to date (CC-K4)."""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.conflicts import EditConflict
from keyworker.core.errors import RuleViolation
from keyworker.people.carer_access import JOURNAL, sections_for
from keyworker.people.models import Carer, Child
from keyworker.people.selectors import children_visible_to
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .journals_frameworks import SCHEMA_LABELS, framework_for
from .journals_photos import StoredPhoto, photo_delete, photo_store
from .journals_selectors import JOURNAL_KINDS, observations_visible_to, photo_consented
from .models_journals import (
    JOURNAL_NOTE_MAX,
    JOURNAL_TEXT_MAX,
    JournalComment,
    NextStep,
    NextStepState,
    Observation,
    ObservationChild,
    ObservationPhoto,
    ObservationVersion,
    WowMoment,
    WowState,
)

MAX_PHOTOS = 10
MAX_INTERESTS = 10
INTEREST_MAX = 60
REASON_MAX = 500
EARLIEST_DAYS = 366  # an observation may be back-dated up to a year


class JournalFieldErrors(RuleViolation):
    """Several inputs refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def _interests(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.split(",")
    out: list[str] = []
    for item in raw or []:
        text = " ".join(str(item).split())
        if text and text.lower() not in (i.lower() for i in out):
            out.append(text)
    return out


def _check(*, setting, children: Sequence[Child], observed_on, text: str, interests: list[str], schemas, areas,
           today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not children:
        errors["children"] = "Choose the child (or children) you observed."
    elif len({c.setting_id for c in children}) > 1:
        errors["children"] = "Choose children of one setting: an observation belongs to one setting's journals."
    if not (text or "").strip():
        errors["text"] = "Write what you saw and heard."
    elif len(text) > JOURNAL_TEXT_MAX:
        errors["text"] = f"Keep it to {JOURNAL_TEXT_MAX} characters or fewer."
    if not isinstance(observed_on, dt.date):
        errors["observed_on"] = "Give the date of the observation, for example 3/11/2026."
    elif observed_on > today:
        errors["observed_on"] = "The date cannot be in the future."
    elif observed_on < today - dt.timedelta(days=EARLIEST_DAYS):
        errors["observed_on"] = "The date is more than a year ago: check the year."
    if len(interests) > MAX_INTERESTS:
        errors["interests"] = f"Give at most {MAX_INTERESTS} interests."
    elif any(len(i) > INTEREST_MAX for i in interests):
        errors["interests"] = f"Keep each interest to {INTEREST_MAX} characters, separated by commas."
    unknown_schemas = [s for s in schemas or [] if s not in SCHEMA_LABELS]
    if unknown_schemas:
        errors["schemas"] = f"Choose schemas from the list ({', '.join(SCHEMA_LABELS.values())})."
    if setting is not None:
        framework = framework_for(setting.jurisdiction)
        if any(a not in framework.codes for a in areas or []):
            errors["areas"] = f"Choose areas from the {framework.label}."
    return errors


def _children_for(actor: Actor, children: Iterable[Child]) -> list[Child]:
    """The children, each visible to the actor and in an early years setting; otherwise 404 (never a hint)."""
    ids = {c.pk for c in children}
    found = list(children_visible_to(actor).filter(pk__in=ids, setting__kind__in=JOURNAL_KINDS).select_related("setting"))
    if len(found) != len(ids):
        raise Http404("No such child")
    return sorted(found, key=lambda c: (c.legal_first_name, c.pk))


def _consent_check(children: Sequence[Child], photo_count: int) -> None:
    if not photo_count:
        return
    consented = photo_consented([c.pk for c in children])
    missing = [c.display_name for c in children if c.pk not in consented]
    if missing:
        names = ", ".join(missing)
        raise RuleViolation(f"No photo consent is recorded for {names}: leave the photo out, or record the observation "
                            "without that child. Consent is given on the enrolment form.", rule="photo_consent",
                            field="photos")


def _store_photos(uploads: Sequence, organisation_id: int) -> list[StoredPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise RuleViolation(f"Add at most {MAX_PHOTOS} photos to one observation.", rule="photos", field="photos")
    stored: list[StoredPhoto] = []
    try:
        for upload in uploads:
            stored.append(photo_store(upload, organisation_id=organisation_id, field="photos"))
    except RuleViolation:
        for s in stored:
            photo_delete(s)
        raise
    return stored


def _version(observation: Observation, actor: Actor, child_ids: list[int]) -> None:
    ObservationVersion.objects.create(
        organisation_id=observation.organisation_id, observation=observation, number=observation.version,
        observed_on=observation.observed_on, text=observation.text, interests=observation.interests,
        schemas=observation.schemas, areas=observation.areas, child_ids=child_ids,
        shared_with_family=observation.shared_with_family, saved_by=actor.staff, saved_at=observation.updated_at,
    )


def _refresh(observation: Observation, family_ids: set[int], as_of: dt.date, actor: Actor) -> None:
    obligations_refresh(organisation_id=observation.organisation_id, family_ids=family_ids, as_of=as_of, actor=actor)


def _follow_up(actor: Actor, observation: Observation, step_ids: Iterable[int], child_ids: set[int]) -> None:
    ids = {int(i) for i in step_ids or []}
    if not ids:
        return
    steps = list(NextStep.objects.select_for_update().filter(pk__in=ids, child_id__in=child_ids, state=NextStepState.PLANNED))
    if len(steps) != len(ids):
        raise RuleViolation("Choose next steps still planned for the children observed.", rule="follows_up",
                            field="follows_up")
    NextStep.objects.filter(pk__in=[s.pk for s in steps]).update(
        state=NextStepState.FOLLOWED_UP, followed_up_by=observation, done_on=observation.observed_on, done_by=actor.staff)


def _record(actor, setting, found, observed_on, text, interests, schemas, areas, shared_with_family, stored,
            photo_description, next_step, follows_up) -> Observation:
    now = clock.now()
    observation = Observation.objects.create(
        organisation_id=setting.organisation_id, setting=setting, framework=framework_for(setting.jurisdiction).code,
        observed_on=observed_on, text=text.strip(), interests=interests, schemas=schemas, areas=areas,
        shared_with_family=shared_with_family, recorded_by=actor.staff, created_at=now, updated_at=now,
    )
    ObservationChild.objects.bulk_create([
        ObservationChild(organisation_id=observation.organisation_id, observation=observation, child=c, family_id=c.family_id,
                         observed_on=observed_on) for c in found
    ])
    _version(observation, actor, [c.pk for c in found])
    ObservationPhoto.objects.bulk_create([
        ObservationPhoto(organisation_id=observation.organisation_id, observation=observation, image=s.image,
                         thumbnail=s.thumbnail, width=s.width, height=s.height, description=photo_description[:200],
                         uploaded_by=actor.staff, uploaded_at=now) for s in stored
    ])
    if (next_step or "").strip():
        NextStep.objects.bulk_create([
            NextStep(organisation_id=observation.organisation_id, observation=observation, child=c, text=next_step.strip(),
                     planned_by=actor.staff, planned_at=now) for c in found
        ])
    _follow_up(actor, observation, follows_up, {c.pk for c in found})
    return observation


@transaction.atomic
def observation_record(
    *, actor: Actor, children: Sequence[Child], observed_on: dt.date, text: str, interests=(), schemas=(), areas=(),
    shared_with_family: bool = True, photos: Sequence = (), photo_description: str = "", next_step: str = "",
    follows_up: Iterable[int] = (),
) -> Observation:
    """Record an observation of one or more children (a group observation tags several), with its photos and the next
    step planned from it (one per child), and the earlier next steps it follows up."""
    found = _children_for(actor, children)
    setting = found[0].setting if found else None
    today = clock.today(setting.time_zone) if setting else clock.today()
    interests = _interests(interests)
    schemas, areas = list(dict.fromkeys(schemas or [])), list(dict.fromkeys(areas or []))
    errors = _check(setting=setting, children=found, observed_on=observed_on, text=text, interests=interests,
                    schemas=schemas, areas=areas, today=today)
    if len(next_step or "") > JOURNAL_NOTE_MAX:
        errors["next_step"] = f"Keep the next step to {JOURNAL_NOTE_MAX} characters or fewer."
    if errors:
        raise JournalFieldErrors(errors)
    assert setting is not None
    policies.journal_require_record(actor, setting.pk)
    _consent_check(found, len(photos))
    stored = _store_photos(photos, setting.organisation_id)
    try:
        observation = _record(actor, setting, found, observed_on, text, interests, schemas, areas, shared_with_family,
                              stored, photo_description, next_step, follows_up)
    except BaseException:
        for s in stored:  # the files of an observation that was not saved
            photo_delete(s)
        raise
    audit_record(organisation_id=observation.organisation_id, actor=actor.user, event_type="journal.observation_recorded",
                 obj=observation, summary=f"Observation of {', '.join(c.display_name for c in found)} recorded",
                 data={"children": [c.pk for c in found], "photos": len(stored)})
    _refresh(observation, {c.family_id for c in found}, today, actor)
    return observation


def _locked(actor: Actor, observation: Observation) -> Observation:
    locked = observations_visible_to(actor).select_for_update(of=("self",)).select_related("setting").filter(
        pk=observation.pk).first()
    if locked is None:
        raise Http404("No such observation")
    return locked


@transaction.atomic
def observation_update(
    *, actor: Actor, observation: Observation, version: int, observed_on: dt.date, text: str, interests=(), schemas=(),
    areas=(), shared_with_family: bool = True,
) -> Observation:
    """Save an edit as a new version (the earlier ones are kept); the children observed stay as they were."""
    locked = _locked(actor, observation)
    if not policies.journal_can_edit(actor, locked):
        policies.journal_require_record(actor, locked.setting_id)
        raise RuleViolation("Only the practitioner who recorded it, or a leader, can change an observation "
                            "(a hidden one cannot be changed).", rule="not_editable")
    if version != locked.version:
        last = locked.versions.select_related("saved_by__user").first()
        by = last.saved_by.user.full_name if last and last.saved_by else "Someone"
        raise EditConflict(record=locked, changed_by=by, changed_at=locked.updated_at)
    today = clock.today(locked.setting.time_zone)
    interests = _interests(interests)
    schemas, areas = list(dict.fromkeys(schemas or [])), list(dict.fromkeys(areas or []))
    children = list(Child.objects.filter(pk__in=locked.tags.values("child_id")))
    errors = _check(setting=locked.setting, children=children, observed_on=observed_on, text=text, interests=interests,
                    schemas=schemas, areas=areas, today=today)
    if errors:
        raise JournalFieldErrors(errors)
    before = locked.observed_on
    locked.observed_on, locked.text, locked.interests, locked.schemas, locked.areas = (
        observed_on, text.strip(), interests, schemas, areas)
    locked.shared_with_family = shared_with_family
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save()
    ObservationChild.objects.filter(observation=locked).update(observed_on=observed_on)
    _version(locked, actor, [c.pk for c in children])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="journal.observation_edited",
                 obj=locked, summary=f"Observation {locked.pk} edited (version {locked.version})")
    if before != observed_on:
        _refresh(locked, {c.family_id for c in children}, today, actor)
    return locked


@transaction.atomic
def observation_hide(*, actor: Actor, observation: Observation, reason: str) -> Observation:
    """A leader hides an observation, saying why: it leaves the family's view and the evidence, and is never deleted."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise RuleViolation("Say why it is hidden, for example “Recorded on the wrong child”.", rule="reason_required",
                            field="reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"Keep the reason to {REASON_MAX} characters or fewer.", rule="too_long", field="reason")
    locked = _locked(actor, observation)
    if not policies.journal_can_hide(actor, locked.setting_id):
        raise PermissionDenied("Only a leader of the setting can hide an observation.")
    if locked.hidden_at is not None:
        raise RuleViolation("This observation is hidden already.", rule="already_hidden")
    locked.hidden_at, locked.hidden_by, locked.hidden_reason = clock.now(), actor.staff, reason
    locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    ObservationChild.objects.filter(observation=locked).update(hidden=True)
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="journal.observation_hidden",
                 obj=locked, summary=f"Observation {locked.pk} hidden", data={"reason": reason})
    family_ids = set(ObservationChild.objects.filter(observation=locked).values_list("family_id", flat=True))
    _refresh(locked, family_ids, clock.today(locked.setting.time_zone), actor)
    return locked


@transaction.atomic
def observation_photo_add(*, actor: Actor, observation: Observation, photo, description: str = "") -> ObservationPhoto:
    locked = _locked(actor, observation)
    if not policies.journal_can_edit(actor, locked):
        raise RuleViolation("Only the practitioner who recorded it, or a leader, can add photos.", rule="not_editable",
                            field="photo")
    children = list(Child.objects.filter(pk__in=locked.tags.values("child_id")))
    if locked.photos.count() >= MAX_PHOTOS:
        raise RuleViolation(f"An observation holds at most {MAX_PHOTOS} photos.", rule="photos", field="photo")
    try:
        _consent_check(children, 1)
    except RuleViolation as exc:
        raise RuleViolation(exc.message, rule=exc.rule, field="photo") from None
    stored = photo_store(photo, organisation_id=locked.organisation_id, field="photo")
    return ObservationPhoto.objects.create(
        organisation_id=locked.organisation_id, observation=locked, image=stored.image, thumbnail=stored.thumbnail,
        width=stored.width, height=stored.height, description=(description or "")[:200], uploaded_by=actor.staff,
        uploaded_at=clock.now())


# Next steps --------------------------------------------------------------------------------------------------------


@transaction.atomic
def next_step_plan(*, actor: Actor, observation: Observation, child: Child, text: str) -> NextStep:
    text = (text or "").strip()
    if len(text) < 3:
        raise RuleViolation("Say what the next step is, for example “Offer pouring jugs at the water tray”.",
                            rule="text_required", field="text")
    if len(text) > JOURNAL_NOTE_MAX:
        raise RuleViolation(f"Keep it to {JOURNAL_NOTE_MAX} characters or fewer.", rule="too_long", field="text")
    locked = _locked(actor, observation)
    policies.journal_require_record(actor, locked.setting_id)
    if not ObservationChild.objects.filter(observation=locked, child=child).exists():
        raise RuleViolation("Choose a child of this observation.", rule="child", field="child")
    return NextStep.objects.create(organisation_id=locked.organisation_id, observation=locked, child=child, text=text,
                                   planned_by=actor.staff, planned_at=clock.now())


@transaction.atomic
def next_step_done(*, actor: Actor, step: NextStep, as_of: dt.date | None = None) -> NextStep:
    locked = NextStep.objects.select_for_update(of=("self",)).select_related("observation").get(pk=step.pk)
    policies.journal_require_record(actor, locked.observation.setting_id)
    if locked.state != NextStepState.PLANNED:
        raise RuleViolation("This next step is closed already.", rule="closed")
    locked.state, locked.done_on, locked.done_by = NextStepState.DONE, as_of or clock.today(), actor.staff
    locked.save(update_fields=["state", "done_on", "done_by"])
    return locked


# What families add in the portal ---------------------------------------------------------------------------------


def _carer_may(link: Carer, child: Child) -> None:
    if link.family_id != child.family_id or JOURNAL not in sections_for(link) or child.setting.kind not in JOURNAL_KINDS:
        raise Http404("No such child")


@transaction.atomic
def journal_comment_add(*, link: Carer, child: Child, observation: Observation, text: str) -> JournalComment:
    """A carer comments on an observation of their child that is shared with the family."""
    _carer_may(link, child)
    if (observation.hidden_at is not None or not observation.shared_with_family
            or not ObservationChild.objects.filter(observation=observation, child=child).exists()):
        raise Http404("No such observation")
    text = (text or "").strip()
    if not text:
        raise RuleViolation("Write your comment.", rule="text_required", field="text")
    if len(text) > JOURNAL_NOTE_MAX:
        raise RuleViolation(f"Keep it to {JOURNAL_NOTE_MAX} characters or fewer.", rule="too_long", field="text")
    comment = JournalComment.objects.create(organisation_id=observation.organisation_id, observation=observation,
                                            child=child, carer=link, carer_name=link.full_name, text=text,
                                            created_at=clock.now())
    audit_record(organisation_id=comment.organisation_id, actor=link.user, event_type="journal.comment_added", obj=comment,
                 summary=f"{link.full_name} commented on an observation of {child.display_name}")
    return comment


@transaction.atomic
def wow_moment_send(*, link: Carer, child: Child, text: str, happened_on: dt.date | None = None, photo=None) -> WowMoment:
    """A family's "wow moment" from home: it waits for staff to approve it before it enters the journal. A photo the
    family sends is theirs to share, and is cleaned like every journal photo."""
    _carer_may(link, child)
    today = clock.today(child.setting.time_zone)
    happened_on = happened_on or today
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = "Tell us what happened."
    elif len(text) > JOURNAL_NOTE_MAX:
        errors["text"] = f"Keep it to {JOURNAL_NOTE_MAX} characters or fewer."
    if happened_on > today:
        errors["happened_on"] = "The date cannot be in the future."
    elif happened_on < today - dt.timedelta(days=EARLIEST_DAYS):
        errors["happened_on"] = "The date is more than a year ago: check the year."
    if errors:
        raise JournalFieldErrors(errors)
    stored = photo_store(photo, organisation_id=child.organisation_id, field="photo") if photo else None
    wow = WowMoment.objects.create(
        organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
        carer=link, carer_name=link.full_name, happened_on=happened_on, text=text,
        image=stored.image if stored else "", thumbnail=stored.thumbnail if stored else "", created_at=clock.now())
    audit_record(organisation_id=wow.organisation_id, actor=link.user, event_type="journal.wow_sent", obj=wow,
                 summary=f"{link.full_name} sent a wow moment about {child.display_name}")
    return wow


def _review(actor: Actor, wow: WowMoment) -> WowMoment:
    locked = WowMoment.objects.select_for_update(of=("self",)).select_related("child").get(pk=wow.pk)
    policies.journal_require_record(actor, locked.setting_id)
    if locked.state != WowState.AWAITING:
        raise RuleViolation(f"This wow moment is “{locked.get_state_display().lower()}” already.", rule="reviewed")
    return locked


@transaction.atomic
def wow_moment_approve(*, actor: Actor, wow: WowMoment) -> WowMoment:
    locked = _review(actor, wow)
    locked.state, locked.reviewed_by, locked.reviewed_at = WowState.APPROVED, actor.staff, clock.now()
    locked.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="journal.wow_approved", obj=locked,
                 summary=f"Wow moment about {locked.child.display_name} added to the journal")
    return locked


@transaction.atomic
def wow_moment_decline(*, actor: Actor, wow: WowMoment, note: str) -> WowMoment:
    note = (note or "").strip()
    if len(note) < 3:
        raise RuleViolation("Say why, so the family understands, for example “Please send it as a message instead”.",
                            rule="note_required", field="note")
    if len(note) > 500:
        raise RuleViolation("Keep it to 500 characters or fewer.", rule="too_long", field="note")
    locked = _review(actor, wow)
    locked.state, locked.reviewed_by, locked.reviewed_at, locked.review_note = WowState.DECLINED, actor.staff, clock.now(), note
    locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
    return locked
