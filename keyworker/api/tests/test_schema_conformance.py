"""The API keeps its schema: schemathesis generates requests for every operation of /api/v1/schema/ and checks the
answers, as a leader and as a key worker, against the demo organisation on the test database.

Every case runs inside a savepoint that is rolled back, so no case sees another's writes (a deleted record, a new
family); the demo itself is built once for the module and rolled back at its end. Generation is derandomised, so CI
sends the same requests every run. Each operation is tried with generated ids (mostly "not found") and with the id
of a record the persona can see, so the answers for real records (restricted contacts, concerns) are checked too.

Checks: no 5xx, every status code documented, the content type documented, and each body valid against the
operation's schema for that status (200s, the 400 per-field errors, 401/403/404 details, 409 conflicts). Requests
with input the schema forbids are sent too and held to the same checks; whether each is refused is not checked
(`negative_data_rejection`): a non-numeric X-Organisation header and non-numeric limit/offset are ignored by design.
"""

import re
import time
from dataclasses import dataclass, field

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

# The database mark makes pytest-django set up the test database; the demo is built once, in `demo_api`.
pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

SCHEMA_PATH = "/api/v1/schema/?format=json"
POSITIVE_EXAMPLES = 4   # generated requests per operation and persona with input the schema allows
NEGATIVE_EXAMPLES = 2   # ... and with input it forbids
PERSONAS = ("leader", "key_worker")


@dataclass
class Run:
    cases: int = 0
    operations: int = 0
    failures: dict[tuple[str, str], str] = field(default_factory=dict)  # (operation, check) -> first message


@pytest.fixture(scope="module")
def demo_api(django_db_setup, django_db_blocker):
    """The demo organisation, a WSGI application and tokens for a leader and a key worker; all rolled back after."""
    import time_machine
    from django.core.wsgi import get_wsgi_application

    from conftest import FIXED_NOW
    from keyworker.accounts.models import User
    from keyworker.accounts.tokens import api_token_issue
    from keyworker.core import clock
    from keyworker.demo import builder

    # In a real server each request starts and ends with `close_old_connections`, which closes a connection inside
    # a transaction; here every request shares the test's connection and its savepoints.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with time_machine.travel(FIXED_NOW, tick=False), django_db_blocker.unblock(), transaction.atomic():
        demo = builder.build()
        tokens = {}
        for persona, role in (("leader", "Headteacher"), ("key_worker", "Key worker (teaching assistant)")):
            user = User.objects.get(email=next(s.email for s in demo.sign_ins if s.role == role))
            # Issued with a second factor, so restricted records (concerns, flagged contacts) are read, not refused.
            _token, key = api_token_issue(user=user, name="Schema conformance", second_factor_at=clock.now())
            tokens[persona] = key
        try:
            yield get_wsgi_application(), tokens
        finally:
            transaction.set_rollback(True)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _real_ids(schema, app, headers: dict[str, str]) -> dict[str, int]:
    """For each path parameter `{x}` of a path, the id of the first record the persona sees in the list before it."""
    from werkzeug.test import Client

    client = Client(app)
    found: dict[str, int] = {}
    for path in schema.raw_schema["paths"]:
        for match in re.finditer(r"\{(\w+)\}", path):
            list_path = path[: match.start()]
            if "{" in list_path or list_path in found:
                continue
            with transaction.atomic():
                response = client.get(list_path, headers=headers, query_string={"limit": 1})
                transaction.set_rollback(True)
            body = response.get_json(silent=True) if response.status_code == 200 else None
            rows = body.get("results") if isinstance(body, dict) else body
            if isinstance(rows, list) and rows and isinstance(rows[0], dict) and isinstance(rows[0].get("id"), int):
                found[list_path] = rows[0]["id"]
    return found


def _checks():
    from schemathesis import checks

    return [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
            checks.response_schema_conformance]


def _exercise(operation, strategy, examples: int, headers: dict[str, str], run: Run) -> None:
    checks = _checks()

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(case=strategy)
    def one(case):
        run.cases += 1
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                case.validate_response(response, checks=checks, headers=headers)
            except (AssertionError, BaseExceptionGroup) as exc:  # a Failure, or a FailureGroup of several
                for failure in getattr(exc, "exceptions", [exc]):
                    key = (operation.label, getattr(failure, "title", type(failure).__name__))
                    run.failures.setdefault(key, f"{failure}\n{case.as_curl_command(headers=headers)}"[:3000])
            finally:
                transaction.set_rollback(True)

    try:
        one()
    except Unsatisfiable:  # nothing in the operation's input can be made invalid (no parameters, no body)
        pass


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_keeps_its_schema(demo_api, persona):
    import schemathesis
    from schemathesis import GenerationMode

    app, tokens = demo_api
    headers = {"Authorization": f"Token {tokens[persona]}"}
    started = time.monotonic()
    run = Run()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, app)
    schema.config.generation.update(with_security_parameters=False, deterministic=True)
    real = _real_ids(schema, app, headers)
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1
        prefix = re.match(r"[^{]*", operation.path).group(0)
        params = [p.name for p in operation.path_parameters]
        positive = operation.as_strategy(GenerationMode.POSITIVE)
        if len(params) == 1 and prefix in real:
            positive = st.one_of(positive, operation.as_strategy(
                GenerationMode.POSITIVE, path_parameters={params[0]: real[prefix]}))
        _exercise(operation, positive, POSITIVE_EXAMPLES, headers, run)
        _exercise(operation, operation.as_strategy(GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES, headers, run)
    elapsed = time.monotonic() - started
    print(f"\n{persona}: {len(run.failures)} failures in {len({op for op, _ in run.failures})} operations")
    print(f"\n{persona}: {run.cases} cases, {run.operations} operations, {elapsed:.1f} s")
    report = "\n\n".join(f"{op} — {check}\n{message}" for (op, check), message in sorted(run.failures.items()))
    assert not run.failures, f"{len(run.failures)} failures in {len({op for op, _ in run.failures})} operations:\n\n{report}"
