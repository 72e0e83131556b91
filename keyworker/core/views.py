"""Error pages that say what happened and where to go next."""

from django.shortcuts import render


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "core/404.html", status=404)
