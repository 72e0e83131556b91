"""Staff photos: the service (a real photo only, no bomb, upright, at most 400 px, no EXIF, audited; yourself or a
leader who manages staff), the account page (add, change, remove, a message on the field) and who may see the photo
(staff of the organisation; carers whose key worker it is, on the portal's address; anyone else 404)."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from keyworker.accounts.models import StaffMember
from keyworker.accounts.photos import staff_photo_remove, staff_photo_set
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.testing import carer_account, portal_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_with_exif(size=(800, 600), orientation: int = 6) -> bytes:
    """A photo as a phone writes it: stored on its side with orientation 6 (turn 90 degrees), a camera and a GPS place."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: shows which way it was turned
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name: str = "me.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png(size=(120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def stored(staff: StaffMember) -> Image.Image:
    staff.refresh_from_db()
    with default_storage.open(staff.photo.name, "rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


# The service ----------------------------------------------------------------------------------------------------------


def test_a_phone_photo_is_stored_upright_at_most_400px_as_jpeg_without_exif_and_audited(world):
    staff = world.ta_a
    staff_photo_set(actor=world.actor(staff), staff=staff, file=upload(jpeg_with_exif()))
    image = stored(staff)
    assert image.format == "JPEG"
    assert image.size == (300, 400)  # 800x600 on its side: turned upright, then 400 at most
    assert not image.getexif() and "exif" not in image.info
    assert image.getpixel((150, 10))[2] > 150  # the blue half is now on top: the turn was applied
    event = AuditEvent.objects.get(event_type="staff.photo_set")
    assert event.object_id == staff.pk and event.actor == staff.user


def test_a_png_with_transparency_becomes_a_jpeg(world):
    staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=upload(png(), "me.png", "image/png"))
    image = stored(world.ta_a)
    assert image.format == "JPEG" and image.size == (120, 90)


def test_changing_the_photo_deletes_the_old_file_and_removing_it_deletes_the_last(world, django_capture_on_commit_callbacks):
    actor, staff = world.actor(world.ta_a), world.ta_a
    with django_capture_on_commit_callbacks(execute=True):
        staff_photo_set(actor=actor, staff=staff, file=upload(png()))
    first = staff.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        staff_photo_set(actor=actor, staff=staff, file=upload(jpeg_with_exif()))
    second = staff.photo.name
    assert second != first and not default_storage.exists(first) and default_storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        staff_photo_remove(actor=actor, staff=staff)
    staff.refresh_from_db()
    assert not staff.photo and not default_storage.exists(second)
    assert AuditEvent.objects.filter(event_type="staff.photo_removed", object_id=staff.pk).exists()


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty"),
    (b"%PDF-1.4 not a photo at all", "not a photo we can read"),
    (b"GIF89a" + b"\x00" * 40, "not a photo we can read"),
])
def test_what_is_not_a_photo_is_refused_on_the_field_whatever_its_name(world, data, message):
    with pytest.raises(RuleViolation) as refused:
        staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=upload(data, "photo.jpg"))
    assert refused.value.field == "photo" and message in refused.value.message
    world.ta_a.refresh_from_db()
    assert not world.ta_a.photo


def test_a_gif_is_refused_even_though_pillow_reads_it(world):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(RuleViolation, match="JPEG, PNG or WebP"):
        staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=upload(out.getvalue(), "me.jpg"))


def test_a_decompression_bomb_is_refused(world, monkeypatch):
    # A small file that claims a picture larger than Pillow's limit (lowered here so that the test stays small).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5_000)
    with pytest.raises(RuleViolation, match="too large to open safely") as refused:
        staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=upload(png((400, 300)), "me.png"))
    assert refused.value.field == "photo"


def test_a_picture_of_more_than_60_megapixels_is_refused_before_it_is_decoded(world):
    out = io.BytesIO()
    Image.new("1", (8_000, 8_000)).save(out, "PNG")  # 64 megapixels in a few kilobytes
    with pytest.raises(RuleViolation, match="too large to open safely"):
        staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=upload(out.getvalue(), "me.png"))


def test_more_than_10_mb_is_refused(world, monkeypatch):
    monkeypatch.setattr("keyworker.accounts.photos.PHOTO_MAX_MB", 1)
    big = upload(b"\xff\xd8" + b"\x00" * (1024 * 1024 + 10))
    with pytest.raises(RuleViolation, match="larger than 1 MB"):
        staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=big)


def test_only_yourself_or_a_leader_who_manages_staff_changes_a_photo(world):
    with pytest.raises(RuleViolation, match="only your own photo"):
        staff_photo_set(actor=world.actor(world.teacher_b), staff=world.ta_a, file=upload(png()))
    with pytest.raises(RuleViolation):
        staff_photo_set(actor=world.actor(world.outsider), staff=world.ta_a, file=upload(png()))
    staff_photo_set(actor=world.actor(world.headteacher), staff=world.ta_a, file=upload(png()))
    world.ta_a.refresh_from_db()
    assert world.ta_a.photo


# The account page -----------------------------------------------------------------------------------------------------


def test_own_account_page_adds_changes_and_removes_the_photo(world, client_for):
    client = client_for(world.ta_a)
    page = client.get("/accounts/").content.decode()
    assert "Your photo" in page and "Add your photo" in page and "<img" not in page
    response = client.post("/accounts/photo/", {"photo": upload(jpeg_with_exif())})
    assert response.status_code == 302
    world.ta_a.refresh_from_db()
    assert world.ta_a.photo
    page = client.get("/accounts/").content.decode()
    assert "Your photo is saved" in page and "Change your photo" in page
    assert f'src="/accounts/staff/{world.ta_a.pk}/photo/?v={world.ta_a.photo_version}" alt="Photo of Kim Keyworker"' in page
    assert client.post("/accounts/photo/remove/").status_code == 302
    world.ta_a.refresh_from_db()
    assert not world.ta_a.photo


def test_a_file_that_is_not_a_photo_or_none_shows_a_message_on_the_field(world, client_for):
    client = client_for(world.ta_a)
    response = client.post("/accounts/photo/", {"photo": upload(b"just text", "me.jpg")})
    assert response.status_code == 400
    assert "not a photo we can read" in response.context["photo_form"].errors["photo"][0]
    response = client.post("/accounts/photo/", {})
    assert response.status_code == 400 and response.context["photo_form"].errors["photo"]


# Who sees the photo ---------------------------------------------------------------------------------------------------


@pytest.fixture
def with_photo(world):
    staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=upload(png()))
    return world.ta_a


def test_staff_of_the_organisation_see_it_others_get_404(world, client_for, with_photo):
    url = f"/accounts/staff/{with_photo.pk}/photo/"
    response = client_for(world.teacher_b).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.teacher_b).get(f"/accounts/staff/{world.teacher_b.pk}/photo/").status_code == 404  # none


def test_signed_out_people_are_sent_to_sign_in(client, world, with_photo):
    response = client.get(f"/accounts/staff/{with_photo.pk}/photo/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    response = client.get(f"/family/key-workers/{with_photo.pk}/photo/")
    assert response.status_code == 302 and "/family/sign-in/" in response["Location"]


def test_the_carer_whose_key_worker_it_is_sees_it_another_family_gets_404(world, with_photo):
    url = f"/family/key-workers/{with_photo.pk}/photo/"
    carer_a = world.family_a.carers.first()
    carer_account(carer_a, "amy@example.org")
    response = portal_client(carer_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    carer_b = world.family_b.carers.first()
    carer_account(carer_b, "bob@example.org")
    assert portal_client(carer_b).get(url).status_code == 404
    # Nor the staff address, nor another staff member's photo through the portal's.
    assert portal_client(carer_a).get(f"/accounts/staff/{with_photo.pk}/photo/").status_code in (302, 404)
    staff_photo_set(actor=world.actor(world.teacher_b), staff=world.teacher_b, file=upload(png()))
    assert portal_client(carer_a).get(f"/family/key-workers/{world.teacher_b.pk}/photo/").status_code == 404


def test_staff_get_404_on_the_carers_address(world, client_for, with_photo):
    assert client_for(world.ta_a).get(f"/family/key-workers/{with_photo.pk}/photo/").status_code == 404


# A leader on the staff member's page ----------------------------------------------------------------------------------


def test_a_leader_who_manages_staff_adds_and_removes_a_photo_on_the_staff_page(world, client_for):
    client = client_for(world.headteacher)
    page = client.get(f"/staff/{world.ta_a.pk}/").content.decode()
    assert "No photo yet" in page and "Add a photo" in page
    response = client.post(f"/staff/{world.ta_a.pk}/photo/", {"photo": upload(b"not a photo", "kim.png")})
    assert response.status_code == 400
    assert "not a photo we can read" in response.context["photo_form"].errors["photo"][0]
    assert client.post(f"/staff/{world.ta_a.pk}/photo/", {"photo": upload(png())}).status_code == 302
    world.ta_a.refresh_from_db()
    page = client.get(f"/staff/{world.ta_a.pk}/").content.decode()
    assert 'alt="Photo of Kim Keyworker"' in page and "Change the photo" in page
    assert client.post(f"/staff/{world.ta_a.pk}/photo/remove/").status_code == 302
    world.ta_a.refresh_from_db()
    assert not world.ta_a.photo


def test_the_staff_page_photo_form_is_closed_to_others(world, client_for):
    assert client_for(world.ta_a).post(f"/staff/{world.teacher_b.pk}/photo/", {"photo": upload(png())}).status_code == 403
    assert client_for(world.outsider).post(f"/staff/{world.ta_a.pk}/photo/", {"photo": upload(png())}).status_code == 404
    assert client_for(world.headteacher).get(f"/staff/{world.ta_a.pk}/photo/").status_code == 404
