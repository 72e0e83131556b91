"""API v1 routes of the caseload app: a key worker proposed for every family of a setting without one, and applying
the chosen rows with one reason, all or nothing (a message per refused row)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.core.api.access import request_actor
from keyworker.core.api.errors import error_body
from keyworker.core.api.schema import ApiSchema, ValidationErrorSerializer

from . import policies, selectors, services

MAX_ID = 2**63 - 1
MAX_ROWS = 5000


class SettingInSerializer(serializers.Serializer):
    setting = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The setting whose families to allocate.")


class StaffRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    teacher = serializers.BooleanField(help_text="May be the key worker of a family under child protection (SCH-A2).")


class ChildRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    class_ = serializers.IntegerField(allow_null=True)
    class_name = serializers.CharField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields


class ProposalRowSerializer(serializers.Serializer):
    family = serializers.IntegerField()
    family_name = serializers.CharField()
    children = ChildRefSerializer(many=True)
    child_protection = serializers.BooleanField(help_text="Only a teacher may be this family's key worker (SCH-A2).")
    proposed = serializers.IntegerField(allow_null=True, help_text="The staff member proposed; null when no one may.")
    caseload_after = serializers.IntegerField(allow_null=True, help_text="Their families in the setting once applied.")
    options = StaffRefSerializer(many=True, help_text="Everyone the rules allow for this family, teachers first.")
    reason = serializers.CharField(help_text="Why no one may take the family (empty when someone may).")


class ProposalSerializer(serializers.Serializer):
    setting = serializers.IntegerField()
    rows = ProposalRowSerializer(many=True)


class ApplyRowSerializer(serializers.Serializer):
    family = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    staff = serializers.IntegerField(min_value=1, max_value=MAX_ID, allow_null=True,
                                     help_text="The key worker chosen; null leaves the family unallocated.")


class ApplyInSerializer(SettingInSerializer):
    reason = serializers.CharField(max_length=300, help_text="Kept in each family's allocation history.")
    rows = ApplyRowSerializer(many=True, allow_empty=False, max_length=MAX_ROWS)

    def validate_rows(self, rows):
        seen = set()
        for row in rows:
            if row["family"] in seen:
                raise serializers.ValidationError(f"Family {row['family']} is given twice.")
            seen.add(row["family"])
        return rows


class AllocatedSerializer(serializers.Serializer):
    family = serializers.IntegerField()
    staff = serializers.IntegerField()
    allocation = serializers.IntegerField()


class SkippedSerializer(serializers.Serializer):
    family = serializers.IntegerField()
    message = serializers.CharField()


class ApplyResultSerializer(serializers.Serializer):
    allocated = AllocatedSerializer(many=True)
    skipped = SkippedSerializer(many=True, help_text="Families someone else allocated meanwhile: left as they are.")


def _setting(request: Request, setting_id: int):
    actor = request_actor(request)
    if not actor.is_member:
        raise Http404
    if not policies.can_allocate(actor):
        raise PermissionDenied
    for s in selectors.manageable_settings(actor):
        if s.pk == setting_id:
            return actor, s
    raise Http404("No such setting")


class ProposeView(APIView):
    schema = ApiSchema()

    @extend_schema(
        request=SettingInSerializer, responses={200: ProposalSerializer},
        summary="Propose a key worker for every family of a setting without one",
        description="By the policy's rules: someone on the class (room) team of the family's children, a teacher under "
                    "child protection, one key worker for siblings, the fewest families first. Nothing is saved.",
    )
    def post(self, request: Request) -> Response:
        data = SettingInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor, setting = _setting(request, data.validated_data["setting"])
        proposal = selectors.setting_proposal(actor, setting)
        rows = [{
            "family": r.family.pk, "family_name": r.family.name,
            "children": [{"id": c.pk, "name": c.display_name, "class": c.group_id, "class_name": c.group.name if c.group else None}
                         for c in r.children],
            "child_protection": r.child_protection, "proposed": r.proposed.pk if r.proposed else None,
            "caseload_after": r.caseload_after,
            "options": [{"id": s.pk, "name": s.user.full_name, "teacher": s.pk in r.teacher_ids} for s in r.options],
            "reason": r.reason,
        } for r in proposal.rows]
        return Response(ProposalSerializer({"setting": setting.pk, "rows": rows}).data)


class ApplyView(APIView):
    schema = ApiSchema()

    @extend_schema(
        request=ApplyInSerializer,
        responses={201: ApplyResultSerializer,
                   400: OpenApiResponse(ValidationErrorSerializer, description="Nothing saved: errors.rows has one "
                                        "message per refused family (“family <id>: …”), row_errors the same keyed by id.")},
        summary="Allocate many families at once, with one reason: all or nothing",
        description="Every row is checked against the rules again. Families that someone else allocated meanwhile are "
                    "skipped and listed.",
    )
    def post(self, request: Request) -> Response:
        data = ApplyInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor, setting = _setting(request, data.validated_data["setting"])
        choices = {r["family"]: r["staff"] for r in data.validated_data["rows"]}
        try:
            result = services.allocation_assign_many(
                actor=actor, setting=setting, choices=choices, reason=data.validated_data["reason"]
            )
        except services.RowsRefused as exc:
            refused = sorted(exc.rows.items())
            body = error_body({"rows": [f"family {fid}: {msg}" for fid, msg in refused], "non_field_errors": [exc.message]},
                              {"rows": ["refused"] * len(refused), "non_field_errors": ["rows"]}, "rows")
            body["row_errors"] = {str(fid): msg for fid, msg in refused}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(ApplyResultSerializer({
            "allocated": [{"family": a.family_id, "staff": a.staff_id, "allocation": a.pk} for a in result.allocated],
            "skipped": [{"family": f.pk, "message": m} for f, m in result.skipped],
        }).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("allocations/propose/", ProposeView.as_view(), name="allocations-propose"),
    path("allocations/apply/", ApplyView.as_view(), name="allocations-apply"),
]


def register(router) -> None:
    return None
