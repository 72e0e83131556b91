"""A nursery inside the test world for the learning journal tests: a room with two children, photo consent for one."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from keyworker.core import clock
from keyworker.enrolment.models import EnrolmentForm, FormState
from keyworker.enrolment.tests.helpers import make_nursery
from keyworker.testing import allocate, make_child, make_family


def consent(child, given: bool = True) -> None:
    now = clock.now()
    EnrolmentForm.objects.create(organisation_id=child.organisation_id, child=child, family_id=child.family_id,
                                 setting_id=child.setting_id, state=FormState.SENT, photo_consent=given, started_at=now,
                                 updated_at=now, sent_at=now)


def jpeg(width=64, height=48, exif_gps=False) -> SimpleUploadedFile:
    image = Image.new("RGB", (width, height), (200, 120, 40))
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0132] = "2026:11:18 10:00:00"  # DateTime
        gps = {1: "N", 2: (55.0, 57.0, 0.0), 3: "W", 4: (3.0, 11.0, 0.0)}
        exif[0x8825] = gps
        kwargs["exif"] = exif
    image.save(out, "JPEG", **kwargs)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def nursery_with_two(world):
    n = make_nursery(world)
    family2 = make_family(world.org, "The Fox family")
    n.child2 = make_child(family2, n.setting, n.room, legal_first_name="Fin", legal_last_name="Fox",
                          enrolled_on=n.child.enrolled_on)
    allocate(family2, n.setting, n.key_person)
    return n
