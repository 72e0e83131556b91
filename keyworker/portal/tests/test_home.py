"""The carers' home: per child the key worker (the setting's word for the role) and how to reach them, then coming,
good news and to do; a carer with children in two organisations sees both; a fixed number of queries."""

import datetime as dt

import pytest

from keyworker.celebrations.models import Celebration, SharedHow
from keyworker.core import clock as kw_clock
from keyworker.organisations.models import Setting, SettingKind
from keyworker.people.models import Carer
from keyworker.testing import (
    allocate,
    carer_account,
    make_child,
    make_family,
    make_group,
    make_org,
    make_setting,
    make_staff,
    portal_client,
)

pytestmark = pytest.mark.django_db


def nursery_family(address: str, children: int = 1):
    """A childcare organisation with a family whose carer has `address`, their key person allocated."""
    org = make_org("Little Acorns")
    nursery = make_setting(org, SettingKind.EARLY_YEARS, "Little Acorns Nursery")
    Setting.objects.filter(pk=nursery.pk).update(phone="01632 960000")
    room = make_group(nursery, "Bluebells", "")
    practitioner = make_staff(org, nursery, ["practitioner"], [room], name="Priya Patel")
    family = make_family(org, "The Adams family")
    for i in range(children):
        make_child(family, nursery, room, legal_first_name=f"Nia{i}", legal_last_name="Adams")
    allocate(family, nursery, practitioner)
    carer = family.carers.first()
    carer_account(carer, address)
    return org, family, practitioner


def share(child, staff, title, day):
    return Celebration.objects.create(
        organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
        kind="star_of_the_week", title=title, celebrated_on=day, recorded_by=staff, shared_on=day,
        shared_how=SharedHow.POSTCARD_HOME, shared_by=staff,
    )


def test_the_key_worker_and_how_to_reach_them_in_two_organisations(world, clock):
    carer = world.family_a.carers.first()
    carer_account(carer, "amy@example.org")
    nursery_family("amy@example.org")
    page = portal_client(carer).get("/family/").content.decode()
    assert "Alfie Adams" in page and "Nia0 Adams" in page
    assert "Key worker" in page and "Kim Keyworker" in page and f"mailto:{world.ta_a.user.email}" in page
    assert "Key person" in page and "Priya Patel" in page and "tel:01632 960000" in page
    assert '<span class="initials" aria-hidden="true">KK</span>' in page


def test_no_key_worker_yet_and_empty_states(world, clock):
    carer = world.family_unallocated.carers.first()
    page = portal_client(carer).get("/family/").content.decode()
    assert "Cara Cole" in page and "No key worker yet" in page
    assert "Nothing is coming up" in page and "No good news shared yet" in page
    # The only thing to do: the half-termly check of the family's details (the data checks' item).
    assert "Check your family&#x27;s details" in page and "Nothing to do" not in page


def test_good_news_shared_with_the_family_newest_first_never_another_familys(world, clock):
    today = kw_clock.today()
    share(world.child_a, world.ta_a, "Kind to a friend", today - dt.timedelta(days=3))
    share(world.child_a, world.ta_a, "Great reading", today - dt.timedelta(days=1))
    not_shared = share(world.child_a, world.ta_a, "Not shared yet", today)
    Celebration.objects.filter(pk=not_shared.pk).update(shared_on=None, shared_how="", shared_by=None)
    voided = share(world.child_a, world.ta_a, "Recorded by mistake", today)
    Celebration.objects.filter(pk=voided.pk).update(voided_at=kw_clock.now())
    share(world.child_b, world.teacher_b, "Brown family news", today)
    page = portal_client(world.family_a.carers.first()).get("/family/").content.decode()
    assert page.index("Great reading") < page.index("Kind to a friend")
    assert "Not shared yet" not in page and "Recorded by mistake" not in page and "Brown family news" not in page


def test_a_carer_with_the_key_worker_section_only_sees_no_good_news(world, clock):
    from keyworker.organisations.models import Organisation

    share(world.child_a, world.ta_a, "Great reading", kw_clock.today())
    carer = world.family_a.carers.first()
    Carer.objects.filter(pk=carer.pk).update(parental_responsibility=False)
    Organisation.objects.filter(pk=world.org.pk).update(portal_restricted_access="key_worker")
    page = portal_client(carer).get("/family/").content.decode()
    assert "Kim Keyworker" in page and "Great reading" not in page


def give_photo(staff):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from keyworker.accounts.access import actor_for
    from keyworker.accounts.photos import staff_photo_set

    out = io.BytesIO()
    Image.new("RGB", (500, 500), (30, 90, 160)).save(out, "JPEG")
    staff_photo_set(actor=actor_for(staff.user), staff=staff, file=SimpleUploadedFile("me.jpg", out.getvalue()))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_key_workers_photo_beside_the_name_when_given_initials_when_not(world, clock, media):
    carer = world.family_a.carers.first()
    carer_account(carer, "amy@example.org")
    _, _, practitioner = nursery_family("amy@example.org")
    give_photo(world.ta_a)
    world.ta_a.refresh_from_db()
    page = portal_client(carer).get("/family/").content.decode()
    assert (f'<img src="/family/key-workers/{world.ta_a.pk}/photo/?v={world.ta_a.photo_version}" alt="Photo of Kim '
            'Keyworker" class="key-worker__photo"') in page
    assert '<span class="initials" aria-hidden="true">KK</span>' not in page
    assert '<span class="initials" aria-hidden="true">PP</span>' in page  # Priya Patel gave no photo
    assert page.count("<img") == 1


def test_the_nav_lists_home(world, clock):
    page = portal_client(world.family_a.carers.first()).get("/family/").content.decode()
    assert 'aria-current="page">Home</a>' in page


def test_the_home_page_does_a_fixed_number_of_queries(world, clock, django_assert_max_num_queries, media):
    small = world.family_a.carers.first()
    client = portal_client(small)
    client.get("/family/")
    # The carer's access, the children and their key workers, then one or two queries for each registered source
    # (appointments, answers, parents' evenings, reviews, messages, data checks, enrolment, good news, learning
    # targets shared, homework due).
    give_photo(world.ta_a)  # the photo comes with the key worker's row: no query more
    with django_assert_max_num_queries(24) as run:
        assert client.get("/family/").status_code == 200
        small_count = len(run)
    big = world.family_b.carers.first()
    carer_account(big, "big@example.org")
    for n in range(3):
        org, family, practitioner = nursery_family("big@example.org", children=3)
        give_photo(practitioner)
        for child in family.children.all():
            share(child, practitioner, f"News {n}", kw_clock.today())
    extra = make_family(world.org, "The Brown family too")
    for _ in range(4):
        make_child(extra, world.school, world.class_b)
    carer_account(extra.carers.first(), "big@example.org")
    client = portal_client(big)
    client.get("/family/")
    # The same ceiling with three organisations, five families and eleven children.
    with django_assert_max_num_queries(max(small_count, 24)):
        response = client.get("/family/")
    assert response.status_code == 200 and response.content.decode().count("Nia0 Adams") == 3
    assert response.content.decode().count('class="key-worker__photo"') == 9


def _sections_in_order(page: str) -> list[tuple[str, str]]:
    """(heading, the section's HTML) of the home page's four parts, in the order they come on the page."""
    import re

    found = []
    for match in re.finditer(r'<section aria-labelledby="([\w-]+)" class="portal-section">(.*?)</section>', page, re.S):
        found.append((match.group(1), match.group(2)))
    return found


def test_the_home_page_shows_the_key_worker_then_coming_up_then_good_news_then_things_to_do(world, clock, media):
    from keyworker.portal.testing import world_portal_family

    family = world_portal_family(world)
    page = portal_client(family.carer).get("/family/").content.decode()
    sections = _sections_in_order(page)
    assert [hid for hid, _ in sections] == ["kw-h", "coming-h", "news-h", "todo-h"]
    (_, key_worker), (_, coming), (_, news), (_, to_do) = sections
    assert "<h2" in coming and ">Coming up</h2>" in coming and ">Good news</h2>" in news and ">To do</h2>" in to_do
    # Each part holds its own items: the key worker first, then what is coming, the good news, the things to do.
    assert "Kim Keyworker" in key_worker and "Priya Patel" in key_worker
    assert "Annual review" in coming and "Kind to everyone all week" in news
    assert "Fill in All about my family" in to_do
    assert page.index("Kim Keyworker") < page.index(">Coming up<") < page.index(">Good news<") < page.index(">To do<")


def test_send_a_message_is_offered_only_where_the_carer_may_write(world, clock):
    carer = world.family_a.carers.first()
    client = portal_client(carer)
    assert f'href="/family/messages/{world.family_a.pk}/">Send a message</a>' in client.get("/family/").content.decode()
    from keyworker.organisations.models import Organisation

    Carer.objects.filter(pk=carer.pk).update(parental_responsibility=False)
    Organisation.objects.filter(pk=world.org.pk).update(portal_restricted_access="key_worker")
    page = client.get("/family/").content.decode()
    assert "Kim Keyworker" in page and "Send a message" not in page
