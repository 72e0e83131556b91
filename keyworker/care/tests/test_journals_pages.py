"""Learning journal pages: staff (key person, manager, outsider), the carers' portal (own child, another family's
child), photos served only to those who may see them, bad input, and a fixed number of queries per page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.care import journals_services as services
from keyworker.testing import make_child, make_family, portal_client

from .journals_helpers import consent, jpeg, nursery_with_two

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 16)


@pytest.fixture
def n(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    n = nursery_with_two(world)
    consent(n.child)
    n.obs = services.observation_record(actor=world.actor(n.key_person), children=[n.child, n.child2], observed_on=DAY,
                                        text="Built a tall tower together.", areas=["eyfs.pd"], next_step="Ramps")
    n.photo_obs = services.observation_record(actor=world.actor(n.key_person), children=[n.child], observed_on=DAY,
                                              text="Painted a rainbow.", photos=[jpeg()], areas=["eyfs.ead"])
    return n


def test_key_person_sees_the_list_journal_chart_and_observation(n, client_for):
    client = client_for(n.key_person)
    assert "Eli Evans" in client.get("/care/journals/").content.decode()
    page = client.get(f"/care/journals/children/{n.child.pk}/").content.decode()
    assert "Built a tall tower" in page and "Painted a rainbow" in page
    chart = client.get(f"/care/journals/children/{n.child.pk}/chart/").content.decode()
    assert "<svg" in chart and "<table" in chart and "Expressive arts and design" in chart
    assert client.get(f"/care/journals/observations/{n.obs.pk}/").status_code == 200
    photo = n.photo_obs.photos.get()
    response = client.get(f"/care/journals/photos/{photo.pk}/thumb/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_an_outsider_gets_404_everywhere(n, client_for, world):
    client = client_for(world.outsider)
    photo = n.photo_obs.photos.get()
    for url in (f"/care/journals/children/{n.child.pk}/", f"/care/journals/children/{n.child.pk}/new/",
                f"/care/journals/children/{n.child.pk}/chart/", f"/care/journals/observations/{n.obs.pk}/",
                f"/care/journals/photos/{photo.pk}/full/"):
        assert client.get(url).status_code == 404, url


def test_new_observation_form_saves_and_shows_errors_per_field(n, client_for):
    client = client_for(n.key_person)
    url = f"/care/journals/children/{n.child.pk}/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"children": [str(n.child.pk)], "observed_on": "2026-12-30", "text": ""})
    assert bad.status_code == 400
    form = bad.context["form"]
    assert "text" in form.errors
    bad = client.post(url, {"children": [str(n.child2.pk)], "observed_on": "2026-11-17", "text": "Sang a song",
                            "photos": [jpeg()]})
    assert bad.status_code == 400 and "No photo consent" in str(bad.context["form"].errors["photos"])
    ok = client.post(url, {"children": [str(n.child.pk)], "observed_on": "2026-11-17", "text": "Sang a song",
                           "interests": "music", "schemas": ["rotation"], "areas": ["eyfs.cl"], "shared_with_family": "on",
                           "photos": [jpeg()]})
    assert ok.status_code == 302


def test_a_leader_hides_and_the_family_no_longer_sees_it(n, client_for):
    client = client_for(n.manager)
    response = client.post(f"/care/journals/observations/{n.obs.pk}/hide/", {"reason": ""})
    assert response.status_code == 400
    assert client.post(f"/care/journals/observations/{n.obs.pk}/hide/", {"reason": "Wrong room"}).status_code == 302
    page = portal_client(n.carer).get(f"/family/journal/{n.child.pk}/").content.decode()
    assert "Built a tall tower" not in page and "Painted a rainbow" in page


def test_key_person_may_not_hide(n, client_for):
    assert client_for(n.key_person).post(f"/care/journals/observations/{n.obs.pk}/hide/", {"reason": "Wrong room"}).status_code == 403


def test_portal_journal_comment_wow_and_photos(n):
    client = portal_client(n.carer)
    page = client.get(f"/family/journal/{n.child.pk}/")
    assert page.status_code == 200 and "Painted a rainbow" in page.content.decode()
    assert client.get("/family/journal/").status_code == 302
    photo = n.photo_obs.photos.get()
    assert client.get(f"/family/journal/photos/{photo.pk}/thumb/").status_code == 200
    bad = client.post(f"/family/journal/{n.child.pk}/observations/{n.obs.pk}/comment/", {"text": ""})
    assert bad.status_code == 400
    ok = client.post(f"/family/journal/{n.child.pk}/observations/{n.obs.pk}/comment/", {"text": "Lovely!"})
    assert ok.status_code == 302
    not_image = client.post(f"/family/journal/{n.child.pk}/wow/", {"text": "Counted to 20", "photo": jpeg()})
    assert not_image.status_code == 302
    # The carer sees the photo of the wow moment they sent, waiting for the setting's approval.
    from keyworker.care.models_journals import WowMoment

    wow = WowMoment.objects.filter(child=n.child).latest("pk")
    shown = client.get(f"/family/journal/wow-moments/{wow.pk}/thumb/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"


def test_another_familys_child_is_404_in_the_portal(n, world):
    client = portal_client(n.carer)
    photo = n.photo_obs.photos.get()
    for url in (f"/family/journal/{n.child2.pk}/", f"/family/journal/{n.child2.pk}/wow/",
                f"/family/journal/{n.child2.pk}/observations/{n.obs.pk}/comment/"):
        assert client.get(url).status_code == 404, url
    other = make_family(world.org, "The Green family")
    make_child(other, n.setting, n.room, legal_first_name="Gus", enrolled_on=n.child.enrolled_on)
    stranger = portal_client(other.carers.first())
    assert stranger.get(f"/family/journal/{n.child.pk}/").status_code == 404
    assert stranger.get(f"/family/journal/photos/{photo.pk}/full/").status_code == 404
    assert stranger.post(f"/family/journal/{n.child.pk}/observations/{n.obs.pk}/comment/", {"text": "Hi"}).status_code == 404


def _grow(n, world, count: int) -> None:
    actor = world.actor(n.key_person)
    for i in range(count):
        obs = services.observation_record(actor=actor, children=[n.child, n.child2], observed_on=DAY - dt.timedelta(days=i % 20),
                                          text=f"Observation {i}", areas=["eyfs.cl", "eyfs.maths"], photos=[jpeg(16, 16)],
                                          next_step=f"Step {i}")
        services.journal_comment_add(link=n.carer, child=n.child, observation=obs, text=f"Comment {i}")
        services.wow_moment_send(link=n.carer, child=n.child, text=f"Wow {i}")


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session writes to it once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_pages_use_a_fixed_number_of_queries(n, world, client_for):
    staff = client_for(n.key_person)
    urls = [f"/care/journals/children/{n.child.pk}/", f"/care/journals/children/{n.child.pk}/chart/", "/care/journals/",
            f"/care/journals/observations/{n.obs.pk}/"]
    consent(n.child2)
    _grow(n, world, 2)
    small = [_queries(staff, u) for u in urls]
    carer_small = _queries(portal_client(n.carer), f"/family/journal/{n.child.pk}/")
    _grow(n, world, 20)
    assert [_queries(staff, u) for u in urls] == small
    assert _queries(portal_client(n.carer), f"/family/journal/{n.child.pk}/") == carer_small


def test_an_edit_keeps_the_earlier_version_and_a_stale_one_is_refused(n, client_for):
    client = client_for(n.key_person)
    url = f"/care/journals/observations/{n.obs.pk}/edit/"
    assert client.get(url).status_code == 200
    data = {"version": "1", "observed_on": "2026-11-16", "text": "Built a very tall tower together.", "areas": ["eyfs.pd"],
            "shared_with_family": "on"}
    assert client.post(url, data).status_code == 302
    page = client.get(f"/care/journals/observations/{n.obs.pk}/").content.decode()
    assert "very tall tower" in page and "Earlier versions" in page
    stale = client.post(url, {**data, "text": "An older edit"})
    assert stale.status_code == 409
    n.obs.refresh_from_db()
    assert n.obs.version == 2 and "very tall" in n.obs.text
