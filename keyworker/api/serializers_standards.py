"""Serializers for policies, standards, obligations and compliance: representation and input validation only."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.conflicts import VERSION_HELP, VERSION_REQUIRED
from keyworker.organisations.models import Setting
from keyworker.standards.changes import change_rows
from keyworker.standards.models import (
    Cadence,
    Obligation,
    ObligationEvent,
    ObligationState,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
    Responsible,
    RevisionAcknowledgement,
    Standard,
    StandardRevision,
    Subject,
)
from keyworker.standards.obligations import REASON_MAX
from keyworker.standards.services import standard_definition
from keyworker.standards.validation import EDITABLE_FIELDS, standard_notes

from .selectors import settings_visible_to


class FlatListField(serializers.ListField):
    """A list whose item errors read "Item 2: …", so that each field keeps one flat list of messages."""

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError(
                [f"Item {int(i) + 1}: {messages[0]}" for i, messages in detail.items()] or ["Invalid item."]
            ) from exc


# Policies ---------------------------------------------------------------------------------------------------


class PolicyVersionSerializer(serializers.ModelSerializer):
    acknowledgements = serializers.IntegerField(
        source="ack_count", read_only=True, help_text="Staff members who have acknowledged this version."
    )
    acknowledged_by_me = serializers.BooleanField(source="acked_by_me", read_only=True)
    created_by_name = serializers.SerializerMethodField(help_text="Who issued it.")

    class Meta:
        model = PolicyVersion
        fields = ["id", "number", "effective_from", "in_force", "applied_at", "review_on", "comment", "created_at",
                  "created_by", "created_by_name", "acknowledgements", "acknowledged_by_me"]
        read_only_fields = fields

    def get_created_by_name(self, obj: PolicyVersion) -> str | None:
        return obj.created_by.full_name if obj.created_by_id else None


class ChangeWordsSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField(help_text="In words")
    after = serializers.CharField(help_text="In words")


class ChangeAcknowledgementSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.user.full_name", read_only=True)

    class Meta:
        model = RevisionAcknowledgement
        fields = ["staff", "staff_name", "asked_at", "acknowledged_at"]
        read_only_fields = fields


class StandardChangeSerializer(serializers.ModelSerializer):
    """A change to one of the policy's standards: from when, by whom, what changed, applied or waiting, and who
    has acknowledged it (leaders see everyone asked; others whether they were asked and have acknowledged)."""

    clause = serializers.CharField(source="standard.clause", read_only=True)
    title = serializers.CharField(source="standard.title", read_only=True)
    changed_by_name = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField(help_text="What changed, before → after, in words.")
    acknowledgements = serializers.SerializerMethodField(help_text="Leaders only: everyone asked to acknowledge it.")
    asked_me = serializers.SerializerMethodField(help_text="Whether you are asked to acknowledge it.")
    acknowledged_by_me = serializers.SerializerMethodField()

    class Meta:
        model = StandardRevision
        fields = ["id", "standard", "clause", "title", "effective_from", "changed_at", "changed_by", "changed_by_name",
                  "applied_at", "changes", "before", "after", "acknowledgements", "asked_me", "acknowledged_by_me"]
        read_only_fields = fields

    def get_changed_by_name(self, obj: StandardRevision) -> str | None:
        return obj.changed_by.full_name if obj.changed_by_id else None

    @extend_schema_field(ChangeWordsSerializer(many=True))
    def get_changes(self, obj: StandardRevision) -> list[dict[str, str]]:
        return change_rows(obj.before, obj.after)

    def _acks(self, obj: StandardRevision) -> list[RevisionAcknowledgement]:
        return list(obj.acknowledgements.all())  # prefetched

    @extend_schema_field(ChangeAcknowledgementSerializer(many=True))
    def get_acknowledgements(self, obj: StandardRevision) -> list[dict[str, Any]]:
        if not self.context.get("can_edit"):
            return []
        return ChangeAcknowledgementSerializer(self._acks(obj), many=True).data

    def get_asked_me(self, obj: StandardRevision) -> bool:
        return any(a.staff_id == self.context.get("staff_id") for a in self._acks(obj))

    def get_acknowledged_by_me(self, obj: StandardRevision) -> bool:
        return any(a.staff_id == self.context.get("staff_id") and a.acknowledged_at for a in self._acks(obj))


class StandardSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "clause", "title", "enabled", "subject", "cadence", "cadence_n", "evidence", "responsible"]
        read_only_fields = fields


class PolicySerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField(help_text="The latest version (the highest number); `in_force` false while it waits for its effective date.")
    versions = serializers.SerializerMethodField(help_text="Every version, newest first.")
    standards = serializers.SerializerMethodField(help_text="The latest version's standards.")

    class Meta:
        model = Policy
        fields = ["id", "title", "template_code", "responsible_officer", "author", "current_version", "versions",
                  "standards"]
        read_only_fields = fields

    @staticmethod
    def _current(obj: Policy) -> PolicyVersion | None:
        versions = list(obj.versions.all())  # prefetched, newest first
        return versions[0] if versions else None

    @extend_schema_field(PolicyVersionSerializer(allow_null=True))
    def get_current_version(self, obj: Policy) -> dict[str, Any] | None:
        current = self._current(obj)
        return PolicyVersionSerializer(current).data if current is not None else None

    @extend_schema_field(PolicyVersionSerializer(many=True))
    def get_versions(self, obj: Policy) -> list[dict[str, Any]]:
        return PolicyVersionSerializer(obj.versions.all(), many=True).data

    @extend_schema_field(StandardSummarySerializer(many=True))
    def get_standards(self, obj: Policy) -> list[dict[str, Any]]:
        current = self._current(obj)
        return StandardSummarySerializer(current.standards.all(), many=True).data if current is not None else []


class AcknowledgementSerializer(serializers.ModelSerializer):
    policy = serializers.IntegerField(source="version.policy_id", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = PolicyAcknowledgement
        fields = ["id", "policy", "version", "version_number", "staff", "acknowledged_at"]
        read_only_fields = fields


# Standards --------------------------------------------------------------------------------------------------


class StandardSerializer(serializers.ModelSerializer):
    policy = serializers.IntegerField(source="policy_version.policy_id", read_only=True)
    policy_title = serializers.CharField(source="policy_version.policy.title", read_only=True)
    version_number = serializers.IntegerField(source="policy_version.number", read_only=True)
    is_current_version = serializers.SerializerMethodField(
        help_text="Whether it belongs to the policy's current version (only those can be changed)."
    )
    notes = serializers.SerializerMethodField(help_text="Things worth knowing that do not stop a save.")

    class Meta:
        model = Standard
        fields = ["id", "policy", "policy_title", "policy_version", "version_number", "is_current_version", "clause",
                  *EDITABLE_FIELDS, "notes", "version"]
        read_only_fields = fields

    def get_is_current_version(self, obj: Standard) -> bool:
        current = getattr(obj, "current_number", None)
        return current is None or obj.policy_version.number == current

    def get_notes(self, obj: Standard) -> list[str]:
        return standard_notes(standard_definition(obj))


class StandardUpdateSerializer(serializers.ModelSerializer):
    """Any of a standard's editable fields; the whole definition is then checked, with one message per field."""

    title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False, help_text="Switch the standard on or off.")
    setting_kinds = FlatListField(
        child=serializers.CharField(max_length=40), max_length=20, required=False,
        help_text="Kinds of setting it applies to; empty means all.",
    )
    conditions = serializers.DictField(
        child=serializers.JSONField(), required=False,
        help_text='Which children, e.g. {"has_ehcp": true}, {"year_group": "Year 6"}, {"enrolled_within_days": 30}.',
    )
    subject = serializers.ChoiceField(choices=Subject.choices, required=False)
    cadence = serializers.ChoiceField(choices=Cadence.choices, required=False)
    cadence_n = serializers.IntegerField(
        required=False, min_value=-32768, max_value=32767, help_text="N in the cadence (weeks, months or days)."
    )
    evidence = serializers.CharField(max_length=40, required=False, allow_blank=True)
    evidence_conditions = serializers.DictField(child=serializers.JSONField(), required=False)
    responsible = serializers.ChoiceField(choices=Responsible.choices, required=False)
    due_soon_days = serializers.IntegerField(required=False, min_value=-32768, max_value=32767)
    escalate_after_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=-32768, max_value=32767, help_text="Empty: it never escalates."
    )
    escalate_to_roles = FlatListField(
        child=serializers.CharField(max_length=40), max_length=50, required=False,
        help_text="Codes of the roles told when it escalates.",
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP,
                                       error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED})
    effective_from = serializers.DateField(
        required=False, allow_null=True,
        help_text="The first day the change applies to: periods that start on or after it follow the change, earlier "
                  "ones keep their rule. Empty: the start of the next period of the standard's cadence. Not before the "
                  "start of the period under way.",
        error_messages={"invalid": "Give the date the change takes effect as a date, e.g. 2026-11-23."},
    )

    class Meta:
        model = Standard
        # Any editable field not declared above is built from the model.
        fields = [*EDITABLE_FIELDS, "version", "effective_from"]
        extra_kwargs = {name: {"required": False} for name in EDITABLE_FIELDS}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The browsable API's HTML form adds its CSRF token to the data.
        unknown = sorted(set(self.initial_data) - set(self.fields) - {"csrfmiddlewaretoken"})
        if unknown:
            raise serializers.ValidationError({str(name): ["This cannot be changed here."] for name in unknown})
        if not set(attrs) - {"version", "effective_from"}:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


# Obligations ------------------------------------------------------------------------------------------------


class ObligationSerializer(serializers.ModelSerializer):
    clause = serializers.CharField(source="standard.clause", read_only=True)
    title = serializers.CharField(source="standard.title", read_only=True)
    family_name = serializers.CharField(source="family.name", read_only=True)
    child_name = serializers.SerializerMethodField()
    responsible_staff_name = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id", "standard", "clause", "title", "setting", "family", "family_name", "child", "child_name",
            "period_start", "period_end", "due_on", "state", "met_on", "evidence_ref", "escalated_at", "waived_reason",
            "responsible_staff", "responsible_staff_name", "updated_at",
        ]
        read_only_fields = fields

    def get_child_name(self, obj: Obligation) -> str | None:
        return obj.child.display_name if obj.child_id else None

    def get_responsible_staff_name(self, obj: Obligation) -> str | None:
        return obj.responsible_staff.user.full_name if obj.responsible_staff_id else None


class ObligationEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ObligationEvent
        fields = ["id", "from_state", "to_state", "at", "actor", "actor_name", "note"]
        read_only_fields = fields

    def get_actor_name(self, obj: ObligationEvent) -> str | None:
        return obj.actor.full_name if obj.actor_id else None


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX, help_text="Why it is waived, e.g. Family moved abroad for the term."
    )


# Query parameters -------------------------------------------------------------------------------------------


def _id_param(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


def _date_param(help_text: str) -> serializers.DateField:
    return serializers.DateField(required=False, input_formats=["iso-8601"], help_text=help_text)


class StandardFilterSerializer(serializers.Serializer):
    policy = _id_param("Only standards of this policy.")
    clause = serializers.CharField(required=False, max_length=20, help_text="Only this clause, e.g. SCH-4.")
    enabled = serializers.BooleanField(required=False, help_text="true: switched on; false: switched off.")
    current = serializers.BooleanField(
        required=False, help_text="true: only the current versions' standards; false: only earlier versions'."
    )


class ObligationFilterSerializer(serializers.Serializer):
    state = serializers.CharField(
        required=False, max_length=200,
        help_text=f"One state or several separated by commas, among: {', '.join(ObligationState.values)}.",
    )
    key_worker = _id_param("Only obligations this staff member is responsible for.")
    family = _id_param("Only this family's obligations.")
    standard = _id_param("Only this standard's obligations.")
    clause = serializers.CharField(required=False, max_length=20, help_text="Only this clause's, e.g. SCH-4.")
    due_before = _date_param("Only obligations due on or before this date (YYYY-MM-DD).")
    due_after = _date_param("Only obligations due on or after this date (YYYY-MM-DD).")
    as_of = _date_param("Only obligations whose period had begun by this date (YYYY-MM-DD).")

    def validate_state(self, value: str) -> list[str]:
        states = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in states if s not in ObligationState.values]
        if unknown or not states:
            raise serializers.ValidationError(
                f"Give states among: {', '.join(ObligationState.values)}, separated by commas."
            )
        return states

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        before, after = attrs.get("due_before"), attrs.get("due_after")
        if before is not None and after is not None and after > before:
            raise serializers.ValidationError({"due_after": ["This date is after due_before."]})
        return attrs


class ComplianceFilterSerializer(serializers.Serializer):
    setting = ScopedRecordField(
        model=Setting, scope=settings_visible_to, required=False,
        help_text="Only this setting; without it, every setting you work in.",
    )
    as_of = _date_param("The date of the figures (YYYY-MM-DD); without it, today. Only obligations due by this date "
                        "count.")
    from_date = _date_param("The first day of the period (YYYY-MM-DD); without it, the start of each setting's school "
                            "year.")
    to_date = _date_param("The last day of the period (YYYY-MM-DD); without it, as_of.")

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("from_date"), attrs.get("to_date")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError({"from_date": ["This date is after to_date."]})
        if start is not None and end is not None and (end - start).days > 2 * 366:
            raise serializers.ValidationError({"to_date": ["Choose a period of at most two school years."]})
        return attrs


# Compliance -------------------------------------------------------------------------------------------------


class ComplianceFiguresSerializer(serializers.Serializer):
    """One figure, as standards.compliance defines it (the same as the pages, the evidence pack and the command)."""

    due = serializers.IntegerField(help_text="Obligations whose due date falls in the period and has come by as_of, "
                                             "waived ones included.")
    met_on_time = serializers.IntegerField()
    met_late = serializers.IntegerField(help_text="Met by a record dated after the due date, or entered after the "
                                                  "period ended.")
    missed = serializers.IntegerField(help_text="The period closed (or the time ran out) without the record.")
    waived = serializers.IntegerField()
    still_open = serializers.IntegerField(help_text="Not met yet and not yet missed.")
    met = serializers.IntegerField(help_text="met_on_time + met_late.")
    percent = serializers.IntegerField(
        allow_null=True, help_text="The share met as the pages print it: (met on time + met late) ÷ (due − waived), a "
                                   "whole percent, halves rounded up; null when due − waived is 0."
    )
    percent_exact = serializers.FloatField(allow_null=True, help_text="The same share, unrounded.")


class ComplianceStandardSerializer(ComplianceFiguresSerializer):
    standard = serializers.IntegerField()
    clause = serializers.CharField()
    title = serializers.CharField()


class ComplianceKeyWorkerSerializer(ComplianceFiguresSerializer):
    staff = serializers.IntegerField(allow_null=True, help_text="null: the families without a key worker.")
    name = serializers.CharField()


class ComplianceSettingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ComplianceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    from_date = serializers.DateField(
        allow_null=True, help_text="The first day counted (without from_date, the earliest start of a school year: "
                                   "each setting counts from its own)."
    )
    to_date = serializers.DateField(allow_null=True, help_text="The last day of the period.")
    definition = serializers.CharField(help_text="How the figures count, in words.")
    settings = ComplianceSettingSerializer(many=True)
    standards = ComplianceStandardSerializer(many=True)
    key_workers = ComplianceKeyWorkerSerializer(many=True)
