"""Attach the acting user (`request.actor`) to every request, built lazily and once."""

from django.utils.functional import SimpleLazyObject

from .access import SESSION_ORGANISATION_KEY, actor_for


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(
            lambda: actor_for(request.user, request.session.get(SESSION_ORGANISATION_KEY))
        )
        return self.get_response(request)
