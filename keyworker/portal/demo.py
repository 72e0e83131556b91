"""The carers' portal in the demo: some carers of each demo organisation are invited (a few have signed in), and one
school carer, DEMO_CARER_EMAIL, is ready to sign in at /family/sign-in/ (the link arrives in demo-emails/): the carer
of the child whose annual review is 12 days ahead (keyworker.caseload.demo_story). Deterministic: the other families are the
demo key worker's, in order; dates are offsets from today. That key worker (the demo carer's, in the school) has a
photo, a portrait drawn here, for the portal's home."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from PIL import Image, ImageDraw, ImageFont

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember, StaffRole, User
from keyworker.accounts.photos import staff_photo_set
from keyworker.caseload import demo_story as story
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Carer, ContactRestriction

from .models import PortalInvitation
from .services import portal_invitation_send

DEMO_CARER_EMAIL = story.DEMO_CARER_EMAIL
INVITED_FAMILIES = 6


def _inviter(organisation: Organisation):
    role = (StaffRole.objects.filter(organisation=organisation, role__code__in=["admin_office", "manager"], staff__is_active=True)
            .select_related("staff__user").order_by("role__code", "staff_id").first())
    return actor_for(role.staff.user, organisation.pk) if role else None


def _key_worker_families(organisation: Organisation) -> list[int]:
    """The families of the demo key worker (the one whose sign-in the demo prints), in allocation order."""
    from keyworker.celebrations.demo import KEY_WORKER_EMAIL

    current = KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
    first = (current.filter(staff__user__email=KEY_WORKER_EMAIL).order_by("id").first()
             or current.filter(staff__staff_roles__role__code__in=["teaching_assistant", "practitioner"]).order_by("id").first())
    if first is None:
        return []
    return list(current.filter(staff=first.staff).order_by("id").values_list("family_id", flat=True)[:INVITED_FAMILIES])


def _portrait(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A portrait-like picture: a coloured circle with the person's initials on a light background."""
    image = Image.new("RGB", (480, 480), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.ellipse([40, 40, 440, 440], fill=colour)
    initials = "".join(p[0] for p in name.split()[:1] + name.split()[-1:]).upper()
    draw.text((240, 240), initials, fill=(255, 255, 255), anchor="mm", font=ImageFont.load_default(size=180))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return SimpleUploadedFile("portrait.jpg", out.getvalue(), content_type="image/jpeg")


def _give_photo(family_id: int, colour: tuple[int, int, int]) -> None:
    allocation = (KeyWorkerAllocation.objects.filter(family_id=family_id, ends_at__isnull=True)
                  .select_related("staff__user").order_by("id").first())
    if allocation is None or allocation.staff.photo:
        return
    staff: StaffMember = allocation.staff
    staff_photo_set(actor=actor_for(staff.user, staff.organisation_id), staff=staff,
                    file=_portrait(staff.user.full_name, colour))


def demo_history(*, organisation: Organisation, known_carer: bool = True) -> None:
    actor = _inviter(organisation)
    if actor is None:
        return
    now = clock.now()
    # Numbers reserved for drama (Ofcom): Manchester for the school, Glasgow for the childcare group.
    area = "0141" if known_carer is False else "0161"
    for i, setting in enumerate(Setting.objects.filter(organisation=organisation, phone="").order_by("id")):
        Setting.objects.filter(pk=setting.pk).update(phone=f"{area} 496 0{i:03d}")
    family_ids = _key_worker_families(organisation)
    demo_carer = None
    if known_carer and not User.objects.filter(email=DEMO_CARER_EMAIL).exists():
        # The carer of the child whose annual review is 12 days ahead (keyworker.caseload.demo_story), invited first.
        demo_carer = story.story_carer_prepare(organisation)
        if demo_carer is not None:
            family_ids = [demo_carer.family_id, *(f for f in family_ids if f != demo_carer.family_id)][:INVITED_FAMILIES]
    carers = list(
        Carer.objects.filter(family_id__in=family_ids).filter(~Q(email="")).filter(parental_responsibility=True)
        .exclude(contact_restriction=ContactRestriction.NO_CONTACT).order_by("family_id", "contact_order", "id")
    )
    carers.sort(key=lambda c: (family_ids.index(c.family_id), demo_carer is None or c.pk != demo_carer.pk))
    if carers or family_ids:  # the key worker of the first invited carer's family (the demo carer's, in the school)
        _give_photo(carers[0].family_id if carers else family_ids[0], (29, 53, 87) if known_carer else (42, 111, 92))
    for i, carer in enumerate(carers):
        invitation = portal_invitation_send(actor=actor, carer=carer, now=now - dt.timedelta(days=20 - i))
        PortalInvitation.objects.filter(pk=invitation.pk).update(invited_at=now - dt.timedelta(days=20 - i))
        if i % 2 == 0 and carer.email != DEMO_CARER_EMAIL:
            User.objects.filter(pk=invitation.user_id).update(last_login=now - dt.timedelta(days=i + 1, hours=3))
        # Accounts date from the organisation's set-up, like everyone else's in the demo.
        User.objects.filter(pk=invitation.user_id, date_joined__gt=organisation.created_at).update(
            date_joined=organisation.created_at)


def group_demo_history(*, organisation: Organisation) -> None:
    demo_history(organisation=organisation, known_carer=False)


def demo_carer_sign_in() -> tuple[str, str, str] | None:
    """(name, address, organisation) of the carer the README tells demo users to sign in as."""
    carer = Carer.objects.filter(email=DEMO_CARER_EMAIL).select_related("organisation").order_by("id").first()
    return (carer.full_name, carer.email, carer.organisation.name) if carer else None
