"""Staff photos: the picture carers see beside their key worker's name. Checked and cleaned by keyworker.core.images
(really a JPEG, PNG or WebP picture, no decompression bomb, upright, no EXIF), at most 400 px, stored as JPEG through
Django's storage API."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.core.images import image_clean, image_jpeg, image_read
from keyworker.core.uploads import MB

from . import policies
from .access import Actor
from .models import StaffMember

PHOTO_SIDE = 400
PHOTO_MAX_MB = 10


def max_photo_bytes() -> int:
    """10 MB, and never more than the house's upload limit."""
    return min(settings.KEYWORKER_UPLOAD_MAX_MB, PHOTO_MAX_MB) * MB


def _refuse_unless_allowed(actor: Actor, staff: StaffMember) -> None:
    if not policies.may_change_staff_photo(actor, staff):
        raise RuleViolation("You may change only your own photo.", rule="policy", field="photo")


def _delete_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def staff_photo_set(*, actor: Actor, staff: StaffMember, file) -> StaffMember:
    """Check, clean, resize and store the photo, replacing any earlier one (whose file goes once this commits)."""
    _refuse_unless_allowed(actor, staff)
    image = image_clean(image_read(file, field="photo", max_bytes=max_photo_bytes(), draft_side=PHOTO_SIDE))
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    name = default_storage.save(f"staff-photos/{staff.organisation_id}/{uuid.uuid4().hex}.jpg",
                                ContentFile(image_jpeg(image)))
    try:
        locked = StaffMember.objects.select_for_update().get(pk=staff.pk)
        old = locked.photo.name
        locked.photo.name = name
        locked.save(update_fields=["photo"])
    except Exception:
        default_storage.delete(name)  # no file left behind that nothing points at
        raise
    staff.photo.name = name
    _delete_on_commit(old)
    audit_record(organisation_id=staff.organisation_id, actor=actor.user, event_type="staff.photo_set", obj=staff,
                 summary=f"Photo of {staff.user.full_name} {'changed' if old else 'added'}",
                 data={"width": image.width, "height": image.height})
    return staff


@transaction.atomic
def staff_photo_remove(*, actor: Actor, staff: StaffMember) -> StaffMember:
    """Take the photo away; its file goes once this commits."""
    _refuse_unless_allowed(actor, staff)
    locked = StaffMember.objects.select_for_update().get(pk=staff.pk)
    old = locked.photo.name
    if not old:
        return staff
    locked.photo.name = ""
    locked.save(update_fields=["photo"])
    staff.photo.name = ""
    _delete_on_commit(old)
    audit_record(organisation_id=staff.organisation_id, actor=actor.user, event_type="staff.photo_removed", obj=staff,
                 summary=f"Photo of {staff.user.full_name} removed")
    return staff
