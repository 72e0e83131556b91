"""Pages for setting up the installation: the first run (only while nobody has an account), and the installation's
administrator's list of organisations with the form that adds one."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from keyworker.core.forms import form_submit
from keyworker.organisations.models import Organisation, Setting

from .access import SESSION_ORGANISATION_KEY
from .installation_forms import FirstRunForm, OrganisationAddForm
from .installation_services import (
    installation_has_users,
    installation_start,
    is_installation_admin,
    organisation_open,
)
from .models import StaffMember

# The services name the leader's inputs; the first-run form asks the person about themselves.
FIRST_RUN_NAMES = {"leader_name": "full_name", "leader_email": "email", "leader_password": "password"}


def first_run(request):
    """A new installation's first page: its administrator and its first organisation, in one form."""
    if installation_has_users():
        raise Http404
    form = FirstRunForm(request.POST or None)

    def save(data):
        opened = installation_start(
            name=data["name"], slug=data["slug"], setting_name=data["setting_name"], kind=data["kind"],
            jurisdiction=data["jurisdiction"], time_zone=data["time_zone"], full_name=data["full_name"],
            email=data["email"], password=data["password"],
        )
        login(request, opened.leader.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_ORGANISATION_KEY] = opened.organisation.pk
        return reverse("organisations:setup"), (
            f"Welcome to Keyworker. {opened.organisation} is ready, with {opened.setting} and you as its "
            f"{opened.role.name.lower()}. Next: add its classes or rooms, its term dates and its staff."
        )

    if (done := form_submit(request, form, save, names=FIRST_RUN_NAMES)) is not None:
        return done
    return render(request, "accounts/first_run.html", {"form": form}, status=400 if request.method == "POST" else 200)


@login_required
def organisations(request):
    """Every organisation of the installation, and a form to add one (the installation's administrator only)."""
    if not is_installation_admin(request.user):
        raise Http404
    form = OrganisationAddForm(request.POST or None)

    def save(data):
        opened = organisation_open(
            by=request.user, name=data["name"], slug=data["slug"], setting_name=data["setting_name"],
            kind=data["kind"], jurisdiction=data["jurisdiction"], time_zone=data["time_zone"],
            leader_name=data["leader_name"], leader_email=data["leader_email"],
        )
        told = (f"{opened.leader} has been e-mailed a link to choose their password." if opened.link_sent
                else f"{opened.leader} already signs in and has been told.")
        return reverse("installation:organisations"), (
            f"Added {opened.organisation} (short name {opened.organisation.slug}) with {opened.setting}, and "
            f"{opened.leader} as its {opened.role.name.lower()}. {told}"
        )

    if (done := form_submit(request, form, save)) is not None:
        return done
    n_settings = dict(Setting.objects.values_list("organisation_id").annotate(n=Count("id")).order_by())
    n_staff = dict(StaffMember.objects.filter(is_active=True).values_list("organisation_id").annotate(n=Count("id"))
                   .order_by())
    rows = [(o, n_settings.get(o.pk, 0), n_staff.get(o.pk, 0)) for o in Organisation.objects.order_by("name", "id")]
    return render(request, "accounts/installation_organisations.html", {"form": form, "organisations": rows},
                  status=400 if request.method == "POST" else 200)
