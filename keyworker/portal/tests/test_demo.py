"""The portal in the demo: carers invited in both organisations, and the README's carer signs in by a link."""

import pytest
from django.test import Client

from keyworker.accounts.models import StaffMember
from keyworker.demo import builder
from keyworker.demo.signins import CARER_ROLE, carer_sign_in, current_sign_ins
from keyworker.portal.demo import DEMO_CARER_EMAIL
from keyworker.portal.models import PortalInvitation

from .helpers import last_link, sign_in_with

pytestmark = pytest.mark.django_db


def test_the_demo_carer_signs_in_and_sees_their_key_worker_and_good_news(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo = builder.build()
    assert [s.email for s in demo.carer_sign_ins if s.role == CARER_ROLE] == [DEMO_CARER_EMAIL]
    assert [s.email for s in carer_sign_in()] == [DEMO_CARER_EMAIL]
    assert DEMO_CARER_EMAIL not in [s.email for s in current_sign_ins()]  # staff sign-ins: all with the password
    for slug in (builder.SCHOOL_SLUG, builder.GROUP_SLUG):
        assert PortalInvitation.objects.filter(organisation__slug=slug).count() >= 3
        assert PortalInvitation.objects.filter(organisation__slug=slug, user__last_login__isnull=False).exists()
    client = Client()
    client.post("/family/sign-in/", {"email": DEMO_CARER_EMAIL})
    assert sign_in_with(client, last_link(DEMO_CARER_EMAIL)).url == "/family/"
    page = client.get("/family/").content.decode()
    key_worker = next(s.name for s in demo.sign_ins if s.role == "Key worker (teaching assistant)")
    assert "Key worker" in page and key_worker in page and "tel:0161 496 0" in page
    assert "No good news shared yet" not in page
    # Their key worker's photo, and the childcare group's first invited family's key person has one too.
    assert f'alt="Photo of {key_worker}" class="key-worker__photo"' in page
    photo = client.get(page.split('<img src="', 1)[1].split('"', 1)[0].replace("&amp;", "&"))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert StaffMember.objects.exclude(photo="").filter(organisation__slug=builder.GROUP_SLUG).count() == 1


def test_the_command_prints_the_carers_sign_in_line(clock, capsys):
    from django.core.management import call_command

    call_command("demo")
    out = capsys.readouterr().out
    assert f"Carers' portal: sign in at /family/sign-in/ as {DEMO_CARER_EMAIL}" in out
    call_command("demo")
    assert DEMO_CARER_EMAIL in capsys.readouterr().out
