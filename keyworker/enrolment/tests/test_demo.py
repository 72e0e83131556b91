"""The demo: a school family's carer correction (a phone number) waiting in the office queue, from the portal; a
childcare child's enrolment form in progress and one sent for review."""

import pytest

from keyworker.datachecks.models import Correction, CorrectionState
from keyworker.demo import builder

from ..models import EnrolmentForm, FormState

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_carers_forms(clock):
    builder.build()
    waiting = Correction.objects.filter(organisation__slug=builder.SCHOOL_SLUG, state=CorrectionState.PROPOSED,
                                        proposed_by_carer__isnull=False)
    assert [(c.field, c.proposed_value) for c in waiting] == [("phone", "07700 900735")]
    assert waiting[0].proposed_by_carer.user.is_carer
    forms = EnrolmentForm.objects.filter(organisation__slug=builder.GROUP_SLUG)
    assert sorted(forms.values_list("state", flat=True)) == [FormState.IN_PROGRESS, FormState.SENT]
