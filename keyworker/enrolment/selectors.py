"""Reads of enrolment forms: scoped to the acting staff member's families, or to the signed-in carer's access."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.people.carer_access import FORMS, CarerAccess
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to, families_visible_to

from .models import ENROLMENT_KINDS, EnrolmentForm, FormState


@dataclass
class ChildEnrolment:
    child: Child
    form: EnrolmentForm | None

    @property
    def state(self) -> str:
        return self.form.state if self.form else ""

    @property
    def state_label(self) -> str:
        return self.form.get_state_display() if self.form else "Not started"

    @property
    def incomplete(self) -> bool:
        return self.form is None or not self.form.is_accepted

    @property
    def to_review(self) -> bool:
        return self.form is not None and self.form.state == FormState.SENT

    @property
    def carer_to_do(self) -> bool:
        return self.form is None or self.form.carer_may_edit


def _on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def _with_forms(children: list[Child]) -> list[ChildEnrolment]:
    forms = {f.child_id: f for f in EnrolmentForm.objects.filter(child__in=[c.pk for c in children])}
    return [ChildEnrolment(c, forms.get(c.pk)) for c in children]


def forms_visible_to(actor: Actor) -> QuerySet[EnrolmentForm]:
    if not actor.is_member:
        return EnrolmentForm.objects.none()
    return EnrolmentForm.objects.filter(organisation_id=actor.organisation_id, family_id__in=families_visible_to(actor).values("id"))


def access_form(actor: Actor, form_id: int) -> EnrolmentForm:
    form = (forms_visible_to(actor).select_related("child__setting", "child__group", "family", "reviewed_by__user", "sent_by")
            .filter(pk=form_id).first())
    if form is None:
        raise Http404("No such enrolment form")
    return form


def access_child(actor: Actor, child_id: int) -> Child:
    child = (children_visible_to(actor).filter(pk=child_id, setting__kind__in=ENROLMENT_KINDS)
             .select_related("setting", "family").first())
    if child is None:
        raise Http404("No such child")
    return child


def enrolments(actor: Actor, as_of: dt.date, state: str = "") -> list[ChildEnrolment]:
    """The children on roll in the actor's childcare settings with their form; "incomplete": every one not accepted,
    "sent": those waiting for staff. Two queries whatever the number of children."""
    children = _on_roll(children_visible_to(actor).filter(setting__kind__in=ENROLMENT_KINDS), as_of)
    if state == FormState.SENT:
        children = children.filter(enrolment_form__state=FormState.SENT)
    elif state == "incomplete":
        children = children.exclude(enrolment_form__state=FormState.ACCEPTED)
    rows = list(children.select_related("setting", "family", "group").order_by("setting__name", "legal_last_name",
                                                                               "legal_first_name", "id"))
    return _with_forms(rows)


def family_enrolments(children: list[Child], as_of: dt.date) -> list[ChildEnrolment]:
    """A family's children (as the family page has them, with their settings) in childcare settings on roll, with
    their forms: one query, none for a school-only family."""
    mine = [c for c in children if c.setting.kind in ENROLMENT_KINDS and c.enrolled_on <= as_of
            and (c.left_on is None or c.left_on >= as_of)]
    return _with_forms(mine) if mine else []


def carer_enrolments(access: CarerAccess, as_of: dt.date, family_id: int | None = None) -> list[ChildEnrolment]:
    """The children of the families whose forms the carer may fill in (parental responsibility), with their forms."""
    family_ids = access.family_ids_with(FORMS)
    if family_id is not None:
        family_ids = family_ids & {family_id}
    if not family_ids:
        return []
    children = _on_roll(Child.objects.filter(family_id__in=family_ids, setting__kind__in=ENROLMENT_KINDS), as_of)
    return _with_forms(list(children.select_related("setting", "family").order_by("date_of_birth", "id")))


def carer_child(access: CarerAccess, child_id: int, as_of: dt.date) -> Child:
    """A child whose enrolment form the carer may fill in; otherwise 404."""
    child = _on_roll(Child.objects.filter(pk=child_id, setting__kind__in=ENROLMENT_KINDS), as_of).select_related(
        "setting", "family").first()
    if child is None or not access.may(FORMS, child.family_id):
        raise Http404("No such child")
    return child
