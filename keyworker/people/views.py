"""People pages: a child's profile and key aspects, and the forms for families, carers and children."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from keyworker.core.forms import form_page

from . import services
from .forms import CarerForm, ChildForm, FamilyForm, KeyAspectsForm
from .models import KEY_ASPECT_FIELDS, ContactRestriction, KeyAspects, KeyAspectsRoute
from .policies import (
    can_edit_key_aspects,
    can_export_transfer_file,
    can_manage_people,
    require_edit_key_aspects,
    require_manage_people,
)
from .selectors import access_carer, access_child, access_family, key_aspect_history


def _member(request):
    if not request.actor.is_member:
        raise Http404
    return request.actor


@login_required
def child_detail(request, child_id: int):
    actor = _member(request)
    child = access_child(actor, child_id)
    aspects = KeyAspects.objects.filter(child=child).first()
    services.key_aspects_access_record(actor=actor, children=[child], route=KeyAspectsRoute.PAGE)
    siblings = [c for c in child.family.children.select_related("group").all() if c.pk != child.pk]
    return render(request, "people/child_detail.html", {
        "child": child, "aspects": aspects, "aspect_rows": _aspect_rows(aspects), "siblings": siblings,
        "history": key_aspect_history(child)[:100],
        "can_edit_aspects": can_edit_key_aspects(actor, child.setting_id),
        "can_edit": can_manage_people(actor, child.setting_id),
        "can_export_ctf": can_export_transfer_file(actor, child.setting_id),
    })


def _aspect_rows(aspects):
    return [
        (KeyAspects._meta.get_field(f).verbose_name.capitalize(), getattr(aspects, f, "") if aspects else "")
        for f in KEY_ASPECT_FIELDS
    ]


@login_required
def key_aspects_edit(request, child_id: int):
    actor = _member(request)
    child = access_child(actor, child_id)
    require_edit_key_aspects(actor, child.setting_id)
    aspects = KeyAspects.objects.filter(child=child).first() or KeyAspects(child=child, organisation_id=child.organisation_id)

    def save(d):
        changes = services.key_aspects_update(
            actor=actor, child=child, changes={f: d[f] for f in KEY_ASPECT_FIELDS}, expected_version=d["version"],
        )
        return child_url(child), (f"Saved {len(changes)} change{'s' if len(changes) != 1 else ''} to {child}'s key aspects."
                                  if changes else "Nothing changed.")
    return form_page(request, KeyAspectsForm(request.POST or None, instance=aspects), title=f"Key aspects of {child}",
                     cancel_url=child_url(child), save=save, saved_form=lambda saved: KeyAspectsForm(instance=saved),
                     intro="Every change is recorded with your name and the time, and shown on the child's profile.")


def child_url(child) -> str:
    return reverse("people:child", args=[child.pk])


def family_url(family_id: int) -> str:
    return reverse("dashboard:family", args=[family_id])


@login_required
def family_add(request):
    actor = _member(request)
    require_manage_people(actor)

    def save(d):
        f = services.family_create(actor=actor, **d)
        return family_url(f.pk), f"Added {f}. Now add its carers and children."
    return form_page(request, FamilyForm(request.POST or None), title="Add a family", cancel_url=reverse("dashboard:family_list"), save=save)


@login_required
def family_edit(request, family_id: int):
    actor = _member(request)
    family = access_family(actor, family_id)
    require_manage_people(actor)

    def save(d):
        services.family_update(actor=actor, family=family, expected_version=d.pop("version"), **d)
        return family_url(family.pk), f"Saved {family}."
    return form_page(request, FamilyForm(request.POST or None, instance=family), title=f"Edit {family}",
                      cancel_url=family_url(family.pk), save=save, saved_form=lambda saved: FamilyForm(instance=saved))


@login_required
def carer_add(request, family_id: int):
    actor = _member(request)
    family = access_family(actor, family_id)
    require_manage_people(actor)

    def save(d):
        c = services.carer_create(actor=actor, family=family, **d)
        return family_url(family.pk), f"Added {c}."
    return form_page(request, CarerForm(request.POST or None), title=f"Add a carer to {family}",
                      cancel_url=family_url(family.pk), save=save)


@login_required
def carer_edit(request, carer_id: int):
    actor = _member(request)
    carer = access_carer(actor, carer_id)
    require_manage_people(actor)

    def save(d):
        services.carer_update(actor=actor, carer=carer, expected_version=d.pop("version"), **d)
        return family_url(carer.family_id), f"Saved {carer}."
    return form_page(request, CarerForm(request.POST or None, instance=carer), title=f"Edit {carer}",
                      cancel_url=family_url(carer.family_id), save=save, saved_form=lambda saved: CarerForm(instance=saved),
                      intro="Contact restrictions are honoured wherever a message could go." if carer.contact_restriction != ContactRestriction.NONE else "")


@login_required
def child_add(request, family_id: int):
    actor = _member(request)
    family = access_family(actor, family_id)
    require_manage_people(actor)

    def save(d):
        c = services.child_create(actor=actor, family=family, **d)
        msg = f"Added {c}." + (f" Check the UPN: {c.upn_warning}" if c.upn_warning else "")
        return child_url(c), msg
    return form_page(request, ChildForm(request.POST or None, organisation=actor.organisation),
                      title=f"Add a child to {family}", cancel_url=family_url(family.pk), save=save)


@login_required
def child_edit(request, child_id: int):
    actor = _member(request)
    child = access_child(actor, child_id)
    require_manage_people(actor, child.setting_id)

    def save(d):
        services.child_update(actor=actor, child=child, expected_version=d.pop("version"), **d)
        msg = f"Saved {child}." + (f" Check the UPN: {child.upn_warning}" if child.upn_warning else "")
        return child_url(child), msg
    return form_page(request, ChildForm(request.POST or None, instance=child, organisation=actor.organisation),
                      title=f"Edit {child}", cancel_url=child_url(child), save=save,
                      saved_form=lambda saved: ChildForm(instance=saved, organisation=actor.organisation))
