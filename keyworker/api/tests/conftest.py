"""API test fixtures: a client signed in as a persona."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from keyworker.accounts.models import StaffMember


@pytest.fixture
def api() -> Callable[[StaffMember | None], APIClient]:
    """`api(world.ta_a)` is a client authenticated as that staff member; `api(None)` is anonymous."""

    def client_for(staff: StaffMember | None) -> APIClient:
        client = APIClient()
        if staff is not None:
            client.force_authenticate(user=staff.user)
        return client

    return client_for
