"""Demo records of the wellbeing app for the demo school: a directory of local partner agencies (fictional names,
numbers from the 01632 960xxx drama range, example.org addresses) and a few wellbeing concerns in various states,
one about a family of the demo key worker with a referral's follow-up due this week."""

import datetime as dt
import random

from django.db import transaction

from keyworker.accounts.capabilities import LEADS_SETTING
from keyworker.accounts.models import StaffMember
from keyworker.accounts.selectors import role_holders, staff_holding
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation
from keyworker.people.models import Child

from .models import Agency, ConcernStatus, FollowUpKind, WellbeingConcern, WellbeingFollowUp

KEY_WORKER_EMAIL = "louise.quinn@brookfieldpark.sch.uk"

# (name, what they help with, areas, phone, e-mail, website, area covered, notes)
AGENCIES = [
    ("Brookfield Community Food Bank", "Emergency food parcels with a voucher from the school, and a weekly community larder.",
     ["money"], "01632 960101", "help@brookfieldfoodbank.example.org", "https://brookfieldfoodbank.example.org",
     "Brookfield and Northgate", "Open Tuesday and Friday mornings at St Luke's hall. The office issues vouchers."),
    ("Northgate Citizens Advice", "Free advice on benefits, debt, bills, work and housing problems.", ["money", "housing"],
     "01632 960102", "advice@northgate-ca.example.org", "https://northgate-ca.example.org", "The whole borough",
     "Drop-in on Mondays; appointments by phone."),
    ("Brookfield Young Carers", "Groups, trips and one-to-one support for children who look after someone at home.",
     ["caring", "isolation"], "01632 960103", "youngcarers@brookfield.example.org", "https://youngcarers.example.org",
     "Brookfield", "Referral with the family's consent; a worker visits school."),
    ("Willow Bereavement Support", "Support for children and families after a death, in groups and one to one.",
     ["bereavement", "mental_health"], "01632 960104", "hello@willowsupport.example.org", "https://willowsupport.example.org",
     "The county", "Families can self-refer; a waiting list of about four weeks."),
    ("Mental Health Support Team (schools)", "Low-intensity help for children's anxiety and low mood, and advice for parents.",
     ["mental_health"], "01632 960105", "mhst@nhs.example.org", "https://mhst.example.org", "Schools in the borough",
     "Referral by the school's mental health lead with consent."),
    ("Borough Housing Advice", "Help for families at risk of losing their home, in temporary housing or in poor conditions.",
     ["housing"], "01632 960106", "housingadvice@borough.example.org", "https://housing.borough.example.org", "The whole borough",
     "Urgent cases the same day."),
    ("Early Help Hub", "Family support plans with a lead professional when a family needs help from more than one service.",
     ["family_breakdown", "money", "mental_health", "other"], "01632 960107", "earlyhelp@borough.example.org",
     "https://earlyhelp.borough.example.org", "The whole borough", "Early help assessment with the family's consent."),
    ("Family Support Worker service", "A family support worker visits at home: routines, parenting, getting to school.",
     ["family_breakdown", "isolation", "other"], "01632 960108", "familysupport@brookfield.example.org", "", "Brookfield cluster",
     "Shared between the five Brookfield schools; ask the deputy head."),
    ("SENDIASS", "Impartial information, advice and support about special educational needs and disabilities.",
     ["send"], "01632 960109", "sendiass@borough.example.org", "https://sendiass.example.org", "The whole borough", ""),
    ("Safe Haven Domestic Abuse Service", "Confidential support, safety planning and refuge for people experiencing domestic "
     "abuse. A child at risk of harm is a safeguarding concern first.", ["domestic_abuse"], "01632 960110",
     "support@safehaven.example.org", "https://safehaven.example.org", "The county", "24-hour helpline."),
]


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Write the directory and the concerns, then recompute the organisation's obligations; returns the concerns written."""
    from keyworker.standards import engine

    today = today or clock.today()
    rng = random.Random(seed)
    agencies = {}
    for name, service, areas, phone, email, website, area_covered, notes in AGENCIES:
        agencies[name] = Agency.objects.create(
            organisation=organisation, name=name, service=service, areas=areas, phone=phone, email=email, website=website,
            area_covered=area_covered, notes=notes,
        )
    allocations = list(KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
                       .select_related("family", "staff__user", "setting").order_by("family__name", "family_id"))
    if not allocations:
        return 0
    leader_roles = sorted(role_holders(organisation.pk, capability=LEADS_SETTING), key=lambda r: (r.role.code, r.staff_id))
    leaders = [r.staff for r in leader_roles]
    deputy = next((r.staff for r in leader_roles if r.role.code == "deputy_headteacher"), leaders[0] if leaders else None)
    office = min(staff_holding(role_holders(organisation.pk, codes=["admin_office"])), key=lambda m: m.pk, default=None)
    mine = [a for a in allocations if a.staff.user.email == KEY_WORKER_EMAIL]
    if not mine:
        mine = [a for a in allocations if a.staff_id == allocations[0].staff_id]
    others = [a for a in allocations if a.staff_id != mine[0].staff_id]
    rng.shuffle(others)
    children = {}
    for child in Child.objects.filter(organisation=organisation, left_on__isnull=True).order_by("date_of_birth", "id"):
        children.setdefault(child.family_id, []).append(child)
    friday = today + dt.timedelta(days=max(0, 4 - today.weekday()))
    written = 0

    def concern(a: KeyWorkerAllocation, *, days_ago: int, what: str, areas: list[str], indicators: list[str],
                by: StaffMember | None = None, kids: int = 1) -> WellbeingConcern:
        nonlocal written
        noticed = _weekday(today - dt.timedelta(days=days_ago))
        c = WellbeingConcern.objects.create(
            organisation=organisation, family=a.family, setting=a.setting, raised_by=by or a.staff, noticed_on=noticed,
            created_at=dt.datetime.combine(noticed, dt.time(15, 40), tzinfo=dt.UTC), areas=areas, indicators=indicators,
            what_noticed=what,
        )
        c.children.set(children.get(a.family_id, [])[:kids])
        written += 1
        return c

    def follow(c: WellbeingConcern, *, days_after: int, kind: str, by: StaffMember, note: str = "", agency: str = "",
               **fields) -> WellbeingFollowUp:
        on = min(_weekday(c.noticed_on + dt.timedelta(days=days_after)), today)
        on = max(on, c.noticed_on)
        f = WellbeingFollowUp.objects.create(
            organisation=organisation, concern=c, family_id=c.family_id, kind=kind, happened_on=on, note=note, recorded_by=by,
            by_leader=by in leaders, created_at=dt.datetime.combine(on, dt.time(16, 5), tzinfo=dt.UTC),
            agency=agencies[agency] if agency else None, **fields,
        )
        c.last_follow_up_on = max(c.last_follow_up_on or on, on)
        if f.follow_up_on:
            c.follow_up_due_on = f.follow_up_on
        c.save(update_fields=["last_follow_up_on", "follow_up_due_on"])
        return f

    # The demo key worker's family: money worries, contacted, referred to early help; the follow-up is due this week.
    a = mine[0]
    lead = deputy or a.staff
    c = concern(a, days_ago=9, what="Mum mentioned at pick-up that she has lost her cleaning job and is worried about the "
                "rent. The children have come in without breakfast twice this week and seem tired.",
                areas=["money", "housing"], indicators=["healthy", "nurtured"], kids=2)
    follow(c, days_after=1, kind=FollowUpKind.FAMILY_CONTACT, by=a.staff,
           note="Spoke to mum in the office. Gave a food bank voucher and talked about free school meals; she agreed to "
                "an early help referral.")
    follow(c, days_after=2, kind=FollowUpKind.REFERRAL, by=lead, agency="Early Help Hub", reference="EH-2026-0412",
           consent_given=True, follow_up_on=max(friday, c.noticed_on + dt.timedelta(days=3)))
    follow(c, days_after=2, kind=FollowUpKind.SIGNPOSTING, by=a.staff, agency="Northgate Citizens Advice", how="leaflet",
           told_family=True, note="Gave mum the Citizens Advice card for help with the rent arrears.")

    stories = [
        # (days ago, what was noticed, areas, indicators, follow-ups, closed?)
        (22, "Grandad died last month. Since then {child} has been withdrawn at playtime and cried twice in class; dad says he is "
             "not sleeping well either.", ["bereavement"], ["nurtured", "healthy"],
         [(1, FollowUpKind.FAMILY_CONTACT, "Phoned dad: he would welcome support for the whole family.", "", {}),
          (3, FollowUpKind.SIGNPOSTING, "", "Willow Bereavement Support", {"how": "email", "told_family": True})], None),
        (30, "Mum has told us she is the main carer for her own mother now, and {child} often does the shopping and cooking "
             "after school. Homework has stopped coming in.", ["caring"], ["achieving", "responsible", "included"],
         [(2, FollowUpKind.CONVERSATION, "Talked with the class teacher about homework club and a quiet space at lunch.", "", {}),
          (4, FollowUpKind.REFERRAL, "", "Brookfield Young Carers", {"consent_given": True, "reference": "YC-118",
                                                                     "follow_up_on": 18, "response": "accepted"})],
         "{child} goes to the young carers' group on Wednesdays and homework club twice a week; mum says things are calmer."),
        (2, "Dad said at parents' evening that the family have been told to leave their flat by the end of the month and "
            "do not know where they will go.", ["housing"], ["safe", "healthy"], [], None),
        (8, "Mum has stopped coming to the gate and does not answer messages. {child} says mummy stays in bed a lot and she "
            "gets herself ready for school.", ["mental_health", "isolation"], ["nurtured", "healthy", "included"], [], None),
        (16, "{child}'s worry about coming to school has grown since the half term: stomach aches most mornings and he asks to "
             "phone home. Mum is worried and asked for help.", ["mental_health"], ["healthy", "achieving"],
         [(1, FollowUpKind.FAMILY_CONTACT, "Met mum with the class teacher; agreed a morning check-in and a referral.", "", {}),
          (2, FollowUpKind.REFERRAL, "", "Mental Health Support Team (schools)", {"consent_given": True, "reference": "MHST-77",
                                                                                  "follow_up_on": 12})], None),
    ]
    for (days_ago, what, areas, indicators, steps, closed), alloc in zip(stories, others, strict=False):
        by = office if days_ago == 2 and office is not None else alloc.staff
        kids = children.get(alloc.family_id) or []
        name = (kids[0].preferred_name or kids[0].legal_first_name) if kids else "their child"
        c = concern(alloc, days_ago=days_ago, what=what.format(child=name), areas=areas, indicators=indicators, by=by)
        closed = closed.format(child=name) if closed else None
        for days_after, kind, note, agency, extra in steps:
            extra = dict(extra)
            if "follow_up_on" in extra:
                extra["follow_up_on"] = c.noticed_on + dt.timedelta(days=extra["follow_up_on"])
            if extra.get("response"):
                extra["responded_on"] = min(c.noticed_on + dt.timedelta(days=days_after + 6), today)
            who = lead if kind == FollowUpKind.REFERRAL else alloc.staff
            follow(c, days_after=days_after, kind=kind, by=who, note=note, agency=agency, **extra)
        if closed:
            c.status, c.outcome, c.outcome_summary = ConcernStatus.CLOSED, "support_in_place", closed
            c.closed_at = dt.datetime.combine(min(c.noticed_on + dt.timedelta(days=20), today), dt.time(16, 30), tzinfo=dt.UTC)
            c.closed_by, c.follow_up_due_on = lead, None
            c.save(update_fields=["status", "outcome", "outcome_summary", "closed_at", "closed_by", "follow_up_due_on"])
    engine.recompute(organisation_id=organisation.pk, as_of=today, rebuild=True)
    return written
