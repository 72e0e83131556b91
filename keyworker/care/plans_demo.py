"""Demo records of personal care plans for the childcare group: plans with versions for every child on roll
(written in the first weeks, changed at a review this term); one plan never reviewed since it was written,
so its review is overdue; an out of school club child who chose a staff member other than their key contact for
their care plan update; and a carer's comment asking for a review, which the first early years setting meets within
10 days (the number it chose on its set-up page; 14 elsewhere)."""

import datetime as dt
from collections import Counter

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.caseload.selectors import current_allocations
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Carer, Child, ContactRestriction

from .models_plans import PLAN_KINDS, CarePlan, CarePlanComment, CarePlanReview, CarePlanVersion, ChildChose
from .plans_selectors import on_roll, setting_staff
from .plans_services import (
    care_plan_comment_add,
    care_plan_review_record,
    care_plan_save,
    care_plan_setup_save,
)


def _plan(name: str, interests: str) -> dict[str, str]:
    return {
        "health": "No medical needs known. Mild eczema: the family's cream on dry patches after lunch.",
        "routines": "Arrives at 8 with Mum; likes to hang up their own coat. Snack at 10, water bottle on the shelf.",
        "what_matters": "Their big sister and the class hamster. A favourite blue blanket for quiet time.",
        "how_to_support": f"Give {name} a two-minute warning before changes; sit beside them rather than across.",
        "interests": interests,
        "child_words": "“I like the den and the bikes. I don't like it when it's loud.”",
        "family_words": "We would like to hear about the good bits of the day at pick-up.",
    }


INTERESTS = ["Dinosaurs and digging in the sand tray", "Drawing maps and treasure hunts", "Football and the climbing frame",
             "Lego, especially building tall towers", "Music, drums and dancing", "Cooking and the mud kitchen"]


def _school_day(cal: TermCalendar, day: dt.date, latest: dt.date) -> dt.date:
    """The first school day from `day` (not after `latest`)."""
    d = day
    while d < latest and not cal.is_school_day(d):
        d += dt.timedelta(days=1)
    return min(d, latest)


def _at(day: dt.date, setting: Setting, hour: int = 10) -> dt.datetime:
    return clock.start_of_day(day, setting.time_zone) + dt.timedelta(hours=hour)


def _carer(child: Child) -> Carer | None:
    return (Carer.objects.filter(family_id=child.family_id, parental_responsibility=True,
                                 contact_restriction=ContactRestriction.NONE).select_related("organisation")
            .order_by("contact_order", "id").first())


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """Returns the number of plans written."""
    allocations = list(current_allocations().filter(organisation=organisation).select_related("staff__user"))
    key_of = {(a.family_id, a.setting_id): a.staff for a in allocations}
    # The demo's key person: the one holding most of the first early years setting's families.
    nursery = Setting.objects.filter(organisation=organisation, kind="early_years").order_by("id").first()
    busiest = Counter(a.staff_id for a in allocations if nursery is None or a.setting_id == nursery.pk).most_common(1)
    demo_key_person = busiest[0][0] if busiest else None
    written = 0
    overdue_done = chose_done = request_done = False
    for setting in Setting.objects.filter(organisation=organisation, kind__in=PLAN_KINDS).order_by("id"):
        day = today or clock.today(setting.time_zone)
        cal = TermCalendar.for_setting(setting)
        manager = setting_staff(setting).filter(staff_roles__role__code="manager").first()
        staff = list(setting_staff(setting))
        if manager is None or not staff:
            continue
        if nursery is not None and setting.pk == nursery.pk:
            care_plan_setup_save(actor=actor_for(manager.user, organisation.pk), setting=setting, request_days=10)
        children = list(on_roll(Child.objects.filter(setting=setting), day).select_related("setting", "family")
                        .order_by("id"))
        # The demo key person's children first, so their My week shows the plans.
        children.sort(key=lambda c: (key_of.get((c.family_id, c.setting_id)) is None
                                     or key_of[(c.family_id, c.setting_id)].pk != demo_key_person, c.pk))
        for i, child in enumerate(children):
            key = key_of.get((child.family_id, child.setting_id))
            writer = key or manager
            actor = actor_for(writer.user, organisation.pk)
            if not actor.can("key_aspects.edit", setting.pk):
                actor = actor_for(manager.user, organisation.pk)
            name = child.preferred_name or child.legal_first_name
            first_day = _school_day(cal, child.enrolled_on + dt.timedelta(days=8), day)
            first = care_plan_save(actor=actor, child=child, sections=_plan(name, INTERESTS[i % len(INTERESTS)]),
                                   summary="First plan, written with the family", as_of=first_day)
            CarePlanVersion.objects.filter(pk=first.pk).update(saved_at=_at(first_day, setting, 15))
            CarePlan.objects.filter(pk=first.plan_id).update(created_at=_at(first_day, setting, 15))
            written += 1
            if not overdue_done and key is not None and key.pk == demo_key_person:
                overdue_done = True  # never reviewed since it was written: overdue (28 days from starting)
                continue
            review_day = _school_day(cal, max(first_day + dt.timedelta(days=7), day - dt.timedelta(days=10 + (5 * i) % 60)), day)
            chose_other = (not chose_done and setting.kind == "out_of_school_care" and key is not None)
            other = next((s for s in staff if key is None or s.pk != key.pk), None) if chose_other else None
            sections = _plan(name, INTERESTS[i % len(INTERESTS)])
            sections["interests"] += "; lately, the new bikes and helping at snack"
            review = care_plan_review_record(
                actor=actor, child=child, reviewed_on=review_day,
                child_chose=ChildChose.STAFF if other else ChildChose.KEY_WORKER, chosen_staff=other,
                done_by=other or writer, notes=f"Talked with {name} during free play about what they enjoy.",
                sections=sections, summary="New interests added at the review", as_of=day)
            if other is not None:
                chose_done = True
                CarePlanReview.objects.filter(pk=review.pk).update(
                    notes=f"{name} asked for {other.user.full_name} today rather than their key contact; "
                          "we did the update together at snack time.")
            CarePlanReview.objects.filter(pk=review.pk).update(recorded_at=_at(review_day, setting, 16))
            if review.version_id:
                CarePlanVersion.objects.filter(pk=review.version_id).update(saved_at=_at(review_day, setting, 16))
            if not request_done and key is not None and key.pk == demo_key_person:
                carer = _carer(child)
                if carer is not None:
                    request_done = True
                    comment = care_plan_comment_add(
                        link=carer, child=child, asks_review=True,
                        body=f"{name} has started waking in the night since the new baby arrived. Could we go over "
                             "the sleep routine and how you settle them?")
                    asked = _school_day(cal, day - dt.timedelta(days=3), day)
                    CarePlanComment.objects.filter(pk=comment.pk).update(created_at=_at(asked, setting, 18), made_on=asked)
                    CarePlan.objects.filter(pk=comment.plan_id).update(review_requested_on=asked)
    return written
