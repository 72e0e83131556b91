"""Error pages that say what happened and where to go next; the site's icon where browsers look for it."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def page_not_found(request, exception=None):
    """Staff get the staff layout; carers, and anyone signed out inside the carers' portal (/family/), the portal's own
    page, whose way out leads to their family's pages rather than to a staff start page they cannot open."""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    if (signed_in and getattr(user, "is_carer", False)) or (not signed_in and request.path_info.startswith("/family/")):
        return render(request, "portal/not_found.html", status=404)
    return render(request, "core/404.html", status=404)


def server_error(request):
    """The page for an unexpected error: drawn from the template alone (no context processors, no database), so it
    still shows when what failed was the database, the session or the signed-in person. A database that is away
    (restarting, unreachable, the connection cut) answers 503 "Please try again" instead."""
    import sys

    from django.http import HttpResponseServerError
    from django.template import loader

    from .middleware import DATABASE_AWAY, database_away_response

    exception = sys.exc_info()[1]  # the error page is drawn while the exception is being handled
    if isinstance(exception, DATABASE_AWAY):
        return database_away_response(request, exception)

    try:
        body = loader.get_template("core/500.html").render()
    except Exception:  # the page of last resort must not fail in turn
        body = "<!doctype html><title>Something went wrong – Keyworker</title><h1>Sorry, something went wrong</h1>"
    return HttpResponseServerError(body)


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the SVG icon the pages name in their <head>."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
