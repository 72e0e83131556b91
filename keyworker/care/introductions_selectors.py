"""Reads of the manager's introductions to new children and families (CC-M1), scoped to the acting staff member."""

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.people.models import Child
from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState

from . import policies
from .checklists_selectors import NEW_FOR_DAYS, childcare_children, on_roll
from .models_checklists import INTRODUCER_ROLES, IntroducedBy, Introduction, IntroductionSetup

EVIDENCE = "manager_introduction"


def introducer_roles(setting_ids) -> dict[int, tuple[str, ...]]:
    """The role codes that introduce themselves in each setting (the manager where the setting says nothing)."""
    chosen = dict(IntroductionSetup.objects.filter(setting_id__in=list(setting_ids)).values_list("setting_id",
                                                                                                "introduced_by"))
    return {sid: INTRODUCER_ROLES[IntroducedBy(chosen.get(sid, IntroducedBy.MANAGER))] for sid in setting_ids}


def can_record(actor: Actor, setting_id: int) -> bool:
    return policies.introductions_can_record(actor, setting_id, introducer_roles([setting_id])[setting_id])


@dataclass
class NewFamily:
    child: Child
    introduction: Introduction | None
    due_on: dt.date | None  # the open obligation's due date
    met_on: dt.date | None  # the family's obligation met (by this record or a manager introduction meeting)
    may_record: bool

    @property
    def waiting(self) -> bool:
        return self.introduction is None and self.met_on is None


def new_families(actor: Actor, as_of: dt.date, *, waiting_only: bool = False, introducer_only: bool = False,
                 days: int = NEW_FOR_DAYS) -> list[NewFamily]:
    """The children who started in the actor's childcare settings in the last `days` days, each with the manager's
    introduction or the date it is due: four queries whatever the number of children. `introducer_only`: only the
    settings where the actor is the one who introduces themselves (the manager's My week)."""
    children = list(on_roll(childcare_children(actor), as_of).filter(enrolled_on__gt=as_of - dt.timedelta(days=days))
                    .select_related("setting", "family").order_by("enrolled_on", "legal_last_name", "id"))
    settings = {c.setting_id for c in children}
    roles = introducer_roles(settings) if settings else {}
    mine = {sid for sid in settings if policies.introductions_can_record(actor, sid, roles[sid])}
    if introducer_only:
        children = [c for c in children if c.setting_id in mine]
    if not children:
        return []
    intros = {i.child_id: i for i in Introduction.objects.filter(child_id__in=[c.pk for c in children])
              .select_related("introduced_by__user")}
    due: dict[tuple[int, int], dt.date] = {}
    met: dict[tuple[int, int], dt.date] = {}
    for family_id, setting_id, state, due_on, met_on in (
        Obligation.objects.filter(family_id__in={c.family_id for c in children}, standard__evidence=EVIDENCE,
                                  child__isnull=True)
        .values_list("family_id", "setting_id", "state", "due_on", "met_on")
    ):
        if state in OPEN_STATES:
            due[(family_id, setting_id)] = min(due_on, due.get((family_id, setting_id), due_on))
        elif state in (ObligationState.MET, ObligationState.WAIVED) and met_on:
            met[(family_id, setting_id)] = met_on
    rows = [NewFamily(c, intros.get(c.pk), due.get((c.family_id, c.setting_id)), met.get((c.family_id, c.setting_id)),
                      c.setting_id in mine) for c in children]
    return [r for r in rows if r.waiting] if waiting_only else rows


def access_introduction(actor: Actor, introduction_id: int) -> Introduction:
    found = (Introduction.objects.filter(pk=introduction_id, child__in=childcare_children(actor))
             .select_related("child__setting", "family", "introduced_by__user").first())
    if found is None:
        raise Http404("No such introduction")
    return found


def introductions_visible_to(actor: Actor):
    return Introduction.objects.filter(organisation_id=actor.organisation_id, child__in=childcare_children(actor))
