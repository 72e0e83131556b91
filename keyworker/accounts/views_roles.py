"""Roles pages: an organisation sees its roles and adjusts what each may see and do."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from keyworker.core.forms import form_submit

from . import capabilities as caps
from . import policies
from .forms import RoleForm
from .models import Role
from .services import role_update


def _actor(request):
    actor = request.actor
    if not actor.is_member:
        raise Http404
    actor.require(caps.MANAGE_SETUP)
    return actor


@login_required
def role_list(request):
    actor = _actor(request)
    roles = Role.objects.filter(organisation_id=actor.organisation_id).order_by("name")
    return render(request, "accounts/role_list.html", {"roles": roles, "capability_names": caps.ALL})


@login_required
def role_edit(request, role_id: int):
    actor = _actor(request)
    role = Role.objects.filter(organisation_id=actor.organisation_id, pk=role_id).first()
    if role is None:
        raise Http404("No such role")
    # The form writes into its instance as it validates: the service compares against the role as stored.
    form = RoleForm(request.POST or None, instance=Role.objects.get(pk=role.pk), actor=actor)

    def save(d):
        role_update(actor=actor, role=role, name=d["name"], scope=d["scope"],
                    key_worker_eligibility=d["key_worker_eligibility"], capabilities=d["capabilities"])
        return reverse("roles:list"), f"Saved the role {role.name}."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Role: {role.name}", "cancel_url": "/setup/roles/",
        "intro": "Changes apply at once to everyone with this role in your organisation only."
                 + ("" if not policies.role_is_restricted(role) or policies.owns_roles(actor)
                    else f" {role.name} is a leader's or safeguarding role: only the headteacher or manager may change it."),
    }, status=400 if request.method == "POST" else 200)
