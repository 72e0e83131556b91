"""Every page answers for the persona it is for (a quick guard; detailed tests sit with each app)."""

import pytest


@pytest.mark.django_db
def test_landing_pages(world, client_for):
    assert client_for(world.ta_a).get("/").url == "/my-week/"
    assert client_for(world.headteacher).get("/").url == "/compliance/"
