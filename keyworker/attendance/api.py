"""API v1 routes of the attendance app: the register codes, a bulk upload of marks (all or nothing, a problem per
item) and rates per child for a child, a class or a setting over a period or any range."""

import datetime as dt

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keyworker.core import clock
from keyworker.core.api.access import request_actor
from keyworker.core.api.errors import error_body
from keyworker.core.api.schema import ApiSchema, ValidationErrorSerializer
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Group
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from . import policies, selectors
from .models import AttendanceCode, Session
from .services import MarkEntry, MarksRefused, marks_record_bulk

MAX_MARKS = 5000
MAX_RANGE_DAYS = 400


class CodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceCode
        fields = ["code", "meaning", "category", "possible"]


class MarkInSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    date = serializers.DateField()
    session = serializers.ChoiceField(choices=Session.choices)
    code = serializers.CharField(max_length=4)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MarksInSerializer(serializers.Serializer):
    marks = MarkInSerializer(many=True, allow_empty=False, max_length=MAX_MARKS)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                   help_text="Why marks change, for any item without its own reason")


class MarksResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class RatesFilterSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    class_ = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, label="class")
    setting = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    period = serializers.ChoiceField(choices=["week", "half_term", "year"], required=False)
    from_ = serializers.DateField(required=False, label="from")
    to = serializers.DateField(required=False)

    def get_fields(self) -> dict:
        # `class` and `from` are Python keywords: the fields are declared with a trailing underscore and named here,
        # so the query parameters, the schema and the validated data all say `class` and `from`.
        return {name.rstrip("_"): field for name, field in super().get_fields().items()}

    def validate(self, attrs: dict) -> dict:
        if sum(1 for k in ("child", "class", "setting") if attrs.get(k)) != 1:
            raise serializers.ValidationError({"non_field_errors": ["Give one of child, class or setting."]})
        start, end = attrs.get("from"), attrs.get("to")
        if (start is None) != (end is None):
            raise serializers.ValidationError({"to" if end is None else "from": ["Give both from and to."]})
        if start and end:
            if end < start:
                raise serializers.ValidationError({"to": ["The end of the range is before its start."]})
            if (end - start).days > MAX_RANGE_DAYS:
                raise serializers.ValidationError({"to": [f"Choose a range of {MAX_RANGE_DAYS} days or fewer."]})
            if attrs.get("period"):
                raise serializers.ValidationError({"period": ["Give a period or a range, not both."]})
        return attrs


def _rates_dict(r: selectors.Rates) -> dict:
    return {
        "present": r.present, "authorised": r.authorised, "unauthorised": r.unauthorised, "not_possible": r.not_possible,
        "possible": r.possible, "attendance_percent": r.attendance_pct, "authorised_percent": r.authorised_pct,
        "unauthorised_percent": r.unauthorised_pct,
    }


class CodesView(APIView):
    schema = ApiSchema()

    @extend_schema(responses={200: CodeSerializer(many=True)}, summary="Register codes of your settings' jurisdictions")
    def get(self, request: Request) -> Response:
        actor = policies.member(request_actor(request))
        jurisdictions = set(actor.settings().values_list("jurisdiction", flat=True))
        codes = AttendanceCode.objects.filter(jurisdiction__in=jurisdictions, in_use=True).order_by("jurisdiction", "order")
        return Response(CodeSerializer(codes, many=True).data)


class MarksView(APIView):
    schema = ApiSchema()

    @extend_schema(
        request=MarksInSerializer,
        responses={201: MarksResultSerializer,
                   400: OpenApiResponse(ValidationErrorSerializer, description="Nothing recorded: one message per item "
                                        "(errors.marks lists them as “item n: …”).")},
        summary="Record marks in bulk, all or nothing",
        description="Each item is a child's mark for one session. A mark already recorded with another code changes "
                    "only with a reason (the item's or the batch's); the previous code is kept.",
    )
    def post(self, request: Request) -> Response:
        actor = policies.member(request_actor(request))
        data = MarksInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        items = data.validated_data["marks"]
        children = {c.pk: c for c in Child.objects.filter(organisation_id=actor.organisation_id, pk__in={i["child"] for i in items})}
        missing = [f"item {n}: no such child." for n, i in enumerate(items) if i["child"] not in children]
        if missing:
            return Response(error_body({"marks": missing}, {"marks": ["child"] * len(missing)}), status=status.HTTP_400_BAD_REQUEST)
        entries = [MarkEntry(children[i["child"]], i["date"], i["session"], i["code"], i["reason"], line=n)
                   for n, i in enumerate(items)]
        try:
            result = marks_record_bulk(actor=actor, entries=entries, reason=data.validated_data["reason"])
        except MarksRefused as exc:
            messages = [f"item {p.line}: {p.message}" for p in exc.problems]
            return Response(error_body({"marks": messages}, {"marks": [p.field for p in exc.problems]}, "marks"),
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(MarksResultSerializer(result).data, status=status.HTTP_201_CREATED)


class RatesView(APIView):
    schema = ApiSchema()

    @extend_schema(
        parameters=[RatesFilterSerializer],
        responses={200: inline_serializer("AttendanceRates", {
            "from": serializers.DateField(), "to": serializers.DateField(),
            "total": serializers.DictField(), "children": serializers.ListField(child=serializers.DictField()),
        }), 400: OpenApiResponse(ValidationErrorSerializer, description="Invalid input, one message per field.")},
        summary="Attendance rates per child for a child, a class or a setting",
        description="Over a named period (week, half_term, year: the default) or from/to. Not-possible sessions count on "
                    "neither side. band is persistent or severe against your organisation's thresholds.",
    )
    def get(self, request: Request) -> Response:
        actor = policies.member(request_actor(request))
        params = RatesFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        p = params.validated_data
        visible = children_visible_to(actor)
        if p.get("child"):
            child = visible.select_related("setting").filter(pk=p["child"]).first()
            if child is None:
                raise Http404
            setting, qs = child.setting, visible.filter(pk=child.pk)
        elif p.get("class"):
            group = Group.objects.select_related("setting").filter(pk=p["class"], organisation_id=actor.organisation_id).first()
            if group is None:
                raise Http404
            setting, qs = group.setting, visible.filter(group_id=group.pk)
        else:
            setting = actor.settings().filter(pk=p["setting"]).first()
            if setting is None:
                raise Http404
            qs = visible.filter(setting_id=setting.pk)
        start, end = p.get("from"), p.get("to")
        if start is None:
            calendar = TermCalendar.for_setting(setting)
            chosen = selectors.period(calendar, clock.today(setting.time_zone), p.get("period") or "year")
            if chosen is None:
                today = clock.today(setting.time_zone)
                start, end = today - dt.timedelta(days=today.weekday()), today
            else:
                start, end = chosen.start, chosen.end
        children = list(selectors.on_roll(qs, start, end).order_by("legal_last_name", "legal_first_name", "id")
                        .values("id", "legal_first_name", "legal_last_name", "preferred_name", "group_id"))
        rates = selectors.rates_by_child(actor.organisation_id, [c["id"] for c in children], start, end)
        limits = selectors.thresholds(actor.organisation_id)
        total = selectors.Rates()
        rows = []
        for c in children:
            r = rates.get(c["id"], selectors.EMPTY)
            total = total + r
            rows.append({"child": c["id"], "name": f"{c['preferred_name'] or c['legal_first_name']} {c['legal_last_name']}",
                         "class": c["group_id"], **_rates_dict(r), "band": selectors.band(r, limits)})
        return Response({"from": start, "to": end, "total": _rates_dict(total), "children": rows})


urlpatterns = [
    path("attendance/codes/", CodesView.as_view(), name="attendance-codes"),
    path("attendance/marks/", MarksView.as_view(), name="attendance-marks"),
    path("attendance/rates/", RatesView.as_view(), name="attendance-rates"),
]


def register(router) -> None:
    return None



# Escalation: attendance concerns (read-only; actions are logged on the concern's page) --------------------------


class ConcernActionOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    happened_on = serializers.DateField()
    by = serializers.CharField(allow_null=True)
    text = serializers.CharField()
    follow_up_on = serializers.DateField(allow_null=True)


class ConcernOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    child = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    tier = serializers.IntegerField()
    tier_name = serializers.CharField()
    opened_on = serializers.DateField()
    raised_on = serializers.DateField()
    # Percentages with one decimal place, answered as JSON numbers (e.g. 44.4).
    rate_at_open = serializers.FloatField(allow_null=True)
    rate_at_raise = serializers.FloatField(allow_null=True)
    pattern = serializers.CharField()
    follow_up_by = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    actions = ConcernActionOutSerializer(many=True, required=False)


class ConcernFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "closed", "all"], required=False, default="open")
    tier = serializers.IntegerField(required=False, min_value=1, max_value=20)


def _concern_dict(c, actions=None) -> dict:
    out = {
        "id": c.pk, "child": c.child_id, "name": c.child.display_name, "status": c.status, "tier": c.tier_order,
        "tier_name": c.tier_name, "opened_on": c.opened_on, "raised_on": c.raised_on, "rate_at_open": c.rate_at_open,
        "rate_at_raise": c.rate_at_raise, "pattern": c.pattern, "follow_up_by": c.follow_up_by, "outcome": c.outcome,
        "closed_on": c.closed_on,
    }
    if actions is not None:
        out["actions"] = [{"kind": a.kind, "happened_on": a.happened_on, "by": a.recorded_by.full_name if a.recorded_by else None,
                           "text": a.text, "follow_up_on": a.follow_up_on} for a in actions]
    return out


class ConcernsView(APIView):
    schema = ApiSchema()

    @extend_schema(parameters=[ConcernFilterSerializer], responses={200: ConcernOutSerializer(many=True),
                   400: OpenApiResponse(ValidationErrorSerializer, description="Invalid input, one message per field.")},
                   summary="Attendance concerns you may see (leaders: their settings; key workers: their children)")
    def get(self, request: Request) -> Response:
        from . import escalation

        actor = policies.member(request_actor(request))
        params = ConcernFilterSerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        qs = escalation.concerns_visible_to(actor).select_related("child")
        if params.validated_data["status"] != "all":
            qs = qs.filter(status=params.validated_data["status"])
        if params.validated_data.get("tier"):
            qs = qs.filter(tier_order=params.validated_data["tier"])
        return Response([_concern_dict(c) for c in qs.order_by("-tier_order", "raised_on", "id")[:1000]])


class ConcernView(APIView):
    schema = ApiSchema()

    @extend_schema(responses={200: ConcernOutSerializer}, summary="An attendance concern with its action log")
    def get(self, request: Request, concern_id: int) -> Response:
        from . import escalation

        actor = policies.member(request_actor(request))
        concern = escalation.access_concern(actor, concern_id)
        actions = list(concern.actions.select_related("recorded_by").order_by("happened_on", "recorded_at", "id"))
        return Response(_concern_dict(concern, actions))


urlpatterns += [
    path("attendance/concerns/", ConcernsView.as_view(), name="attendance-concerns"),
    path("attendance/concerns/<int:concern_id>/", ConcernView.as_view(), name="attendance-concern"),
]
