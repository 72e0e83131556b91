"""Reads of appointments, always scoped: to the acting member of staff (their families, their invitations, the
settings they lead) or to the signed-in carer (the appointments they are invited to, through CarerAccess)."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.accounts.policies import led_setting_ids
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people import carer_access
from keyworker.people.models import Carer, Family
from keyworker.people.selectors import families_visible_to

from .models import Appointment, AppointmentStatus, Invitee, InviteeKind, Rsvp

MINE, SETTING = "mine", "setting"
UPCOMING, PAST = "upcoming", "past"
LIST_MAX = 200


def appointments_visible_to(actor: Actor) -> QuerySet[Appointment]:
    """The organisation's appointments this member may see: all in the settings they lead; otherwise those about
    families they see, sessions (no family) in their settings, and any they organised or are invited to."""
    if not actor.is_member:
        return Appointment.objects.none()
    qs = Appointment.objects.filter(organisation_id=actor.organisation_id)
    led = led_setting_ids(actor)
    if led is None:
        return qs
    invited = Invitee.objects.filter(organisation_id=actor.organisation_id, staff_id=actor.staff.pk).values("appointment_id")
    return qs.filter(
        Q(setting_id__in=list(led))
        | Q(family_id__in=families_visible_to(actor).values("id"))
        | Q(family__isnull=True, setting_id__in=actor.settings().values("id"))
        | Q(pk__in=invited)
        | Q(created_by_id=actor.user.pk)
    )


def invitees_in_order() -> QuerySet[Invitee]:
    return Invitee.objects.select_related("carer", "staff__user", "rsvp_recorded_by").order_by("kind", "id")


def with_details(qs: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return qs.select_related("setting", "family", "child", "created_by").prefetch_related(
        Prefetch("invitees", queryset=invitees_in_order()))


def access_appointment(actor: Actor, appointment_id: int) -> Appointment:
    appointment = with_details(appointments_visible_to(actor)).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404("No such appointment")
    return appointment


def appointment_list(actor: Actor, *, now: dt.datetime, whose: str = MINE, kind: str = "", when: str = UPCOMING,
                     family_id: int | None = None) -> list[Appointment]:
    """Upcoming (soonest first) or past (latest first) appointments: the actor's own (organised or invited to), or
    all they may see; three queries whatever the number."""
    qs = appointments_visible_to(actor)
    if whose == MINE:
        invited = Invitee.objects.filter(organisation_id=actor.organisation_id, staff_id=actor.staff.pk).values("appointment_id")
        qs = qs.filter(Q(pk__in=invited) | Q(created_by_id=actor.user.pk))
    if kind:
        qs = qs.filter(kind=kind)
    if family_id is not None:
        qs = qs.filter(family_id=family_id)
    qs = qs.filter(ends_at__gte=now).order_by("starts_at", "id") if when == UPCOMING else (
        qs.filter(ends_at__lt=now).order_by("-starts_at", "-id"))
    return list(with_details(qs)[:LIST_MAX])


def family_upcoming(actor: Actor, family: Family, now: dt.datetime, limit: int = 5) -> list[Appointment]:
    """The family's next appointments, for its page (two queries)."""
    qs = appointments_visible_to(actor).filter(family_id=family.pk, ends_at__gte=now).order_by("starts_at", "id")
    return list(qs.select_related("setting").prefetch_related(Prefetch("invitees", queryset=invitees_in_order()))[:limit])


# Who may be invited -----------------------------------------------------------------------------------------------


def invitable_carers(family: Family | None) -> list[Carer]:
    """The family's carers, in contact order (those under no contact included, for the page to say why not)."""
    if family is None:
        return []
    return list(Carer.objects.filter(family_id=family.pk).order_by("contact_order", "id"))


def invitable_staff(organisation_id: int) -> list[StaffMember]:
    return list(StaffMember.objects.filter(organisation_id=organisation_id, is_active=True).select_related("user")
                .prefetch_related("staff_roles__role", "group_memberships").order_by("user__full_name", "id"))


def key_worker_ids(family: Family | None, setting_id: int) -> set[int]:
    if family is None:
        return set()
    return set(KeyWorkerAllocation.objects.filter(family_id=family.pk, setting_id=setting_id, ends_at__isnull=True)
               .values_list("staff_id", flat=True))


MANAGER_ROLES = ("manager", "headteacher")


def staff_role_for(staff: StaffMember, *, key_workers: set[int], class_ids: set[int], setting_id: int) -> str:
    """The part a member of staff plays in a meeting with this family: key worker, class teacher, manager, other."""
    from .models import InviteeRole

    if staff.pk in key_workers:
        return InviteeRole.KEY_WORKER
    codes = {r.role.code for r in staff.staff_roles.all() if r.setting_id == setting_id or r.role.scope == "organisation"}
    if codes & set(MANAGER_ROLES):
        return InviteeRole.MANAGER
    if "teacher" in codes and class_ids & {m.group_id for m in staff.group_memberships.all()}:
        return InviteeRole.CLASS_TEACHER
    return InviteeRole.OTHER


# The carers' side --------------------------------------------------------------------------------------------------


def carer_ids_with_appointments(access: carer_access.CarerAccess) -> list[int]:
    """The carer rows through which the signed-in carer sees appointments (their links whose family opens them)."""
    families = access.family_ids_with(carer_access.APPOINTMENTS)
    return [c.pk for c in access.links if c.family_id in families]


def carer_invitations(access: carer_access.CarerAccess, *, now: dt.datetime, past_days: int = 31) -> list[Invitee]:
    """The carer's invitations, soonest first, from `past_days` ago: each with its appointment and everyone invited
    (two queries)."""
    ids = carer_ids_with_appointments(access)
    if not ids:
        return []
    return list(
        Invitee.objects.filter(carer_id__in=ids, appointment__ends_at__gte=now - dt.timedelta(days=past_days))
        .select_related("appointment__setting", "appointment__child", "carer", "appointment__annual_review",
                        "appointment__evening_slot")
        .prefetch_related(Prefetch("appointment__invitees", queryset=invitees_in_order()))
        .order_by("appointment__starts_at", "appointment_id")[:LIST_MAX]
    )


def carer_invitation(access: carer_access.CarerAccess, invitee_id: int) -> Invitee:
    """One of the carer's own invitations; any other (another family's, a staff member's) is 404."""
    invitee = (Invitee.objects.filter(pk=invitee_id, carer_id__in=carer_ids_with_appointments(access))
               .select_related("appointment__setting", "carer").first())
    if invitee is None:
        raise Http404
    return invitee


def who_is_coming(invitee: Invitee) -> list[Invitee]:
    """What a carer is shown of the other invitees: staff, outside professionals and their own family's carers, never
    the carers of other families (at a session open to many)."""
    family_id = invitee.carer.family_id if invitee.carer_id else None
    return [i for i in invitee.appointment.invitees.all()
            if i.pk != invitee.pk and (i.kind != InviteeKind.CARER or (i.carer and i.carer.family_id == family_id))]


def local(moment: dt.datetime, time_zone: str) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone))


def is_live(appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.SCHEDULED


def awaiting(invitations: Iterable[Invitee], now: dt.datetime) -> list[Invitee]:
    return [i for i in invitations if i.rsvp == Rsvp.AWAITING and is_live(i.appointment) and i.appointment.starts_at > now]


# The carers' home page ---------------------------------------------------------------------------------------------


def _home_item(kind: str, invitee: Invitee, title: str, detail: str):
    from django.urls import reverse

    from keyworker.core.extensions import CarerHomeItem

    a = invitee.appointment
    return CarerHomeItem(kind=kind, title=title, when=a.starts_at, detail=detail,
                         url=reverse("portal:appointments") + f"#invitation-{invitee.pk}",
                         child=a.child.preferred_name or a.child.legal_first_name if a.child_id else "",
                         family_id=invitee.carer.family_id if invitee.carer_id else None)


def _on_home_already(access, appointment: Appointment) -> bool:
    """An annual review's meeting and a booked parents' evening slot have home items of their own (with the review's
    page and the booking), for carers who see reviews or bookings: the plain appointment would say it twice."""
    review = getattr(appointment, "annual_review", None)  # fetched with the invitation: no query
    if review is not None and access.may(carer_access.REVIEWS, review.family_id):
        return True
    slot = getattr(appointment, "evening_slot", None)
    return slot is not None and slot.family_id is not None and access.may(carer_access.BOOKINGS, slot.family_id)


def carer_home_coming(access, as_of: dt.date, now: dt.datetime, limit: int = 3) -> list:
    """The carer's next appointments (not cancelled), soonest first."""
    from keyworker.core.extensions import COMING

    from .models import AppointmentStatus

    upcoming = [i for i in carer_invitations(access, now=now, past_days=0)
                if i.appointment.status == AppointmentStatus.SCHEDULED and i.appointment.ends_at >= now
                and not _on_home_already(access, i.appointment)][:limit]
    return [_home_item(COMING, i, f"{i.appointment.get_kind_display()} at {i.appointment.setting.name}",
                       i.appointment.place or "Video meeting") for i in upcoming]


def carer_home_to_do(access, as_of: dt.date, now: dt.datetime) -> list:
    """Invitations waiting for the carer's answer, soonest first."""
    from keyworker.core.extensions import TO_DO

    return [_home_item(TO_DO, i, "Let us know if you can come",
                       f"{i.appointment.get_kind_display()} at {i.appointment.setting.name}")
            for i in awaiting(carer_invitations(access, now=now, past_days=0), now)]
