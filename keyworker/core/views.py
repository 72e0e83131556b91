"""Error pages that say what happened and where to go next."""

from django.shortcuts import render


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def server_error(request):
    """The page for an unexpected error: drawn from the template alone (no context processors, no database), so it
    still shows when what failed was the database, the session or the signed-in person."""
    from django.http import HttpResponseServerError
    from django.template import loader

    try:
        body = loader.get_template("core/500.html").render()
    except Exception:  # the page of last resort must not fail in turn
        body = "<!doctype html><title>Something went wrong – Keyworker</title><h1>Sorry, something went wrong</h1>"
    return HttpResponseServerError(body)
