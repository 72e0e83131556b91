"""How a person hears of escalations: a daily summary (the default) or each one at once, chosen in the inbox."""

import pytest

from keyworker.notifications.models import NotificationPreference
from keyworker.notifications.selectors import escalation_preference, escalations_at_once

pytestmark = pytest.mark.django_db


def test_the_inbox_offers_the_choice_with_the_daily_summary_by_default(world, client_for):
    page = client_for(world.deputy).get("/inbox/").content.decode()
    assert "How you are told" in page and "A daily summary" in page and "Each one as it happens" in page
    daily = next(tag for tag in page.split("<input") if 'value="daily"' in tag)
    assert "checked" in daily.split(">")[0]
    assert escalation_preference(world.deputy.user) == "daily"


def test_choosing_each_one_at_once_is_kept_for_that_person_only(world, client_for):
    client = client_for(world.deputy)
    response = client.post("/inbox/settings/", {"escalations": "at_once"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert "Escalations: each one as it happens." in client.get("/inbox/").content.decode()
    assert escalation_preference(world.deputy.user) == "at_once"
    assert escalations_at_once([world.deputy.user.pk, world.headteacher.user.pk]) == {world.deputy.user.pk}
    client.post("/inbox/settings/", {"escalations": "daily"})
    assert NotificationPreference.objects.get().escalations == "daily"


@pytest.mark.parametrize("data", [{}, {"escalations": "hourly"}])
def test_a_bad_choice_is_a_clear_message_not_an_error(world, client_for, data):
    response = client_for(world.ta_a).post("/inbox/settings/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose how you hear of escalations." in page or "Choose a daily summary or each one as it happens." in page
    assert not NotificationPreference.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.post("/inbox/settings/", {"escalations": "at_once"}).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_the_account_page_shows_the_choice_and_where_to_change_it(world, client_for):
    client = client_for(world.deputy)
    page = client.get("/accounts/").content.decode()
    assert "<dt>Escalations</dt><dd>A daily summary" in page and 'href="/inbox/#settings"' in page
    client.post("/inbox/settings/", {"escalations": "at_once"})
    assert "<dt>Escalations</dt><dd>Each one as it happens" in client.get("/accounts/").content.decode()
