"""The demo: a class's learning targets, most shared with the families (the demo carer's in the portal, with their
note from home), homework with returns and feedback; SCH-8 computed from these records."""

import pytest

from keyworker.demo import builder
from keyworker.standards.models import Obligation
from keyworker.targets.models import HomeNote, Homework, HomeworkReturn, ShareMethod, TargetSharing

pytestmark = pytest.mark.django_db


def test_the_demo_has_targets_and_homework(clock):
    builder.build()
    school = {"organisation__slug": builder.SCHOOL_SLUG}
    sharings = TargetSharing.objects.filter(**school)
    assert sharings.filter(method=ShareMethod.PORTAL, child__family__carers__email="parent@example.org").exists()
    assert sharings.count() >= 5
    assert HomeNote.objects.filter(**school).count() == 1
    assert Homework.objects.filter(**school).count() == 2
    assert HomeworkReturn.objects.filter(**school, returned=False).exists()
    assert HomeworkReturn.objects.filter(**school).exclude(feedback="").count() == 1
    sch8 = Obligation.objects.filter(**school, standard__clause="SCH-8")
    assert sch8.filter(state="met").exists() and sch8.exclude(state="met").exists()
