"""The carers' portal door and home: sign in by an e-mailed link (no password), sign out, the home page."""

from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from sesame.backends import ModelBackend as SesameBackend

from keyworker.accounts.models import User
from keyworker.core import clock
from keyworker.core.extensions import COMING, GOOD_NEWS, TO_DO
from keyworker.core.images import photo_response

from . import selectors, services
from .access import carer_required, is_carer
from .forms import SignInForm

SIGN_IN_NEXT_KEY = "portal_next"


def _not_for_staff(request) -> None:
    """Staff never sign in through the portal: signed in as staff, its door does not exist."""
    if request.user.is_authenticated and not is_carer(request.user):
        raise Http404


def _safe_next(request, value: str) -> str:
    if value and value.startswith(reverse("portal:home")) and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    ):
        return value
    return ""


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Ask for an e-mail address; always the same answer, whether the address is known or not."""
    _not_for_staff(request)
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignInForm(request.POST or None)
    if request.method == "GET" and (nxt := _safe_next(request, request.GET.get("next", ""))):
        request.session[SIGN_IN_NEXT_KEY] = nxt
    if request.method == "POST" and form.is_valid():
        services.sign_in_link_request(email=form.cleaned_data["email"], now=clock.now())
        return redirect("portal:sign_in_sent")
    return render(request, "portal/sign_in.html", {"form": form, "minutes": services.link_max_age() // 60},
                  status=400 if form.errors else 200)


def sign_in_sent(request):
    _not_for_staff(request)
    return render(request, "portal/sign_in_sent.html", {"minutes": services.link_max_age() // 60})


def _link_user(request, token: str):
    """The carer the link signs in, or None (used, expired, the address changed, not a carer's)."""
    if not token or len(token) > 500:
        return None
    backend = SesameBackend()
    for scope, max_age in (("", None), (services.INVITATION_SCOPE, services.invitation_max_age())):
        user = backend.authenticate(request, sesame=token, scope=scope, max_age=max_age)
        if user is not None:
            return user if services.may_sign_in(user) else None
    return None


def _invalid(request):
    return render(request, "portal/sign_in_link_invalid.html", {"minutes": services.link_max_age() // 60}, status=400)


@require_http_methods(["GET", "POST"])
def sign_in_link(request):
    """The link from the e-mail. Opening it shows a button; pressing it signs in (so a mail scanner that opens
    links does not spend the single-use link). Signing in sets the account's last sign-in, which voids the link."""
    _not_for_staff(request)
    token = (request.POST if request.method == "POST" else request.GET).get("sesame", "")
    user = _link_user(request, token)
    if user is None:
        return _invalid(request)
    if request.method == "GET":
        return render(request, "portal/sign_in_link.html", {"token": token, "person": user})
    nxt = request.session.get(SIGN_IN_NEXT_KEY, "")
    with transaction.atomic():
        # Two presses at once: the second waits here, then finds the link spent.
        User.objects.select_for_update().filter(pk=user.pk).first()
        user = _link_user(request, token)
        if user is None:
            return _invalid(request)
        login(request, user, backend="sesame.backends.ModelBackend")
    request.session.set_expiry(int(getattr(settings, "CARER_SESSION_IDLE_MINUTES", 15)) * 60)
    return redirect(nxt or "portal:home")


@require_POST
def sign_out(request):
    _not_for_staff(request)
    logout(request)
    return redirect("portal:sign_in")


@carer_required
def key_worker_photo(request, staff_id: int):
    """The photo of the carer's key worker (a current allocation of a family they may see); anyone else's: 404."""
    return photo_response(selectors.key_worker_photo(request.carer, staff_id).photo.name)


@carer_required
def home(request):
    """Per child, the key worker and how to reach them; then what is coming, good news and things to do."""
    as_of, now = clock.today(), clock.now()
    items = selectors.home_items(request.carer, as_of, now)
    return render(request, "portal/home.html", {
        "cards": selectors.key_worker_cards(request.carer, as_of),
        "coming": items.get(COMING, []), "good_news": items.get(GOOD_NEWS, []), "to_do": items.get(TO_DO, []),
        "as_of": as_of,
    })
