"""Distinct clause references: the data migration gives each standard of a policy version a reference of its own."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from keyworker.standards.models import Cadence, Policy, PolicyVersion, Standard

pytestmark = pytest.mark.django_db
migration = importlib.import_module("keyworker.standards.migrations.0011_distinct_clause_references")


def version(org, number=1):
    policy = Policy.objects.create(organisation=org, title=f"Policy {number}", template_code="school_key_worker")
    return PolicyVersion.objects.create(organisation=org, policy=policy, number=number, effective_from=dt.date(2026, 9, 1),
                                        review_on=dt.date(2027, 9, 1))


def standard(v, clause, event="", title="A standard"):
    return Standard.objects.create(organisation_id=v.organisation_id, policy_version=v, clause=clause, title=title,
                                   cadence=Cadence.AFTER_EVENT if event else Cadence.WEEKLY_TERM_TIME, event=event,
                                   evidence="contact_log")


def test_the_two_parts_of_sch5_and_other_shared_references_become_distinct(world):
    v1, v2 = version(world.org, 1), version(world.org, 2)
    concerns = standard(v1, "SCH-5", "attendance_concern_raised", "Attendance concerns followed up")
    absences = standard(v1, "SCH-5", "unexplained_absence", "Attendance monitored, absences challenged")
    x1, x2 = standard(v1, "SCH-11"), standard(v1, "SCH-11")
    alone = standard(v2, "SCH-5", "unexplained_absence")  # one standard under SCH-5 in its version: kept
    other_org = standard(version(world.other_org), "SCH-4")

    migration.distinct_references(apps, None)

    def clause(s):
        return Standard.objects.get(pk=s.pk).clause

    assert (clause(absences), clause(concerns)) == ("SCH-5a", "SCH-5b")
    assert (clause(x1), clause(x2)) == ("SCH-11a", "SCH-11b")
    assert clause(alone) == "SCH-5" and clause(other_org) == "SCH-4"
    for v in (v1, v2):
        clauses = list(Standard.objects.filter(policy_version=v).values_list("clause", flat=True))
        assert len(clauses) == len(set(clauses))
