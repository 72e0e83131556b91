"""The carers' portal on a phone (360 px): ask for a link, open it from the e-mail, press Sign in, see the key worker
and good news. axe-core WCAG 2.2 A/AA clean, no sideways scrolling, a screenshot of each screen."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 18)


def _check(page, name):
    page.set_viewport_size({"width": 360, "height": 780})
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways at 360 px"
    screenshot(page, name)


def _link_from_outbox(address: str) -> str:
    from django.core import mail
    from django.utils import timezone

    from keyworker.notifications.services import deliveries_run

    deliveries_run(now=timezone.now(), worker_id="browser")
    body = next(m.body for m in reversed(mail.outbox) if address in m.to)
    return re.search(r"(/family/sign-in/link/\?sesame=[\w\-]+)", body).group(1)


def _give_photo(world, staff):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from keyworker.accounts.photos import staff_photo_set

    image = Image.new("RGB", (600, 600), (236, 240, 244))
    ImageDraw.Draw(image).ellipse([60, 60, 540, 540], fill=(29, 53, 87))
    out = io.BytesIO()
    image.save(out, "JPEG")
    staff_photo_set(actor=world.actor(staff), staff=staff, file=SimpleUploadedFile("me.jpg", out.getvalue()))


def test_a_carer_signs_in_by_the_link_and_sees_the_key_worker(world, open_page, settings, tmp_path):
    from keyworker.celebrations.services import celebration_record
    from keyworker.organisations.models import Setting
    from keyworker.people.models import Carer
    from keyworker.testing import carer_account

    carer = world.family_a.carers.first()
    Carer.objects.filter(pk=carer.pk).update(first_name="Amy", last_name="Adams")
    carer.refresh_from_db()
    carer_account(carer, "amy.adams@example.org")
    # A school's full name: "Call <school>: <number>" must wrap, not push the page sideways at 360 px.
    Setting.objects.filter(pk=world.school.pk).update(phone="0161 496 0123", name="Brookfield Park Primary School")
    celebration_record(actor=world.actor(world.ta_a), child=world.child_a, kind="star_of_the_week",
                       title="Kind to everyone all week", celebrated_on=TODAY - dt.timedelta(days=2), shared_how="postcard_home")
    settings.MEDIA_ROOT = tmp_path
    _give_photo(world, world.ta_a)

    page = open_page("phone")
    page.goto("/family/")
    expect(page.get_by_role("heading", name="Sign in to your family's pages")).to_be_visible()
    _check(page, "portal-sign-in-phone")
    page.get_by_label("Your e-mail address").fill("amy.adams@example.org")
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_text("If the address is known, a link is on its way.")).to_be_visible()
    _check(page, "portal-sign-in-sent-phone")

    page.goto(_link_from_outbox("amy.adams@example.org"))
    expect(page.get_by_role("heading", name="Welcome, Amy Adams")).to_be_visible()
    _check(page, "portal-sign-in-link-phone")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your family")).to_be_visible()
    card = page.get_by_role("article", name="Alfie Adams")
    expect(card.get_by_text("Kim Keyworker", exact=True)).to_be_visible()
    expect(card.get_by_text("Key worker", exact=True)).to_be_visible()
    photo = card.get_by_role("img", name="Photo of Kim Keyworker")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 400  # served, and at most 400 px
    expect(card.get_by_role("link", name="E-mail Kim Keyworker")).to_be_visible()
    expect(card.get_by_role("link", name="Call Brookfield Park Primary School: 0161 496 0123")).to_be_visible()
    expect(page.get_by_text("Star of the week: Kind to everyone all week")).to_be_visible()
    _check(page, "portal-home-phone")

    # The link is spent: opened again it explains how to get a new one.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to your family's pages")).to_be_visible()


def test_the_key_worker_invites_a_carer_from_the_family_page(world, open_page):
    from browser_tests.helpers import sign_in
    from keyworker.people.models import Carer

    carer = world.family_a.carers.first()
    Carer.objects.filter(pk=carer.pk).update(first_name="Amy", last_name="Adams", email="amy.adams@example.org")
    page = open_page("tablet")
    sign_in(page, world.ta_a)
    page.goto(f"/families/{world.family_a.pk}/")
    section = page.get_by_role("region", name="Carers' portal")
    expect(section.get_by_text("Not invited")).to_be_visible()
    section.get_by_role("button", name="Invite Amy Adams").click()
    expect(page.get_by_text("Invited Amy Adams to the carers' portal")).to_be_visible()
    expect(page.get_by_role("region", name="Carers' portal").get_by_text("Invited on 18/11/2026")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    screenshot(page, "portal-family-page-invited-tablet")
    assert "/family/sign-in/link/?sesame=" in _link_from_outbox("amy.adams@example.org")
