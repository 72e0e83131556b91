"""Shared fixtures: the persona world, signed-in clients, a fixed clock."""

import contextlib
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


@pytest.fixture(autouse=True)
def _force_login_proves_second_factor(monkeypatch):
    """A test client's `force_login` (Django's and DRF's) also proves a second factor (an app) for people who would be
    asked for one, as signing in would; `force_login(user, second_factor=False)` stops after the password."""
    from django.test.client import ClientMixin

    password_only = ClientMixin.force_login

    def force_login(self, user, backend=None, second_factor=True):
        password_only(self, user, backend)
        from keyworker.testing import needs_second_factor, verify_second_factor

        if second_factor and needs_second_factor(user):
            verify_second_factor(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def client_for(client):
    """Sign in as a staff member: `client_for(world.ta_a)` (with a proved second factor when the role needs one)."""

    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests only need passwords to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _flush_past_append_only_tables():
    """Transactional tests end with a flush, which on SQLite deletes row by row: the audit triggers step aside."""
    from django.db import connection

    from keyworker.core import append_only

    if connection.vendor != "sqlite":  # PostgreSQL flushes with TRUNCATE, which the row triggers let through
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.execute_sql_flush

    def flush(self, sql_list):
        with append_only.lifted(connection=self.connection):
            original(self, sql_list)

    DatabaseOperations.execute_sql_flush = flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _installation_in_use():
    """Tests run in an installation that is in use: no page is sent to the first-run page, whether or not the test
    made any account. The first run's own tests ask for `new_installation`."""
    from keyworker.accounts import installation_services

    installation_services._users_exist = True
    yield
    installation_services.installation_forget_users()


@pytest.fixture
def new_installation(_installation_in_use):
    """A new installation: whether anyone has an account is asked of the (empty) database again."""
    from keyworker.accounts.installation_services import installation_forget_users

    installation_forget_users()


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Tasks run where they are queued, so a test sees their work at once; tests of the queues choose their own."""
    settings.KEYWORKER_TASKS_BACKEND = "immediate"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": settings.TASK_QUEUES}}


@pytest.fixture(autouse=True)
def _worker_read_limits_end_with_the_test():
    """A test that runs the worker (which limits its sessions' parallel reads) leaves the next test's sessions as the
    server has them."""
    yield
    from keyworker.core.processes import stop_limiting_parallel_reads

    stop_limiting_parallel_reads()


@contextlib.contextmanager
def built_once(django_db_blocker, build):
    """For a module-scoped fixture: what `build()` makes (the demo, say), at the suite's fixed time, inside a
    transaction rolled back when the module ends."""
    import time_machine
    from django.db import transaction
    from django.test import override_settings

    from keyworker.demo import builder

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # as every test
    with django_db_blocker.unblock(), time_machine.travel(FIXED_NOW, tick=False), fast:
        builder._demo_password_hash.cache_clear()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            builder._demo_password_hash.cache_clear()  # the next build hashes under the settings of its own test
