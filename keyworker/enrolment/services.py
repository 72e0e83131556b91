"""Writes for enrolment forms: the carer saves and sends the form in the portal; staff accept it into the child's
key aspects (through the people services, so every change keeps its history) or ask for changes. Also the carer's
own preferred contact method, which is theirs to choose and applies at once."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.people import services as people
from keyworker.people.carer_access import FORMS, sections_for
from keyworker.people.models import Carer, Child, ContactMethod
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import ABOUT, CONSENTS, ENROLMENT_KINDS, TEXT_MAX, EnrolmentForm, FormState
from .selectors import forms_visible_to

NOTE_MAX = 500
YES, NO = "yes", "no"


class FieldErrors(RuleViolation):
    """Several answers refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def _carer_may(link: Carer, child: Child) -> None:
    """The carer's link opens forms for this child's family, and the child's setting asks for the form; else 404."""
    if link.family_id != child.family_id or FORMS not in sections_for(link) or child.setting.kind not in ENROLMENT_KINDS:
        raise Http404("No such child")


def _form_for(child: Child) -> EnrolmentForm:
    form = EnrolmentForm.objects.filter(child=child).first()
    if form is not None:
        return form
    now = clock.now()
    try:
        with transaction.atomic():  # two carers starting at once share one form
            return EnrolmentForm.objects.create(organisation_id=child.organisation_id, child=child, family_id=child.family_id,
                                                setting_id=child.setting_id, started_at=now, updated_at=now)
    except IntegrityError:
        return EnrolmentForm.objects.get(child=child)


def _consent(raw) -> bool | None:
    if raw in (True, False, None):
        return raw
    text = str(raw).strip().lower()
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0"):
        return False
    if text == "":
        return None
    raise RuleViolation("Choose yes or no.", rule="yes_no")


@transaction.atomic
def enrolment_save(*, link: Carer, child: Child, answers: dict) -> EnrolmentForm:
    """Keep the carer's answers: they may come back later and finish it."""
    _carer_may(link, child)
    form = _form_for(child)
    form = EnrolmentForm.objects.select_for_update(of=("self",)).get(pk=form.pk)
    if not form.carer_may_edit:
        raise RuleViolation("This form is with the setting now: you can change it if they ask for changes.", rule="not_editable")
    errors: dict[str, str] = {}
    for name, _, _ in ABOUT:
        if name in answers:
            text = (answers.get(name) or "").strip()
            if len(text) > TEXT_MAX:
                errors[name] = f"Keep it to {TEXT_MAX} characters or fewer."
            else:
                setattr(form, name, text)
    for name, _, _ in CONSENTS:
        if name in answers:
            try:
                setattr(form, name, _consent(answers.get(name)))
            except RuleViolation as exc:
                errors[name] = exc.message
    if errors:
        raise FieldErrors(errors)
    form.updated_at, form.updated_by = clock.now(), link
    form.save()
    return form


@transaction.atomic
def enrolment_send(*, link: Carer, child: Child) -> EnrolmentForm:
    """Send the saved form to the setting: every question answered ("None" is an answer), each consent yes or no."""
    _carer_may(link, child)
    form = EnrolmentForm.objects.select_for_update(of=("self",)).filter(child=child).first()
    if form is None:
        raise RuleViolation("Fill in the form first.", rule="empty")
    if not form.carer_may_edit:
        raise RuleViolation("This form is with the setting already.", rule="already_sent")
    missing = {name: f"Answer “{label}” before sending (write “None” if there is nothing to say)." for name, label, _ in ABOUT
               if not (getattr(form, name) or "").strip()}
    missing.update({name: f"Choose yes or no for “{label}”." for name, label, _ in CONSENTS if getattr(form, name) is None})
    if missing:
        raise FieldErrors(missing)
    now = clock.now()
    form.state, form.sent_at, form.sent_by, form.sent_by_name = FormState.SENT, now, link, link.full_name
    form.updated_at, form.updated_by, form.changes_note = now, link, ""
    form.save()
    audit_record(organisation_id=form.organisation_id, actor=link.user, event_type="enrolment.sent", obj=form,
                 summary=f"Enrolment form of {child} sent by {link.full_name}")
    # The child's key person reviews it (CC-K1: they facilitate the enrolment paperwork).
    allocations = KeyWorkerAllocation.objects.filter(family_id=child.family_id, setting_id=child.setting_id,
                                                     ends_at__isnull=True).select_related("staff__user")
    for a in allocations:
        notification_send(
            recipient=a.staff.user, organisation_id=form.organisation_id, kind="enrolment_sent",
            subject=f"Enrolment form to review: {child.display_name}",
            body=f"{link.full_name} sent {child.display_name}'s enrolment form. Review it: accept it into the key aspects "
                 "or ask the family for changes.",
            link=reverse("enrolment:detail", args=[form.pk]), dedupe_key=f"enrolment-sent:{form.pk}:{int(now.timestamp())}",
            now=now,
        )
    return form


def _staff(actor: Actor, form: EnrolmentForm) -> EnrolmentForm:
    if not actor.is_member or not forms_visible_to(actor).filter(pk=form.pk).exists():
        raise Http404("No such enrolment form")
    policies.require_review(actor, form.setting_id)
    locked = EnrolmentForm.objects.select_for_update(of=("self",)).select_related("child__setting").get(pk=form.pk)
    if locked.state != FormState.SENT:
        raise RuleViolation(f"This form is “{locked.get_state_display().lower()}”: only a form sent by the family can be "
                            "reviewed.", rule="not_sent")
    return locked


@transaction.atomic
def enrolment_accept(*, actor: Actor, form: EnrolmentForm, as_of: dt.date | None = None) -> EnrolmentForm:
    """Accept the form: its answers become the child's key aspects (each change in their history), and the child's
    enrolment paperwork is complete on this day (CC-P1)."""
    locked = _staff(actor, form)
    child = locked.child
    people.key_aspects_update(actor=actor, child=child, changes={name: getattr(locked, name) for name, _, _ in ABOUT})
    now = clock.now()
    locked.state, locked.reviewed_at, locked.reviewed_by = FormState.ACCEPTED, now, actor.staff
    locked.accepted_on = as_of or clock.today(child.setting.time_zone)
    locked.changes_note = ""
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="enrolment.accepted", obj=locked,
                 summary=f"Enrolment form of {child} accepted into the key aspects",
                 data={name: getattr(locked, name) for name, _, _ in CONSENTS})
    obligations_refresh(organisation_id=locked.organisation_id, family_ids={locked.family_id}, as_of=locked.accepted_on, actor=actor)
    return locked


@transaction.atomic
def enrolment_ask_changes(*, actor: Actor, form: EnrolmentForm, note: str) -> EnrolmentForm:
    """Send the form back to the family, saying what to change."""
    note = (note or "").strip()
    if len(note) < 3:
        raise RuleViolation("Say what the family should change, for example “Please add the allergy medicine and dose”.",
                            rule="note_required", field="note")
    if len(note) > NOTE_MAX:
        raise RuleViolation(f"Keep it to {NOTE_MAX} characters or fewer.", rule="too_long", field="note")
    locked = _staff(actor, form)
    locked.state, locked.reviewed_at, locked.reviewed_by, locked.changes_note = FormState.CHANGES_ASKED, clock.now(), actor.staff, note
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="enrolment.changes_asked", obj=locked,
                 summary=f"Changes asked for the enrolment form of {locked.child}", data={"note": note})
    return locked


@transaction.atomic
def contact_preference_set(*, link: Carer, method: str) -> Carer:
    """The carer chooses how they like to be contacted: their own preference, so it applies to their record at once
    (no office check), audited, and the key worker sees it on the family page."""
    if FORMS not in sections_for(link):
        raise Http404("No such family")
    if method not in ContactMethod.values:
        raise RuleViolation(f"Choose one of: {', '.join(ContactMethod.labels)}.", rule="method", field="method")
    carer = Carer.objects.select_for_update().get(pk=link.pk)
    before = carer.preferred_contact_method
    if before == method:
        return carer
    carer.preferred_contact_method = method
    carer.version += 1  # an edit of the record started before this is refused, not silently applied
    carer.save(update_fields=["preferred_contact_method", "version"])
    audit_record(organisation_id=carer.organisation_id, actor=link.user, event_type="carer.contact_preference", obj=carer,
                 summary=f"{carer.full_name} chose “{carer.get_preferred_contact_method_display()}” in the carers' portal",
                 data={"preferred_contact_method": {"before": before, "after": method}})
    return carer
