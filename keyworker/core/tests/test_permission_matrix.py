"""The permission matrix: every URL pattern (pages and /api/v1/ routes), called as every persona, against one table.

The routes are read from the URL configuration, so a route added later without a line in EXPECTED fails
`test_every_route_has_an_expectation` with its name. Each route's path parameters are filled with the ids of real
records of the organisation it belongs to (the demo's school; the childcare group for its own `care:` pages and API),
preferring one focus child's records, so the key worker and the carer see theirs. Each persona then GETs the route;
a route that answers 405 (it only takes POST) is POSTed with an empty body instead. Every request runs in a savepoint
that is rolled back, so no answer depends on the order of the calls.

Answers are written as: a status code ("200", "403", "404", "405", "400", "401"), "signin" (a redirect to the staff
or the carers' sign-in page), "confirm" (a redirect to /accounts/confirm/: a restricted record needs the password
again, `accounts/restricted.py`), "302" (any other redirect). A 500 is never expected.

Personas: the school's headteacher and deputy (LEADERS), its safeguarding lead, the focus child's class teacher and
key worker (a teaching assistant), its admin office (the six: SCHOOL); the childcare group's manager and the focus
child's key person there (GROUP); the focus child's carer with a portal account (carer); nobody signed in (anon).
For a school route the GROUP personas are members of another organisation, and the other way round.

The rules every line of the table must keep are checked on the table itself (`test_table_keeps_the_rules`): another
organisation's member gets 404, never 200 or 403, on any route with an id; a carer gets 404 on staff pages and staff
get 404 on the carers' pages; anonymous is sent to sign in (pages) or gets 401/403 (API).
"""

import collections
import re

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from .matrix_world import GROUP, SCHOOL, MatrixWorld, build_matrix_world

SCHOOL_STAFF = ("head", "deputy", "dsl", "teacher", "ta", "admin")
GROUP_STAFF = ("manager", "key_person")
PERSONAS = (*SCHOOL_STAFF, *GROUP_STAFF, "carer", "anon")
GROUPS = {"SCHOOL": SCHOOL_STAFF, "LEADERS": ("head", "deputy"), "GROUP": GROUP_STAFF}

# Routes not called, with the reason.
SKIPPED = {
    "admin": "Django's admin site for installation operators (superusers only): core/tests/test_admin_site.py",
    "api:schema": "the OpenAPI document, the same for everyone who signs in (takes seconds): api/tests/test_schema*",
    "api:docs": "Swagger UI over the schema, no records: api/tests",
    "api:redoc": "Redoc over the schema, no records: api/tests",
    "otp_webauthn:js-i18n-catalog": "the passkey library's translations, no records",
}

# Routes answered by a secret in the address (a calendar feed), not by who signs in: anyone holding it gets it.
CAPABILITY = {"organisations:term_dates_feed", "meetings:calendar_feed"}
# Old addresses that moved, kept so links still work: they send everyone on to the new one.
MOVED = {"safeguarding:confirm"}
# Pages anyone may open: the doors in, and what leads to them.
PUBLIC = {
    "home", "favicon", "accounts:login", "accounts:password_reset", "accounts:password_reset_done",
    "accounts:password_reset_confirm", "accounts:password_reset_complete", "installation:first_run",
    "portal:sign_in", "portal:sign_in_sent", "portal:sign_in_link", "api:token", "api:not-found",
    "otp_webauthn:credential-authentication-begin", "otp_webauthn:credential-authentication-complete",
}

# The model whose id fills each path parameter (by route, then by the parameter's name).
PARAMETER_MODELS = {
    "obligation_id": "standards.Obligation", "invitation_id": "accounts.StaffInvitation", "token_id": "accounts.ApiToken",
    "notification_id": "notifications.Notification", "delivery_id": "notifications.Delivery", "role_id": "accounts.Role",
    "setting_id": "organisations.Setting", "family_id": "people.Family", "child_id": "people.Child",
    "carer_id": "people.Carer", "allocation_id": "caseload.KeyWorkerAllocation", "staff_id": "accounts.StaffMember",
    "job_id": "imports.ImportJob", "mapping_id": "imports.SavedMapping", "upload_id": "imports.CtfImport", "policy_id": "standards.Policy",
    "standard_id": "standards.Standard", "revision_id": "standards.StandardRevision", "change_id": "standards.StandardRevision",
    "contact_id": "contacts.ContactLog", "message_id": "contacts.PortalMessage", "celebration_id": "celebrations.Celebration",
    "briefing_id": "briefings.Briefing", "group_id": "organisations.Group", "correction_id": "datachecks.Correction",
    "check_id": "datachecks.DataCheck", "form_id": "enrolment.EnrolmentForm", "follow_up_id": "wellbeing.WellbeingFollowUp",
    "agency_id": "wellbeing.Agency", "appointment_id": "meetings.Appointment", "invitee_id": "meetings.Invitee",
    "evening_id": "meetings.ParentsEvening", "slot_id": "meetings.EveningSlot", "review_id": "meetings.AnnualReview",
    "photo_id": "care.ObservationPhoto", "wow_id": "care.WowMoment", "observation_id": "care.Observation",
    "step_id": "care.NextStep", "sample_id": "care.MonitoringSample", "finding_id": "care.MonitoringFinding",
    "target_id": "targets.LearningTarget", "homework_id": "targets.Homework", "visit_id": "transitions.TransitionVisit",
    "plan_id": "transitions.TransitionPlan", "reminder_id": "meetings.AppointmentReminder",
    "passkey_id": "django_otp_webauthn.WebAuthnCredential", "export_id": "core.ExportJob",
}
ROUTE_PARAMETER_MODELS = {
    # The API's briefings are the reader's own rows of them, looked up by the briefing's id.
    ("api:briefing-detail", "pk"): "briefings.Briefing",
    ("api:briefing-acknowledge", "pk"): "briefings.Briefing",
    ("attendance", "concern_id"): "attendance.AttendanceConcern",
    ("safeguarding", "concern_id"): "safeguarding.Concern",
    ("wellbeing", "concern_id"): "wellbeing.WellbeingConcern",
    ("api:attendance-concern", "concern_id"): "attendance.AttendanceConcern",
    ("safeguarding", "entry_id"): "safeguarding.Entry",
    ("organisations:calendar_entry", "entry_id"): "organisations.HalfTerm",
    ("care:monitoring_item_score", "item_id"): "care.MonitoringItem",
    ("care:checklists_item_remove", "item_id"): "care.ChecklistItem",
}
# Parameters that are words, not ids.
WORDS = {
    ("organisations:calendar_entry", "kind"): "half-term", "kind": "enrolment", "size": "thumb", "fmt": "json",
    "uidb64": "MQ", "token": "set-password",
}
MISSING = 987654321  # the id used when the organisation has no such record (the table then expects 404)


def _routes() -> dict[str, tuple[str, dict, object]]:
    """name -> (pattern, converters, view) of every named URL pattern, nested includes too."""
    found: dict[str, tuple[str, dict, object]] = {}

    def walk(resolver, prefix: str, namespaces: list[str], converters: dict) -> None:
        for p in resolver.url_patterns:
            merged = {**converters, **getattr(p.pattern, "converters", {})}
            if hasattr(p, "url_patterns"):
                walk(p, prefix + str(p.pattern), namespaces + ([p.namespace] if p.namespace else []), merged)
            elif p.name:
                found.setdefault(":".join([*namespaces, p.name]), (prefix + str(p.pattern), merged, p.callback))

    walk(get_resolver(), "", [], {})
    return found


ROUTES = _routes()


def _skipped(name: str) -> bool:
    return name in SKIPPED or name.split(":")[0] in SKIPPED


CALLED = sorted(name for name in ROUTES if not _skipped(name))


def home_of(name: str) -> str:
    """The organisation whose records fill the route: the childcare group's for its own pages and API (care, and
    enrolment forms, which only its settings use); the school's for the rest."""
    care_api = name.startswith("api:") and any(word in name for word in (
        "checklist", "monitoring", "journal", "introduction", "chat-session", "care-plan", "enrolment-form"))
    return GROUP if name.startswith(("care:", "enrolment:")) or care_api else SCHOOL


def _model_of(name: str, param: str, view) -> str | None:
    namespace = name.split(":")[0]
    if (name, param) in ROUTE_PARAMETER_MODELS:
        return ROUTE_PARAMETER_MODELS[(name, param)]
    if (namespace, param) in ROUTE_PARAMETER_MODELS:
        return ROUTE_PARAMETER_MODELS[(namespace, param)]
    if param == "pk":  # an API viewset: its queryset's or serializer's model
        cls = getattr(view, "cls", None)
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            return queryset.model._meta.label
        serializer = getattr(cls, "serializer_class", None)
        return serializer.Meta.model._meta.label
    return PARAMETER_MODELS.get(param)


def url_for(world: MatrixWorld, name: str) -> str:
    from django.apps import apps

    if name == "api:not-found":
        return "/api/v1/no-such-resource/"
    _pattern, converters, view = ROUTES[name]
    org = home_of(name)
    kwargs: dict[str, object] = {}
    for param in converters:
        if param == "token" and name in CAPABILITY:
            kwargs[param] = world.feed_tokens[name]
        elif param == "item":
            kwargs[param] = world.checklist_item
        elif (word := WORDS.get((name, param), WORDS.get(param))) is not None:
            kwargs[param] = word
        else:
            label = _model_of(name, param, view)
            pk = world.pk_of(apps.get_model(label), org) if label else None
            kwargs[param] = pk if pk is not None else MISSING
    return reverse(name, kwargs=kwargs)


def answer(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(("/accounts/sign-in/", "/family/sign-in/")):
            return "signin"
        if location.startswith("/accounts/confirm/"):
            return "confirm"
        return "302"
    return str(response.status_code)


def call(world: MatrixWorld, persona: str, name: str, url: str) -> str:
    client = world.client(persona)
    api = name.startswith("api:")
    with transaction.atomic():
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, "{}", content_type="application/json") if api else client.post(url)
        transaction.set_rollback(True)
    result = answer(response)
    if result == "500":
        exc = getattr(response, "exc_info", None)
        result = f"500 ({exc[1]!r})" if exc else "500"
    return result


def expand(row: str) -> dict[str, str]:
    """'SCHOOL=200 teacher=404 GROUP=404 carer=404 anon=signin' -> the answer of each persona (left to right)."""
    out: dict[str, str] = {}
    for item in row.split():
        who, _, value = item.partition("=")
        for persona in GROUPS.get(who, (who,)):
            assert persona in PERSONAS, f"unknown persona {persona} in {row!r}"
            out[persona] = value
    missing = set(PERSONAS) - set(out)
    assert not missing, f"{row!r} gives no answer for {sorted(missing)}"
    return out


def compress(answers: dict[str, str]) -> str:
    """The shortest usual way to write a row of answers (what a failing test suggests)."""
    school = [answers[p] for p in SCHOOL_STAFF]
    common = collections.Counter(school).most_common(1)[0][0]
    parts = [f"SCHOOL={common}"]
    if answers["head"] == answers["deputy"] != common:
        parts.append(f"LEADERS={answers['head']}")
    parts += [f"{p}={answers[p]}" for p in SCHOOL_STAFF if answers[p] != common
              and not (p in GROUPS["LEADERS"] and answers["head"] == answers["deputy"] != common)]
    if answers["manager"] == answers["key_person"]:
        parts.append(f"GROUP={answers['manager']}")
    else:
        parts += [f"manager={answers['manager']}", f"key_person={answers['key_person']}"]
    parts += [f"carer={answers['carer']}", f"anon={answers['anon']}"]
    return " ".join(parts)


# --- The table ------------------------------------------------------------------------------------------------------
# Route name -> the answer of each persona. Staff pages of the school end "GROUP=404 carer=404 anon=signin".
EXPECTED: dict[str, str] = {
    "accounts:account": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:account_photo": "SCHOOL=400 GROUP=400 carer=404 anon=signin",
    "accounts:account_photo_remove": "SCHOOL=302 GROUP=302 carer=404 anon=signin",
    "accounts:confirm": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:invitation_answer": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "accounts:invitations": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:login": "SCHOOL=302 GROUP=302 carer=404 anon=200",
    "accounts:logout": "SCHOOL=signin GROUP=signin carer=404 anon=signin",
    "accounts:password_reset": "SCHOOL=200 GROUP=200 carer=404 anon=200",
    "accounts:password_reset_complete": "SCHOOL=200 GROUP=200 carer=404 anon=200",
    "accounts:password_reset_confirm": "SCHOOL=200 GROUP=200 carer=404 anon=200",
    "accounts:password_reset_done": "SCHOOL=200 GROUP=200 carer=404 anon=200",
    "accounts:second_factor": "SCHOOL=200 teacher=302 ta=302 manager=200 key_person=302 carer=404 anon=signin",
    "accounts:second_factor_app": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:second_factor_devices": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:second_factor_passkey_name": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "accounts:second_factor_passkeys": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:second_factor_recovery_codes": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "accounts:second_factor_remove": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "accounts:sign_out_everywhere": "SCHOOL=302 GROUP=302 carer=404 anon=signin",
    "accounts:staff_photo": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "accounts:switch_organisation": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "accounts:token_revoke": "SCHOOL=404 dsl=302 GROUP=404 carer=404 anon=signin",

    "api:agency-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:agency-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:allocation-assign": "SCHOOL=403 LEADERS=400 manager=400 key_person=403 carer=404 anon=401",
    "api:allocation-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:allocation-end": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=401",
    "api:allocation-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:allocation-reassign": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=401",
    "api:allocations-apply": "SCHOOL=400 GROUP=400 carer=404 anon=401",
    "api:allocations-propose": "SCHOOL=400 GROUP=400 carer=404 anon=401",
    "api:annual-review-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:annual-review-family-views": "SCHOOL=200 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=401",
    "api:annual-review-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:annual-review-schedule": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:annual-review-share-booklet": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:annual-review-steps": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:api-root": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:appointment-attendance": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:appointment-cancel": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:appointment-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:appointment-invite": "SCHOOL=400 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=401",
    "api:appointment-invitee-detail": "SCHOOL=200 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:appointment-invitee-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:appointment-invitee-rsvp": "SCHOOL=400 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:appointment-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:appointment-reminders": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:attendance-codes": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:attendance-concern": "SCHOOL=404 LEADERS=200 GROUP=404 carer=404 anon=401",
    "api:attendance-concerns": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:attendance-marks": "SCHOOL=400 GROUP=400 carer=404 anon=401",
    "api:attendance-rates": "SCHOOL=400 GROUP=400 carer=404 anon=401",
    "api:briefing-acknowledge": "SCHOOL=404 teacher=200 ta=200 GROUP=404 carer=404 anon=401",
    "api:briefing-acknowledge-all": "SCHOOL=400 GROUP=400 carer=404 anon=401",
    "api:briefing-detail": "SCHOOL=404 teacher=200 ta=200 GROUP=404 carer=404 anon=401",
    "api:briefing-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:calendar-address": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:care-plan-comment-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:care-plan-comment-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:care-plan-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:care-plan-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:care-plan-review-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:care-plan-review-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:care-plan-versions": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:carer-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:carer-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:celebration-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:celebration-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:celebration-share": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:celebration-void": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=401",
    "api:chat-session-detail": "SCHOOL=404 GROUP=404 carer=404 anon=401",
    "api:chat-session-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:checklist-detail": "SCHOOL=404 GROUP=200 carer=404 anon=401",
    "api:checklist-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:checklist-take-back": "SCHOOL=404 GROUP=400 carer=404 anon=401",
    "api:checklist-tick": "SCHOOL=404 GROUP=400 carer=404 anon=401",
    "api:child-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:child-key-aspect-changes": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:child-key-aspects": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:child-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:class-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:class-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:compliance": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:contact-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:contact-flag": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:contact-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:contact-void": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=401",
    "api:ctf-import-child": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=401",
    "api:ctf-import-confirm": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=401",
    "api:ctf-import-detail": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=401",
    "api:ctf-import-list": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=401",
    "api:data-check-admin-confirm": "SCHOOL=400 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=401",
    "api:data-check-correction-apply": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=401",
    "api:data-check-correction-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:data-check-correction-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:data-check-correction-reject": "SCHOOL=400 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=401",
    "api:data-check-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:data-check-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:enrolment-form-accept": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:enrolment-form-ask-changes": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:enrolment-form-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:enrolment-form-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:family-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:family-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:homework-detail": "SCHOOL=200 dsl=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:homework-feedback": "SCHOOL=400 dsl=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:homework-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:homework-returns": "SCHOOL=400 dsl=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:introduction-detail": "SCHOOL=404 GROUP=200 carer=404 anon=401",
    "api:introduction-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:journal-comment-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:journal-comment-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:journal-next-step-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:journal-next-step-done": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:journal-next-step-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:journal-observation-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:journal-observation-hide": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:journal-observation-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:journal-wow-moment-approve": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:journal-wow-moment-decline": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:journal-wow-moment-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:journal-wow-moment-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:learning-target-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:learning-target-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:learning-target-review": "SCHOOL=400 GROUP=404 carer=404 anon=401",
    "api:learning-target-share": "SCHOOL=400 GROUP=400 carer=404 anon=401",
    "api:me": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:message-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:message-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:message-read": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:monitoring-finding-acknowledge": "SCHOOL=404 GROUP=404 carer=404 anon=401",
    "api:monitoring-finding-detail": "SCHOOL=404 GROUP=404 carer=404 anon=401",
    "api:monitoring-finding-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:monitoring-rows": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:monitoring-sample-detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=401",
    "api:monitoring-sample-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:monitoring-sample-score": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:monitoring-sample-sign-off": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=401",
    "api:not-found": "SCHOOL=404 GROUP=404 carer=404 anon=404",
    "api:note-from-home-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:note-from-home-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:obligation-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:obligation-events": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:obligation-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:obligation-waive": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=401",
    "api:organisation-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:organisation-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:parents-evening-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:parents-evening-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:parents-evening-slot-book": "SCHOOL=400 dsl=404 teacher=404 ta=403 GROUP=404 carer=404 anon=401",
    "api:parents-evening-slot-cancel": "SCHOOL=200 dsl=404 teacher=404 ta=403 GROUP=404 carer=404 anon=401",
    "api:parents-evening-slot-detail": "SCHOOL=200 dsl=404 teacher=404 GROUP=404 carer=404 anon=401",
    "api:parents-evening-slot-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:parents-evening-slot-move": "SCHOOL=400 dsl=404 teacher=404 ta=403 GROUP=404 carer=404 anon=401",
    "api:policy-acknowledge": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:policy-acknowledge-change": "SCHOOL=404 GROUP=404 carer=404 anon=401",
    "api:policy-changes": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:policy-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:policy-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:portal-invitation-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:portal-invitation-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:positivity": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:positivity-rule": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:safeguarding-concern-detail": "SCHOOL=403 teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:safeguarding-concern-entries": "SCHOOL=400 teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:safeguarding-concern-list": "SCHOOL=200 teacher=404 ta=404 admin=404 manager=200 key_person=404 carer=404 anon=401",
    "api:setting-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:setting-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:staff-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:staff-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:standard-detail": "SCHOOL=200 GROUP=404 carer=404 anon=401",
    "api:standard-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:token": "SCHOOL=401 GROUP=401 carer=404 anon=401",
    "api:transition-plan-add-visit": "SCHOOL=400 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:transition-plan-detail": "SCHOOL=200 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:transition-plan-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:transition-plan-share-dates": "SCHOOL=200 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:transition-visit-detail": "SCHOOL=200 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:transition-visit-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:transition-visit-write-up": "SCHOOL=400 teacher=404 ta=404 GROUP=404 carer=404 anon=401",
    "api:wellbeing-concern-close": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:wellbeing-concern-detail": "SCHOOL=200 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:wellbeing-concern-follow-ups": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:wellbeing-concern-list": "SCHOOL=200 GROUP=200 carer=404 anon=401",
    "api:wellbeing-concern-refer": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:wellbeing-concern-referral-response": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=401",
    "api:wellbeing-concern-signpost": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=401",

    "attendance:child": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "attendance:class": "SCHOOL=200 dsl=403 GROUP=404 carer=404 anon=signin",
    "attendance:concern": "SCHOOL=404 LEADERS=200 GROUP=404 carer=404 anon=signin",
    "attendance:concern_list": "SCHOOL=200 admin=403 GROUP=200 carer=404 anon=signin",
    "attendance:concerns": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "attendance:escalation_setup": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "attendance:import": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "attendance:import_ctf": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "attendance:index": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "attendance:register": "SCHOOL=200 dsl=403 GROUP=404 carer=404 anon=signin",
    "attendance:room_sessions": "SCHOOL=404 dsl=403 GROUP=404 carer=404 anon=signin",
    "attendance:settings": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "attendance:unexplained": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",

    "audit:export": "SCHOOL=404 head=200 manager=200 key_person=404 carer=404 anon=signin",
    "audit:search": "SCHOOL=200 dsl=404 teacher=404 ta=404 manager=200 key_person=404 carer=404 anon=signin",

    "briefings:acknowledge": "SCHOOL=404 teacher=302 ta=302 GROUP=404 carer=404 anon=signin",
    "briefings:acknowledge_child": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "briefings:class_changes": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "briefings:class_progress": "SCHOOL=403 LEADERS=200 GROUP=404 carer=404 anon=signin",
    "briefings:classes": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "briefings:detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "briefings:list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",

    "care:chats": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "care:chats_child": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "care:checklists": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "care:checklists_child": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:checklists_introducer": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:checklists_item_add": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:checklists_item_remove": "SCHOOL=404 manager=302 key_person=404 carer=404 anon=signin",
    "care:checklists_review_days": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:checklists_setup": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:checklists_tick": "SCHOOL=404 GROUP=400 carer=404 anon=signin",
    "care:checklists_untick": "SCHOOL=404 GROUP=302 carer=404 anon=signin",
    "care:introductions": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "care:introductions_record": "SCHOOL=404 manager=200 key_person=403 carer=404 anon=signin",
    "care:journal": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:journal_chart": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:journal_edit": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:journal_hide": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:journal_new": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:journal_next_step": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:journal_next_step_done": "SCHOOL=404 manager=302 key_person=404 carer=404 anon=signin",
    "care:journal_observation": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:journal_photo": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:journal_wow_approve": "SCHOOL=404 manager=302 key_person=404 carer=404 anon=signin",
    "care:journal_wow_decline": "SCHOOL=404 manager=302 key_person=404 carer=404 anon=signin",
    "care:journal_wow_photo": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:journals": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "care:monitoring": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:monitoring_finding": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "care:monitoring_finding_acknowledge": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "care:monitoring_index": "SCHOOL=404 manager=302 key_person=404 carer=404 anon=signin",
    "care:monitoring_item_score": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "care:monitoring_sample": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "care:monitoring_sample_start": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:monitoring_sign_off": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "care:plan": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:plan_edit": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:plan_history": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:plan_review": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "care:plans": "SCHOOL=200 GROUP=200 carer=404 anon=signin",

    "caseload:allocate_everyone": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "caseload:allocation": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "caseload:end": "SCHOOL=403 LEADERS=302 manager=404 key_person=403 carer=404 anon=signin",
    "caseload:family": "SCHOOL=403 LEADERS=200 manager=404 key_person=403 carer=404 anon=signin",
    "caseload:reassign_caseload": "SCHOOL=403 LEADERS=200 manager=404 key_person=403 carer=404 anon=signin",

    "celebrations:detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "celebrations:list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "celebrations:new": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "celebrations:positivity": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "celebrations:positivity_rule": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "celebrations:share": "SCHOOL=400 GROUP=404 carer=404 anon=signin",
    "celebrations:void": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=signin",

    "contacts:detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "contacts:edit": "SCHOOL=403 ta=200 GROUP=404 carer=404 anon=signin",
    "contacts:flag": "SCHOOL=400 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "contacts:list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "contacts:message_no_reply": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "contacts:messages": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "contacts:new": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "contacts:void": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=signin",

    "dashboard:carer_erase": "SCHOOL=403 head=200 manager=404 key_person=403 carer=404 anon=signin",
    "dashboard:carer_subject_access": "SCHOOL=403 head=200 manager=404 key_person=403 carer=404 anon=signin",
    "dashboard:child_subject_access": "SCHOOL=403 head=200 manager=404 key_person=403 carer=404 anon=signin",
    "dashboard:family": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "dashboard:family_list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "dashboard:my_families": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "dashboard:timeline": "SCHOOL=200 GROUP=404 carer=404 anon=signin",

    "datachecks:admin_confirm": "SCHOOL=400 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "datachecks:confirm": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "datachecks:correction_apply": "SCHOOL=302 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "datachecks:correction_reject": "SCHOOL=400 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "datachecks:corrections": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "datachecks:detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "datachecks:mine": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "datachecks:progress": "SCHOOL=200 dsl=302 teacher=302 ta=302 manager=200 key_person=302 carer=404 anon=signin",

    "enrolment:accept": "SCHOOL=404 manager=302 key_person=404 carer=404 anon=signin",
    "enrolment:ask_changes": "SCHOOL=404 manager=400 key_person=404 carer=404 anon=signin",
    "enrolment:child": "SCHOOL=404 GROUP=200 carer=404 anon=signin",
    "enrolment:detail": "SCHOOL=404 manager=200 key_person=404 carer=404 anon=signin",
    "enrolment:list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",

    # Prepared downloads: the headteacher's archive (waiting for the worker) is theirs alone; its download sends
    # them back to its page until it is ready.
    "exports:download": "SCHOOL=404 head=302 GROUP=404 carer=404 anon=signin",
    "exports:export": "SCHOOL=404 head=200 GROUP=404 carer=404 anon=signin",
    "exports:organisation_archive": "SCHOOL=403 head=200 manager=403 key_person=403 carer=404 anon=signin",

    "favicon": "SCHOOL=302 GROUP=302 carer=302 anon=302",

    "getting_started:checklist": "SCHOOL=404 LEADERS=200 manager=200 key_person=404 carer=404 anon=signin",
    "getting_started:invite": "SCHOOL=404 LEADERS=302 manager=302 key_person=404 carer=404 anon=signin",

    "home": "SCHOOL=302 GROUP=302 carer=404 anon=signin",

    "imports:confirm": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:ctf_confirm": "SCHOOL=302 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:ctf_export": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "imports:ctf_preview": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:ctf_start": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "imports:job": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:mapping": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:preview": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:progress": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:result": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "imports:save_mapping": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "imports:saved_mapping": "SCHOOL=200 dsl=404 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "imports:saved_mapping_delete": "SCHOOL=302 dsl=404 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "imports:saved_mappings": "SCHOOL=200 dsl=404 teacher=404 ta=404 manager=200 key_person=404 carer=404 anon=signin",
    "imports:start": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",

    "installation:first_run": "SCHOOL=404 GROUP=404 carer=404 anon=404",
    "installation:organisations": "SCHOOL=404 GROUP=404 carer=404 anon=signin",

    "meetings:appointment_ics": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "meetings:attendance": "SCHOOL=400 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "meetings:calendar": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "meetings:calendar_address": "SCHOOL=302 GROUP=302 carer=404 anon=signin",
    "meetings:calendar_feed": "SCHOOL=404 GROUP=404 carer=404 anon=404",
    "meetings:cancel": "SCHOOL=400 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "meetings:change": "SCHOOL=200 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "meetings:detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "meetings:evening_attendance": "SCHOOL=302 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "meetings:evening_cancel": "SCHOOL=403 LEADERS=200 GROUP=404 carer=404 anon=signin",
    "meetings:evening_close": "SCHOOL=403 LEADERS=302 GROUP=404 carer=404 anon=signin",
    "meetings:evening_detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "meetings:evening_edit": "SCHOOL=403 LEADERS=200 GROUP=404 carer=404 anon=signin",
    "meetings:evening_list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "meetings:evening_new": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "meetings:evening_slot": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "meetings:evening_staff_timetable": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "meetings:evening_timetable": "SCHOOL=404 dsl=200 teacher=200 ta=200 GROUP=404 carer=404 anon=signin",
    "meetings:list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "meetings:new": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "meetings:reminder_done": "SCHOOL=302 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=signin",
    "meetings:review": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "meetings:review_booklet": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "meetings:review_family_views": "SCHOOL=200 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "meetings:review_invite_key_worker": "SCHOOL=302 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",
    "meetings:review_of_child": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "meetings:review_open": "SCHOOL=403 LEADERS=200 GROUP=404 carer=404 anon=signin",
    "meetings:review_schedule": "SCHOOL=403 LEADERS=200 GROUP=404 carer=404 anon=signin",
    "meetings:review_share_booklet": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "meetings:review_step": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "meetings:reviews": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "meetings:rsvp": "SCHOOL=404 dsl=403 teacher=403 admin=403 GROUP=404 carer=404 anon=signin",

    "notifications:deliveries": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "notifications:delivery_try_again": "SCHOOL=404 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "notifications:detail": "SCHOOL=404 ta=200 GROUP=404 carer=404 anon=signin",
    "notifications:inbox": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "notifications:mark_all_read": "SCHOOL=302 GROUP=302 carer=404 anon=signin",
    "notifications:preferences": "SCHOOL=400 GROUP=400 carer=404 anon=signin",

    "organisations:calendar_entry": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "organisations:portal_access": "SCHOOL=302 dsl=403 teacher=403 ta=403 manager=302 key_person=403 carer=404 anon=signin",
    "organisations:second_factor": "SCHOOL=302 dsl=403 teacher=403 ta=403 manager=302 key_person=403 carer=404 anon=signin",
    "organisations:setting": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "organisations:setup": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "organisations:term_dates_download": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "organisations:term_dates_feed": "SCHOOL=200 GROUP=200 carer=404 anon=200",
    "organisations:term_dates_import": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "organisations:typical_year": "SCHOOL=302 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",

    "otp_webauthn:credential-authentication-begin": "SCHOOL=200 GROUP=200 carer=404 anon=403",
    "otp_webauthn:credential-authentication-complete": "SCHOOL=400 GROUP=400 carer=404 anon=403",
    "otp_webauthn:credential-registration-begin": "SCHOOL=200 GROUP=200 carer=404 anon=403",
    "otp_webauthn:credential-registration-complete": "SCHOOL=400 GROUP=400 carer=404 anon=403",

    "people:carer_add": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "people:carer_edit": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "people:child": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "people:child_add": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "people:child_edit": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "people:family_add": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "people:family_edit": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "people:key_aspects_edit": "SCHOOL=200 GROUP=404 carer=404 anon=signin",

    "portal:appointment_answer": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:appointment_ics": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:appointments": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:bookings": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:bookings_book": "SCHOOL=404 GROUP=404 carer=400 anon=signin",
    "portal:bookings_cancel": "SCHOOL=404 GROUP=404 carer=302 anon=signin",
    "portal:bookings_evening": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:bookings_move": "SCHOOL=404 GROUP=404 carer=400 anon=signin",
    "portal:calendar": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:calendar_address": "SCHOOL=404 GROUP=404 carer=302 anon=signin",
    "portal:care_plan": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:care_plans": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:forms": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:forms_contact": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:forms_data_check": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:forms_enrolment": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:home": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:homework": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:homework_child": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:journal": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:journal_child": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:journal_comment": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:journal_photo": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:journal_wow": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:journal_wow_photo": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:key_worker_photo": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:messages": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:messages_index": "SCHOOL=404 GROUP=404 carer=302 anon=signin",
    "portal:review": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:review_booklet": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:review_family_views": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:reviews": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:sign_in": "SCHOOL=404 GROUP=404 carer=302 anon=200",
    "portal:sign_in_link": "SCHOOL=404 GROUP=404 carer=400 anon=400",
    "portal:sign_in_sent": "SCHOOL=404 GROUP=404 carer=200 anon=200",
    "portal:sign_out": "SCHOOL=404 GROUP=404 carer=signin anon=signin",
    "portal:targets": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:targets_child": "SCHOOL=404 GROUP=404 carer=200 anon=signin",
    "portal:transition": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "portal:transitions": "SCHOOL=404 GROUP=404 carer=200 anon=signin",

    "portal_staff:carer_invite": "SCHOOL=302 dsl=403 teacher=403 GROUP=404 carer=404 anon=signin",
    "portal_staff:class_invite": "SCHOOL=200 dsl=404 teacher=404 ta=404 manager=200 key_person=404 carer=404 anon=signin",

    "roles:edit": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "roles:list": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",

    "safeguarding:access_log": "SCHOOL=confirm teacher=404 ta=404 admin=404 manager=confirm key_person=404 carer=404 anon=signin",
    "safeguarding:addendum": "SCHOOL=confirm teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:children_search": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "safeguarding:chronology": "SCHOOL=confirm teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:close": "SCHOOL=confirm teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:concern": "SCHOOL=confirm teacher=200 ta=200 admin=200 GROUP=404 carer=404 anon=signin",
    "safeguarding:confirm": "SCHOOL=confirm GROUP=confirm carer=404 anon=confirm",
    "safeguarding:dashboard": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "safeguarding:entry_add": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:entry_update": "SCHOOL=302 teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:export": "SCHOOL=confirm teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:raise": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "safeguarding:search": "SCHOOL=confirm teacher=404 ta=404 admin=404 manager=confirm key_person=404 carer=404 anon=signin",
    "safeguarding:sent": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "safeguarding:status": "SCHOOL=confirm teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",
    "safeguarding:transfer": "SCHOOL=confirm teacher=404 ta=404 admin=404 GROUP=404 carer=404 anon=signin",

    "staff:add": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "staff:detail": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "staff:edit": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "staff:leave": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=404 key_person=403 carer=404 anon=signin",
    "staff:list": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",

    "staff:photo": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "staff:photo_remove": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "standards:acknowledge": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "standards:change_acknowledge": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
    "standards:detail": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "standards:list": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "standards:standard": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "standards:standard_switch": "SCHOOL=302 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "standards:version_create": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",

    "targets:child": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "targets:homework": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "targets:homework_detail": "SCHOOL=200 dsl=404 admin=404 GROUP=404 carer=404 anon=signin",
    "targets:homework_feedback": "SCHOOL=400 dsl=404 admin=404 GROUP=404 carer=404 anon=signin",
    "targets:homework_new": "SCHOOL=200 admin=403 GROUP=200 carer=404 anon=signin",
    "targets:homework_returns": "SCHOOL=302 dsl=404 admin=404 GROUP=404 carer=404 anon=signin",
    "targets:index": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "targets:share": "SCHOOL=400 dsl=403 admin=403 GROUP=404 carer=404 anon=signin",
    "targets:target_edit": "SCHOOL=200 dsl=403 admin=403 GROUP=404 carer=404 anon=signin",
    "targets:target_new": "SCHOOL=200 dsl=403 admin=403 GROUP=404 carer=404 anon=signin",
    "targets:target_review": "SCHOOL=200 dsl=403 admin=403 GROUP=404 carer=404 anon=signin",

    "transitions:child": "SCHOOL=302 GROUP=404 carer=404 anon=signin",
    "transitions:cohort": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "transitions:edit": "SCHOOL=200 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "transitions:new": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "transitions:plan": "SCHOOL=200 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "transitions:share_dates": "SCHOOL=302 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "transitions:visit": "SCHOOL=302 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "transitions:visit_add": "SCHOOL=400 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",
    "transitions:write_up": "SCHOOL=400 teacher=404 ta=404 GROUP=404 carer=404 anon=signin",

    "week:escalated": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "week:evidence_pack": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "week:evidence_pack_pdf": "SCHOOL=403 LEADERS=302 manager=302 key_person=403 carer=404 anon=signin",
    "week:missed": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "week:my_week": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "week:obligation": "SCHOOL=200 GROUP=404 carer=404 anon=signin",
    "week:obligation_waive": "SCHOOL=403 LEADERS=400 GROUP=404 carer=404 anon=signin",
    "week:org_compliance": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "week:retention": "SCHOOL=403 head=200 manager=200 key_person=403 carer=404 anon=signin",
    "week:team_compliance": "SCHOOL=200 admin=403 GROUP=200 carer=404 anon=signin",

    "wellbeing:agencies": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "wellbeing:agency_edit": "SCHOOL=200 dsl=403 teacher=403 ta=403 GROUP=404 carer=404 anon=signin",
    "wellbeing:agency_new": "SCHOOL=200 dsl=403 teacher=403 ta=403 manager=200 key_person=403 carer=404 anon=signin",
    "wellbeing:board": "SCHOOL=403 LEADERS=200 manager=200 key_person=403 carer=404 anon=signin",
    "wellbeing:close": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=signin",
    "wellbeing:concern": "SCHOOL=200 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=signin",
    "wellbeing:concerns": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "wellbeing:follow_up": "SCHOOL=400 dsl=404 teacher=404 admin=404 GROUP=404 carer=404 anon=signin",
    "wellbeing:new": "SCHOOL=200 GROUP=200 carer=404 anon=signin",
    "wellbeing:response": "SCHOOL=404 GROUP=404 carer=404 anon=signin",
}

# --- Building and calling --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The demo, built once for the module inside a transaction rolled back at its end."""
    from conftest import built_once

    with built_once(django_db_blocker, build_matrix_world) as built:
        yield built


@pytest.fixture
def open_db(matrix_world, db):
    return matrix_world


def test_every_route_has_an_expectation():
    missing = [name for name in CALLED if name not in EXPECTED]
    assert not missing, "routes without a line in EXPECTED (add one, or a reason in SKIPPED): " + ", ".join(missing)
    stale = [name for name in EXPECTED if name not in ROUTES]
    assert not stale, "lines in EXPECTED for routes that no longer exist: " + ", ".join(stale)


def _has_id(name: str) -> bool:
    return any(type(c).__name__ == "IntConverter" for c in ROUTES[name][1].values())


def _json(name: str) -> bool:
    """Answers in JSON to programs (the API, the passkey ceremony): 401/403 to anonymous, not a redirect."""
    return name.startswith(("api:", "otp_webauthn:"))


def outsider_refusals() -> list[tuple[str, str]]:
    """(route, persona) where a member of another organisation without the capability gets the capability's 403."""
    return sorted((name, p) for name, row in EXPECTED.items() if _has_id(name) and name not in CAPABILITY
                  for p, a in expand(row).items() if p in _outsiders(name) and a == "403")


def _outsiders(name: str) -> tuple[str, ...]:
    return GROUP_STAFF if home_of(name) == SCHOOL else SCHOOL_STAFF


def test_table_keeps_the_rules():
    broken = []
    for name, row in EXPECTED.items():
        answers = expand(row)
        outsiders = _outsiders(name)
        leaders = ("manager",) if home_of(name) == SCHOOL else GROUPS["LEADERS"]
        if _has_id(name) and name not in CAPABILITY:
            # The other organisation's leader holds every capability there: only the record's scope stops them.
            broken += [f"{name}: {p}, a leader of another organisation, gets {answers[p]}" for p in leaders
                       if answers[p] not in ("404", "405")]
            # Anyone else there gets 404, or the 403 of a capability they lack (test_outsider_refusal_... checks it
            # is the same whatever the id, so it says nothing of the record).
            broken += [f"{name}: {p} of another organisation gets {answers[p]}" for p in outsiders
                       if answers[p] not in ("404", "405", "403")]
        if name in PUBLIC or name in CAPABILITY or name in MOVED:
            continue
        if name.startswith("portal:"):
            broken += [f"{name}: staff {p} gets {answers[p]}" for p in (*SCHOOL_STAFF, *GROUP_STAFF)
                       if answers[p] not in ("404", "405")]
        elif _json(name):
            if answers["anon"] not in ("401", "403"):
                broken.append(f"{name}: anonymous gets {answers['anon']}")
        else:
            if answers["anon"] != "signin":
                broken.append(f"{name}: anonymous gets {answers['anon']}")
        if not name.startswith(("portal:", "accounts:", "otp_webauthn:")) and answers["carer"] not in ("404", "405"):
            broken.append(f"{name}: the carer gets {answers['carer']} on a staff page")
        broken += [f"{name}: {p} gets a 500" for p, a in answers.items() if a.startswith("500")]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(("name", "persona"), outsider_refusals())
def test_outsider_refusal_is_the_same_for_any_id(open_db, name, persona):
    """The 403 a member of another organisation gets for a record is the one they get for a record that does not
    exist: the refusal of a capability, which tells them nothing about the record."""
    _pattern, converters, _view = ROUTES[name]
    url = reverse(name, kwargs={p: MISSING if type(c).__name__ == "IntConverter" else url_for_words(open_db, name)[p]
                                for p, c in converters.items()})
    assert call(open_db, persona, name, url) == "403", url


def url_for_words(world: MatrixWorld, name: str) -> dict[str, object]:
    return get_resolver().resolve(url_for(world, name)).kwargs


@pytest.mark.parametrize("name", CALLED)
def test_route(open_db, name):
    if name not in EXPECTED:
        pytest.fail(f"{name} has no line in EXPECTED")
    world = open_db
    url = url_for(world, name)
    expected = expand(EXPECTED[name])
    got = {persona: call(world, persona, name, url) for persona in PERSONAS}
    wrong = {p: f"expected {expected[p]}, got {got[p]}" for p in PERSONAS if got[p] != expected[p]}
    assert not wrong, f"{url}: {wrong}\nthe line for what it answers now: {name!r}: {compress(got)!r},"



# --- No request crosses organisations ---------------------------------------------------------------------------------
# With the demo's two organisations, the childcare group's names are marked with a word found nowhere else; then the
# school's headteacher opens every school route they may open, and its safeguarding lead (with a fresh confirmation)
# every restricted one. Two checks, meant to catch a forgotten scope without breaking on how a query is written:
# - no answer shows the word (no row of the group came back, whatever query fetched it);
# - in the SQL of those requests, no query names the group's organisation_id, and no read of an organisation's table
#   (one with organisation_id, as its main table) goes without a WHERE on organisation_id or on ids (a primary or
#   foreign key: rows reached from records already scoped). A table read whole would cross organisations.
MARK = "Qzvmark"


def _mark_the_other_organisation(org) -> None:
    from django.apps import apps
    from django.db.models import CharField, TextField, Value
    from django.db.models.functions import Cast, Concat

    from keyworker.accounts.models import User
    from keyworker.core import append_only
    from keyworker.organisations.models import Organisation

    protected = set(append_only.protected_tables())
    for model in apps.get_models():
        if (not model._meta.app_config.name.startswith("keyworker.") or model._meta.db_table in protected
                or not any(f.column == "organisation_id" for f in model._meta.concrete_fields)):
            continue
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, CharField | TextField) and f.name.endswith("name") and not f.choices]
        if names:
            model._default_manager.filter(organisation_id=org.pk).update(
                **{n: Concat(Value(MARK), Cast("pk", CharField())) for n in names})
    only_there = User.objects.filter(memberships__organisation=org).exclude(memberships__organisation__in=
                                                                            Organisation.objects.exclude(pk=org.pk))
    User.objects.filter(pk__in=only_there.values("pk")).update(full_name=Concat(Value(MARK), Cast("pk", CharField())))
    Organisation.objects.filter(pk=org.pk).update(name=f"{MARK} organisation")


def _owned_tables() -> set[str]:
    from django.apps import apps

    return {m._meta.db_table for m in apps.get_models(include_auto_created=True)
            if any(f.column == "organisation_id" for f in m._meta.concrete_fields)}


_MAIN_TABLE = re.compile(r'\bFROM "(\w+)"')
# PostgreSQL writes a prefetch by ids as a tuple: WHERE ("table"."id") IN ((9), (11)).
_KEY_FILTER = re.compile(r'"(?:id|\w+_id)"\)? (?:= |IN \()')
_ORG_FILTER = re.compile(r'"organisation_id" (?:= (\d+)|IN \(([\d, ]+)\))')


def sql_problems(sql: str, owned: set[str], other_org_id: int) -> list[str]:
    problems = []
    for one, many in _ORG_FILTER.findall(sql):
        if other_org_id in {int(n) for n in re.findall(r"\d+", one or many)}:
            problems.append("names the other organisation")
    main = _MAIN_TABLE.search(sql)
    if sql.lstrip().startswith("SELECT") and main and main.group(1) in owned:
        where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""
        if "organisation_id" not in where and not _KEY_FILTER.search(where):
            problems.append(f"reads {main.group(1)} without organisation_id or ids")
    return problems


def test_no_request_reads_another_organisations_rows(open_db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keyworker.accounts import restricted
    from keyworker.core import clock

    world = open_db
    other = world.orgs[GROUP]
    _mark_the_other_organisation(other)
    session = SessionStore(session_key=world.personas["dsl"].session_key)
    session[restricted.SESSION_KEY] = clock.now().timestamp()
    session.save()
    # The mark shows where it should: the group's own manager sees it on their families' page.
    assert MARK.encode() in world.client("manager").get(reverse("dashboard:family_list")).content
    owned = _owned_tables()
    visits = [(name, p) for name in CALLED if home_of(name) == SCHOOL and name not in MOVED for p in ("head", "dsl")
              if expand(EXPECTED[name])[p] == ("200" if p == "head" else "confirm")]
    assert len(visits) > 150
    problems: list[str] = []
    for name, persona in visits:
        url = url_for(world, name)
        client = world.client(persona)
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        if response.status_code == 405:  # a route that only takes POST: not a read
            continue
        assert response.status_code == 200, f"{persona} {url}: {response.status_code}"
        if MARK.encode() in body:
            problems.append(f"{persona} {url} shows a record of the other organisation")
        problems += [f"{persona} {url}: {problem}: {q['sql'][:1500]}" for q in queries.captured_queries
                     for problem in sql_problems(q["sql"], owned, other.pk)]
    assert not problems, "\n".join(problems)


def test_the_sql_check_finds_a_table_read_whole_or_the_other_organisation():
    owned = {"people_child"}
    assert sql_problems('SELECT "people_child"."id" FROM "people_child" WHERE "people_child"."organisation_id" = 1', owned, 2) == []
    assert sql_problems('SELECT "people_child"."id" FROM "people_child" WHERE ("people_child"."id") IN ((9), (11))', owned, 2) == []
    assert sql_problems('SELECT "people_child"."id" FROM "people_child" WHERE "people_child"."family_id" IN (3, 4)', owned, 2) == []
    assert sql_problems('SELECT "people_child"."id" FROM "people_child" ORDER BY "people_child"."id"', owned, 2)
    assert sql_problems('SELECT "people_child"."id" FROM "people_child" WHERE "people_child"."left_on" IS NULL', owned, 2)
    assert sql_problems('SELECT "people_child"."id" FROM "people_child" WHERE "people_child"."organisation_id" = 2', owned, 2)

