"""Staff pages: list, staff member with their caseload, add and edit, leaving."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.accounts.forms import StaffForm, StaffLeaveForm, StaffPhotoForm
from keyworker.accounts.models import StaffInvitation, StaffMember
from keyworker.accounts.photos import staff_photo_remove, staff_photo_set
from keyworker.accounts.policies import may_change_staff_photo
from keyworker.accounts.selectors import staff_visible_to
from keyworker.accounts.services import staff_save
from keyworker.core.forms import form_submit, service_call
from keyworker.core.uploads import upload_refusal

from . import policies
from .selectors import access_staff, caseload_of, staff_with_details
from .services import staff_leave


@login_required
def staff_list(request):
    actor = request.actor
    policies.require_staff_pages(actor)
    qs = staff_with_details(staff_visible_to(actor)).order_by("-is_active", "user__full_name")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(user__full_name__icontains=q) | Q(job_title__icontains=q) | Q(user__email__icontains=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "caseload/staff_list.html", {
        "page_obj": page, "q": q, "query_string": f"q={q}" if q else "",
        "can_manage": policies.can_manage_staff(actor), "can_allocate": policies.can_allocate(actor),
    })


@login_required
def staff_detail(request, staff_id: int):
    actor = request.actor
    policies.require_staff_pages(actor)
    staff = access_staff(actor, staff_id)
    return _detail_page(request, staff)


def _detail_page(request, staff: StaffMember, photo_form: StaffPhotoForm | None = None, status: int = 200):
    actor = request.actor
    return render(request, "caseload/staff_detail.html", {
        "staff": staff, "families": caseload_of(staff),
        "can_manage": policies.can_manage_staff(actor), "can_allocate": policies.can_allocate(actor),
        "may_change_photo": may_change_staff_photo(actor, staff),
        "photo_form": photo_form or StaffPhotoForm(own=False),
    }, status=status)


def _photo_staff(request, staff_id: int) -> StaffMember:
    if request.method != "POST":
        raise Http404
    policies.require_staff_pages(request.actor)
    staff = access_staff(request.actor, staff_id)
    if not may_change_staff_photo(request.actor, staff):
        raise PermissionDenied("Only a leader who manages staff changes someone else's photo.")
    return staff


@login_required
def staff_photo_change(request, staff_id: int):
    """A leader who manages staff adds or changes a staff member's photo; a refused file is shown again with why."""
    staff = _photo_staff(request, staff_id)
    form = StaffPhotoForm(request.POST, request.FILES, own=False)
    refused = upload_refusal(request, "photo")
    if refused:
        form.is_valid()
        form.add_error("photo", refused)
    else:
        def save(data):
            staff_photo_set(actor=request.actor, staff=staff, file=data["photo"])
            return reverse("staff:detail", args=[staff.pk]), f"The photo of {staff} is saved."

        if (done := form_submit(request, form, save)) is not None:
            return done
    return _detail_page(request, staff, form, status=400)


@login_required
def staff_photo_delete(request, staff_id: int):
    staff = _photo_staff(request, staff_id)
    service_call(request, lambda: staff_photo_remove(actor=request.actor, staff=staff),
                 success=f"The photo of {staff} is removed.")
    return redirect("staff:detail", staff.pk)


def _staff_form_view(request, staff: StaffMember | None):
    actor = request.actor
    if not actor.is_member:
        raise Http404
    policies.require_manage_staff(actor)
    initial = {}
    if staff is not None:
        first_role = staff.staff_roles.all()[0] if staff.staff_roles.all() else None
        setting_id = first_role.setting_id if first_role else None
        initial = {
            "full_name": staff.user.full_name, "email": staff.user.email, "job_title": staff.job_title,
            "staff_code": staff.staff_code, "setting": setting_id,
            "roles": [r.role_id for r in staff.staff_roles.all() if r.setting_id == setting_id],
            "groups": [m.group_id for m in staff.group_memberships.all()],
        }
    form = StaffForm(request.POST or None, organisation=actor.organisation, initial=initial, actor=actor, staff=staff)

    def save(d):
        saved = staff_save(
            actor=actor, organisation=actor.organisation, staff=staff, full_name=d["full_name"], email=d["email"],
            setting=d["setting"], roles=list(d["roles"]), groups=list(d["groups"]), job_title=d["job_title"],
            staff_code=d["staff_code"],
        )
        if isinstance(saved, StaffInvitation):
            return reverse("staff:list"), (f"{saved.user.email} already has a Keyworker sign-in, so they have been invited. "
                                           "They join when they accept; nothing of their account has changed.")
        return reverse("staff:detail", kwargs={"staff_id": saved.pk}), (
            f"Saved {saved}." if staff else f"Added {saved}. They have been sent an e-mail to choose their password.")
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "caseload/staff_form.html", {"form": form, "staff": staff},
                  status=400 if request.method == "POST" else 200)


@login_required
def staff_add(request):
    return _staff_form_view(request, None)


@login_required
def staff_edit(request, staff_id: int):
    actor = request.actor
    policies.require_staff_pages(actor)
    return _staff_form_view(request, access_staff(actor, staff_id))


@login_required
def staff_leave_view(request, staff_id: int):
    actor = request.actor
    policies.require_staff_pages(actor)
    staff = access_staff(actor, staff_id)
    policies.require_manage_staff(actor)
    form = StaffLeaveForm(request.POST or None)

    def save(data):
        n = staff_leave(actor=actor, staff=staff, left_on=data["left_on"], reason=data["reason"])
        return reverse("caseload:allocation"), f"{staff} has left. {n} famil{'y now needs' if n == 1 else 'ies now need'} a key worker."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "caseload/staff_leave.html", {
        "form": form, "staff": staff, "can_allocate": policies.can_allocate(actor),
    })
