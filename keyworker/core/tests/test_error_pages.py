"""Keyworker's own pages for an address that is not there (404) and for an unexpected error (500)."""

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import path

import config.urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise DatabaseError("the database went away")


urlpatterns = [path("boom/", _boom), *config.urls.urlpatterns]
handler403, handler404, handler500 = config.urls.handler403, config.urls.handler404, config.urls.handler500


def test_an_unknown_address_shows_keyworkers_page_not_found(world, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "core/404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Page not found" in html and "Go to your start page" in html
    client.force_login(world.ta_a.user)
    response = client.get("/families/999999999/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@pytest.mark.urls("keyworker.core.tests.test_error_pages")
def test_an_unexpected_error_shows_keyworkers_own_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.ta_a.user)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert [t.name for t in response.templates] == ["core/500.html"]
    html = response.content.decode()
    assert "Sorry, something went wrong" in html and "Go to your start page" in html
    assert "Traceback" not in html and "DatabaseError" not in html and "the database went away" not in html
    assert "Content-Security-Policy" in response.headers


@pytest.mark.urls("keyworker.core.tests.test_error_pages")
def test_the_error_page_shows_even_when_the_context_processors_fail(monkeypatch):
    from django.template import engines

    # What failed may be the session, the signed-in person or the database the context processors read.
    def broken(request):
        raise DatabaseError("no database")

    monkeypatch.setattr(engines["django"].engine, "template_context_processors", (broken,))
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode() and "Go to your start page" in response.content.decode()
