"""The door to the carers' pages: only a signed-in carer's account passes; anyone else gets 404.

`carer_required` puts the carer's access (`keyworker.people.carer_access.CarerAccess`) on the request as
`request.carer`; pages then ask it, never the database directly, which families and sections are open.
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from keyworker.people.carer_access import access_for


def is_carer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_carer", False) and user.is_active)


def carer_required(view):
    """Signed-out visitors go to the portal's sign-in page; staff (and anyone not a carer) get 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('portal:sign_in')}?next={request.path}")
        if not is_carer(request.user):
            raise Http404
        request.carer = access_for(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def section_required(*sections: str):
    """For a page of a section that names no family (the list of a section, across the carer's families): 404 unless
    the carer's access opens one of `sections` for at least one family, as the section's own pages answer. Goes under
    `carer_required`."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.carer.family_ids_with(section) for section in sections):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
