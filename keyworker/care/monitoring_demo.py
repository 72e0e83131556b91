"""Demo records of the manager's monitoring for the childcare group: in each setting whose records are monitored,
last month's quality sample signed off (its findings reached the key people, and the busiest key person
acknowledged theirs), and this month's sample in progress. With no record kinds registered there is nothing to
sample, and nothing is written."""

import datetime as dt
from collections import Counter

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting

from . import monitoring_services as services
from .models_monitoring import MonitoringFinding
from .monitoring_selectors import first_of_month, key_people_by_family, setting_records
from .policies import MONITORED_KINDS

GOOD = {"up_to_date": "good", "child_voice": "good", "next_steps": "good", "high_standard": "good"}
NEEDS_WORK = {**GOOD, "child_voice": "needs_work", "next_steps": "needs_work"}
COMMENT = ("Lovely photographs and clear notes. Add the child's own words to each observation, and plan the next "
           "step with the family at pick-up.")


def _manager(setting: Setting) -> StaffMember | None:
    return (StaffMember.objects.filter(staff_roles__setting=setting, staff_roles__role__code="manager", is_active=True)
            .select_related("user").order_by("id").first())


def _picks(setting: Setting, day: dt.date, n: int, skip: set[str] = frozenset()) -> tuple[list[str], StaffMember | None]:
    """Records of the busiest key person's children, and one of another key person's (whose findings then wait for
    acknowledgement): `n` in all."""
    records = setting_records(setting, day)
    key_people = key_people_by_family(setting)
    busiest = Counter(s.pk for s in key_people.values()).most_common(1)
    busiest_id = busiest[0][0] if busiest else None

    def theirs(key: str) -> bool:
        staff = key_people.get(records[key][2].family_id)
        return staff is not None and staff.pk == busiest_id

    keys = sorted(k for k in records if k not in skip)
    mine = [k for k in keys if theirs(k)]
    others = sorted((k for k in keys if not theirs(k)), key=lambda k: records[k][2].family_id not in key_people)
    chosen = mine[: n - 1] + others[:1]
    chosen += [k for k in keys if k not in chosen][: n - len(chosen)]
    staff = next((s for s in key_people.values() if s.pk == busiest_id), None)
    return chosen, staff


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """Returns the number of samples written."""
    written = 0
    for setting in Setting.objects.filter(organisation=organisation, kind__in=MONITORED_KINDS).order_by("name", "id"):
        manager = _manager(setting)
        if manager is None:
            continue
        day = today or clock.today(setting.time_zone)
        last_month = first_of_month(day) - dt.timedelta(days=10)
        picks, busiest = _picks(setting, last_month, 4)
        if not picks:
            continue  # no record kinds registered for this kind of setting
        actor = actor_for(manager.user)
        sample = services.sample_start(actor=actor, setting=setting, records=picks, as_of=last_month)
        for n, item in enumerate(sample.items.order_by("id")):
            services.item_score(actor=actor, sample=sample, item_id=item.pk, scores=NEEDS_WORK if n == 0 else GOOD,
                                comment=COMMENT if n == 0 else "")
        services.sample_sign_off(actor=actor, sample=sample, as_of=last_month)
        if busiest is not None:
            for finding in MonitoringFinding.objects.filter(item__sample=sample, staff=busiest):
                services.finding_acknowledge(actor=actor_for(busiest.user), finding=finding)
        # This month's sample, in progress: one record scored so far.
        picks, _ = _picks(setting, day, 3, skip=set(picks))
        if picks:
            current = services.sample_start(actor=actor, setting=setting, records=picks, as_of=day)
            first = current.items.order_by("id").first()
            services.item_score(actor=actor, sample=current, item_id=first.pk, scores=GOOD)
        written += 1 + bool(picks)
    return written
