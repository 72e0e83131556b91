"""Shared fixtures: the persona world, signed-in clients, a fixed clock."""

import datetime as dt
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in the test thread

FIXED_NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)  # a Wednesday in Autumn 2


@pytest.fixture
def clock():
    """Fix time at FIXED_NOW; `clock.shift(...)` moves it."""
    import time_machine

    with time_machine.travel(FIXED_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    from keyworker.testing import make_world

    return make_world()


@pytest.fixture
def client_for(client):
    """Sign in as a staff member: `client_for(world.ta_a)`."""

    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
