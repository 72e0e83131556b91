"""API v1 views for policies, standards, obligations and compliance: scoped reads, writes through the services."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.errors import error_body
from keyworker.core.api.schema import ApiSchema, ValidationErrorSerializer
from keyworker.core.api.views import ReadViewSet
from keyworker.core.conflicts import VERSION_REQUIRED
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Setting
from keyworker.standards import services as standards_services
from keyworker.standards.compliance import DEFINITION, compliance_figures
from keyworker.standards.models import (
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
    RevisionAcknowledgement,
    Standard,
    StandardRevision,
)
from keyworker.standards.obligations import obligation_waive
from keyworker.standards.policies import can_edit_policies, require_waive
from keyworker.standards.selectors import obligation_history, obligations_visible_to
from keyworker.standards.validation import StandardInvalid

from . import serializers_standards as s
from .selectors import settings_visible_to

# Reads ------------------------------------------------------------------------------------------------------


def policies_visible_to(actor: Actor) -> QuerySet[Policy]:
    """The organisation's policies (every staff member reads them), with versions and the current standards."""
    if not actor.is_member:
        return Policy.objects.none()
    versions = (
        PolicyVersion.objects.select_related("created_by").annotate(
            ack_count=Count("acknowledgements"),
            acked_by_me=Exists(PolicyAcknowledgement.objects.filter(version=OuterRef("pk"), staff=actor.staff)),
        )
        .order_by("-number")
    )
    return (
        Policy.objects.filter(organisation_id=actor.organisation_id)
        .prefetch_related(
            Prefetch("versions", queryset=versions),
            Prefetch("versions__standards", queryset=Standard.objects.order_by("clause", "id")),
        )
        .order_by("title", "id")
    )


def standards_visible_to(actor: Actor) -> QuerySet[Standard]:
    if not actor.is_member:
        return Standard.objects.none()
    current = PolicyVersion.objects.filter(policy_id=OuterRef("policy_version__policy_id")).order_by("-number")
    return (
        Standard.objects.filter(organisation_id=actor.organisation_id)
        .select_related("policy_version__policy")
        .annotate(current_number=Subquery(current.values("number")[:1]))
        .order_by("policy_version__policy__title", "clause", "-policy_version__number", "id")
    )


def compliance_for(actor: Actor, settings: list[Setting], as_of: dt.date, start: dt.date | None = None,
                   end: dt.date | None = None) -> dict[str, Any]:
    """The compliance command's figures over the obligations the actor may see."""
    figures = compliance_figures(obligations_visible_to(actor), settings, as_of, start, end)
    return {
        "as_of": as_of, "from_date": figures["from_date"], "to_date": figures["to_date"], "definition": DEFINITION,
        "settings": [{"id": setting.pk, "name": setting.name} for setting in settings],
        "standards": figures["standards"], "key_workers": figures["key_workers"],
    }


# Views ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    acknowledge=extend_schema(
        request=None, responses={200: s.AcknowledgementSerializer},
        summary="Confirm you have read the policy's current version (acknowledging twice keeps the first)",
    ),
    changes=extend_schema(
        responses=s.StandardChangeSerializer(many=True),
        summary="Changes to the policy's standards, newest first: from when, by whom, what changed, applied or waiting",
    ),
    acknowledge_change=extend_schema(
        request=None, responses={200: s.StandardChangeSerializer},
        summary="Confirm you have read a change to your duties (only those asked; twice keeps the first)",
    ),
)
class PolicyViewSet(ReadViewSet):
    """The organisation's policies, with their versions and the current version's standards; every staff member reads them."""

    serializer_class = s.PolicySerializer

    def visible(self, actor: Actor) -> QuerySet:
        return policies_visible_to(actor)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        version = next(iter(policy.versions.all()), None)
        if version is None:
            raise RuleViolation("This policy has no version to acknowledge yet.", rule="no_version")
        ack = standards_services.policy_acknowledge(actor=self.actor, version=version)
        ack = PolicyAcknowledgement.objects.select_related("version").get(pk=ack.pk)
        return Response(s.AcknowledgementSerializer(ack).data)

    def _changes(self, policy: Policy) -> QuerySet[StandardRevision]:
        return (
            StandardRevision.objects.filter(organisation_id=self.actor.organisation_id,
                                            standard__policy_version__policy=policy)
            .select_related("standard", "changed_by")
            .prefetch_related(Prefetch("acknowledgements",
                                       queryset=RevisionAcknowledgement.objects.select_related("staff__user")
                                       .order_by("staff_id")))
            .order_by("-changed_at", "-id")
        )

    def _change_context(self) -> dict[str, Any]:
        return {"can_edit": can_edit_policies(self.actor), "staff_id": self.actor.staff.pk}

    @action(detail=True, methods=["get"])
    def changes(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        page = self.paginate_queryset(self._changes(policy))
        return self.get_paginated_response(s.StandardChangeSerializer(page, many=True, context=self._change_context()).data)

    @action(detail=True, methods=["post"], url_path="changes/<int:change_id>/acknowledge")
    def acknowledge_change(self, request: Request, pk: str | None = None, change_id: int = 0) -> Response:
        policy = self.get_object()
        revision = self._changes(policy).filter(pk=change_id).first()
        if revision is None:
            raise Http404("No such change")
        standards_services.revision_acknowledge(actor=self.actor, revision=revision)
        revision = self._changes(policy).get(pk=revision.pk)
        return Response(s.StandardChangeSerializer(revision, context=self._change_context()).data)


STANDARD_RULES = (
    "Leaders only (403 otherwise). The whole definition is checked: 400 with one list of messages per field "
    "(rule \"standard\"), e.g. cadence_n 0, a role code nobody holds, a condition the engine does not know. A standard "
    "of an earlier version cannot be changed (rule \"superseded\"). `enabled` switches it on or off: off, its open "
    "obligations go and met ones stay. `version` is required: the one you "
    "read; if the standard was changed since, 409 with the saved standard in `current`, and nothing is saved. "
    "`effective_from`: the first day the change applies to (default: the start of the standard's next period; not "
    "before the start of the period under way, else 400 on effective_from). The answer comes at once; the worker "
    "brings the obligations in line and marks the change applied (see /policies/{id}/changes/)."
)


@extend_schema_view(
    partial_update=extend_schema(
        request=s.StandardUpdateSerializer, responses={200: s.StandardSerializer},
        summary="Change a standard", description=STANDARD_RULES,
    ),
)
class StandardViewSet(ReadViewSet):
    """Standards of the organisation's policies, as data: what is due, how often, for whom, and who is told."""

    serializer_class = s.StandardSerializer
    filter_serializer_class = s.StandardFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return standards_visible_to(actor)

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"policy": "policy_version__policy_id", "clause": "clause", "enabled": "enabled"}
        queryset = queryset.filter(**{lookups[k]: v for k, v in params.items() if k in lookups})
        if "current" in params:
            current = Q(policy_version__number=Subquery(
                PolicyVersion.objects.filter(policy_id=OuterRef("policy_version__policy_id"))
                .order_by("-number").values("number")[:1]
            ))
            queryset = queryset.filter(current if params["current"] else ~current)
        return queryset

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        standard = self.get_object()
        if not can_edit_policies(self.actor):
            raise PermissionDenied("Only leaders may change the organisation's policies.")
        serializer = s.StandardUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        if version is None:
            raise ValidationError({"version": [VERSION_REQUIRED]}, code="required")
        enabled = changes.pop("enabled", None)
        effective_from = changes.pop("effective_from", None)
        try:
            with transaction.atomic():
                if changes:
                    standards_services.standard_update(actor=self.actor, standard=standard, expected_version=version,
                                                       effective_from=effective_from, **changes)
                    version = standard.version  # the switch below follows on from this change
                if enabled is not None:
                    standards_services.standard_set_enabled(actor=self.actor, standard=standard, enabled=enabled,
                                                            expected_version=version, effective_from=effective_from)
        except StandardInvalid as exc:
            codes = {field: [exc.rule] * len(messages) for field, messages in exc.errors.items()}
            return Response(error_body(exc.errors, codes, exc.rule), status=status.HTTP_400_BAD_REQUEST)
        return Response(s.StandardSerializer(self.refetch(standard)).data)


@extend_schema_view(
    events=extend_schema(responses=s.ObligationEventSerializer(many=True), summary="An obligation's history of states"),
    waive=extend_schema(
        request=s.WaiveSerializer, responses={200: s.ObligationSerializer},
        summary="Waive an open obligation, with a reason",
        description="Leaders of the obligation's setting only (403 otherwise). Refused (400) when it is already met "
                    "(rule already_met) or waived (already_waived). The engine leaves it alone from then on.",
    ),
)
class ObligationViewSet(ReadViewSet):
    """Obligations of the families you may see: one standard, for one family or child, for one period."""

    serializer_class = s.ObligationSerializer
    filter_serializer_class = s.ObligationFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        return (
            obligations_visible_to(actor)
            .select_related("standard", "family", "child", "responsible_staff__user")
            .order_by("due_on", "id")
        )

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {
            "state": "state__in", "key_worker": "responsible_staff_id", "family": "family_id",
            "standard": "standard_id", "clause": "standard__clause", "due_before": "due_on__lte",
            "due_after": "due_on__gte", "as_of": "period_start__lte",
        }
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        page = self.paginate_queryset(obligation_history(obligation))
        return self.get_paginated_response(s.ObligationEventSerializer(page, many=True).data)

    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        require_waive(self.actor, obligation)
        serializer = s.WaiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obligation_waive(actor=self.actor, obligation=obligation, reason=serializer.validated_data["reason"])
        return Response(s.ObligationSerializer(self.refetch(obligation)).data)


class ComplianceView(APIView):
    """Compliance per standard and per key worker, over the obligations of the families you may see."""

    schema = ApiSchema()

    @extend_schema(
        parameters=[s.ComplianceFilterSerializer],
        responses={200: s.ComplianceSerializer,
                   400: OpenApiResponse(ValidationErrorSerializer, description="Invalid input, one message per field.")},
        summary="Compliance per clause and key worker: due, met on time, met late, missed, waived, still open, share",
        description="Obligations whose due date falls in the period (from_date to to_date; by default the school year "
                    "so far) and has come by as_of. Share met = (met on time + met late) ÷ (due − waived): `percent` "
                    "as the pages print it (whole, halves up), `percent_exact` unrounded.",
    )
    def get(self, request: Request) -> Response:
        actor = request_actor(request)
        params = s.ComplianceFilterSerializer(data=request.query_params.dict(), context={"request": request})
        params.is_valid(raise_exception=True)
        setting = params.validated_data.get("setting")
        settings = [setting] if setting is not None else list(settings_visible_to(actor).order_by("name", "id"))
        as_of = params.validated_data.get("as_of") or clock.today(settings[0].time_zone if settings else "Europe/London")
        data = params.validated_data
        return Response(s.ComplianceSerializer(
            compliance_for(actor, settings, as_of, data.get("from_date"), data.get("to_date"))).data)
