"""Error pages that say what happened and where to go next; the site's icon where browsers look for it."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the SVG icon the pages name in their <head>."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
