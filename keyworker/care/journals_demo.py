"""Demo records of learning journals for the childcare group: in the first early years setting, the key person's
children have observations over the term (tagged with Curriculum for Excellence areas and wellbeing indicators), a
group observation with photos (of the children whose families gave photo consent on the enrolment form), interests
and schemas, next steps; the other children have no photo consent recorded; a carer comments,
one wow moment is approved and another awaits approval; two children's journals are out of date."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from PIL import Image, ImageDraw

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffRole
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Carer, Child, ContactRestriction

from . import journals_services as services
from .journals_selectors import photo_consented

NOTES = [
    ("Filled and emptied the big jug at the water tray again and again, watching the water pour out.",
     ["water", "pouring"], ["transporting"], ["cfe.sciences", "cfe.numeracy", "shanarri.active"]),
    ("Chose a book about trains and 'read' it to a friend, pointing at the pictures and naming them.",
     ["trains", "books"], ["connecting"], ["cfe.literacy", "shanarri.included"]),
    ("Rolled cars down the ramp and moved it higher to make them go faster: 'Whoosh! More fast!'",
     ["cars", "ramps"], ["trajectory"], ["cfe.sciences", "cfe.technologies", "shanarri.achieving"]),
    ("Wrapped the doll in a blanket and put her to bed, singing a song from home.",
     ["dolls", "songs"], ["enveloping"], ["cfe.expressive_arts", "cfe.health_wellbeing", "shanarri.nurtured"]),
    ("Counted the snack plates, 'one, two, three, four', and gave one to each friend at the table.",
     ["snack", "counting"], ["positioning"], ["cfe.numeracy", "shanarri.responsible"]),
    ("Painted big circles round and round with both hands, then mixed blue and yellow: 'Green!'",
     ["painting", "colours"], ["rotation", "transforming"], ["cfe.expressive_arts", "cfe.sciences"]),
    ("Climbed the low frame, waited for a turn at the slide and helped a younger child up the step.",
     ["climbing", "outdoors"], ["orientation"], ["cfe.health_wellbeing", "shanarri.respected", "shanarri.active"]),
    ("Built a fence of blocks round the farm animals 'so they don't get lost'.",
     ["animals", "blocks"], ["enclosing"], ["cfe.numeracy", "cfe.social_studies", "shanarri.safe"]),
]


def _picture(colour: tuple[int, int, int], label: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    for i in range(6):
        draw.rectangle([60 + i * 85, 300 - i * 35, 120 + i * 85, 420], fill=(255 - i * 30, 220, 90 + i * 25))
    draw.ellipse([420, 40, 560, 180], fill=(255, 214, 64))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _carer(child: Child) -> Carer | None:
    return (Carer.objects.filter(family_id=child.family_id, parental_responsibility=True,
                                 contact_restriction=ContactRestriction.NONE).select_related("organisation", "user")
            .order_by("contact_order", "id").first())


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """Returns the number of observations written."""
    setting = Setting.objects.filter(organisation=organisation, kind="early_years").order_by("id").first()
    if setting is None:
        return 0
    today = today or clock.today(setting.time_zone)
    busiest = (KeyWorkerAllocation.objects.filter(setting=setting, ends_at__isnull=True).values("staff_id")
               .annotate(n=Count("id")).order_by("-n", "staff_id").first())
    if busiest is None:
        return 0
    allocation = KeyWorkerAllocation.objects.filter(setting=setting, staff_id=busiest["staff_id"]).select_related(
        "staff__user").first()
    actor = actor_for(allocation.staff.user, organisation.pk)
    family_ids = KeyWorkerAllocation.objects.filter(setting=setting, staff_id=busiest["staff_id"], ends_at__isnull=True
                                                    ).values("family_id")
    children = list(Child.objects.filter(setting=setting, family_id__in=family_ids, enrolled_on__lte=today,
                                         left_on__isnull=True).order_by("legal_first_name", "id")[:7])
    if len(children) < 4:
        return 0
    # Photo consent is what families answered on the enrolment form (the enrolment demo's two forms say yes).
    consented = list(Child.objects.filter(setting=setting, pk__in=photo_consented(
        Child.objects.filter(setting=setting).values_list("id", flat=True))).order_by("id"))
    start = max(min(c.enrolled_on for c in children) + dt.timedelta(days=2), today - dt.timedelta(days=112))
    out_of_date = {children[1].pk, children[-2].pk}  # two journals out of date: nothing for over four weeks
    written = 0
    for i, child in enumerate(children):
        day, k = start + dt.timedelta(days=i), i
        last_day = today - dt.timedelta(days=30 if child.pk in out_of_date else 2)
        while day <= last_day:
            text, interests, schemas, areas = NOTES[k % len(NOTES)]
            services.observation_record(actor=actor, children=[child], observed_on=day, text=text, interests=interests,
                                        schemas=schemas, areas=areas, shared_with_family=k % 5 != 4)
            written += 1
            day, k = day + dt.timedelta(days=12), k + 1
    # The group observation with photos: only children whose families gave photo consent.
    group = consented[:3]
    manager = StaffRole.objects.filter(setting=setting, role__code="manager", staff__is_active=True).select_related(
        "staff__user").order_by("staff_id").first()
    if len(group) >= 2 and manager is not None:
        observation = services.observation_record(
            actor=actor_for(manager.staff.user, organisation.pk), children=group, observed_on=today - dt.timedelta(days=1),
            text="Together they built a bridge of blocks for the toy cars, testing it, knocking it down and building "
                 "it higher. They took turns and talked about what made it strong.",
            interests=["building", "cars", "bridges"], schemas=["connecting", "trajectory"],
            areas=["cfe.technologies", "cfe.numeracy", "cfe.literacy", "shanarri.achieving", "shanarri.included"],
            photos=[_picture((120, 170, 220), "bridge"), _picture((150, 200, 140), "cars")],
            photo_description="The children's block bridge with toy cars on it",
            next_step="Offer planks, tubes and a tape measure to build a longer bridge outdoors.")
        written += 1
        carer = _carer(group[0])
        if carer is not None:
            services.journal_comment_add(link=carer, child=group[0], observation=observation,
                                         text="She told us all about the bridge at tea time!")
            wow = services.wow_moment_send(link=carer, child=group[0], happened_on=today - dt.timedelta(days=6),
                                           text="Put her shoes on by herself for the first time, on the right feet!",
                                           photo=_picture((230, 180, 160), "shoes"))
            services.wow_moment_approve(actor=actor_for(manager.staff.user, organisation.pk), wow=wow)
            services.wow_moment_send(link=carer, child=group[0], happened_on=today - dt.timedelta(days=1),
                                     text="Counted all the stairs up to bed: twelve!")
    return written
