"""Serializers: representation and input validation only; writes go through the services."""

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from keyworker.accounts import mfa
from keyworker.accounts.models import StaffMember
from keyworker.accounts.selectors import staff_visible_to
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.conflicts import VERSION_HELP, VERSION_REQUIRED
from keyworker.core.dates import date_problem
from keyworker.core.names import NameFieldsSerializerMixin
from keyworker.organisations.models import Group, Setting
from keyworker.people.models import (
    KEY_ASPECT_FIELDS,
    Carer,
    Child,
    ContactMethod,
    Family,
    KeyAspectChange,
    KeyAspects,
)
from keyworker.people.selectors import families_visible_to

from .selectors import groups_visible_to, settings_visible_to


def _family_field(**kwargs: Any) -> ScopedRecordField:
    return ScopedRecordField(model=Family, scope=families_visible_to, **kwargs)


def _setting_field(**kwargs: Any) -> ScopedRecordField:
    return ScopedRecordField(model=Setting, scope=settings_visible_to, **kwargs)


def _class_field(**kwargs: Any) -> ScopedRecordField:
    return ScopedRecordField(model=Group, scope=groups_visible_to, **kwargs)


def _staff_field(**kwargs: Any) -> ScopedRecordField:
    return ScopedRecordField(model=StaffMember, scope=staff_visible_to, **kwargs)


class ClassNamedFieldMixin:
    """Exposes the model's `group` as "class" (a Python keyword, so it cannot be declared as an attribute)."""

    class_field_after = "setting"

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        out: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            out[name] = field
            if name == self.class_field_after:
                out["class"] = self.build_class_field()
        return out

    def build_class_field(self) -> serializers.Field:
        return _class_field(source="group", allow_null=True, required=False, help_text="Class (schools) or room (childcare).")


# Organisation ------------------------------------------------------------------------------------------------


class SettingSerializer(serializers.ModelSerializer):
    key_worker_label = serializers.CharField(read_only=True, help_text="The setting's word for a key worker.")
    group_label = serializers.CharField(read_only=True, help_text='"class" in schools, "room" in childcare.')

    class Meta:
        model = Setting
        fields = ["id", "name", "kind", "jurisdiction", "time_zone", "urn", "key_worker_label", "group_label"]
        read_only_fields = fields


class ClassSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(help_text='"class" in a school, "room" in a childcare setting.')

    class Meta:
        model = Group
        fields = ["id", "name", "setting", "kind", "year_group"]
        read_only_fields = fields

    def get_kind(self, obj: Group) -> str:
        return obj.setting.group_label


class StaffRoleSummarySerializer(serializers.Serializer):
    setting = serializers.IntegerField(source="setting_id")
    role = serializers.CharField(source="role.code")
    role_name = serializers.CharField(source="role.name")
    scope = serializers.CharField(source="role.scope")


class StaffSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")
    active = serializers.BooleanField(source="is_active")
    roles = StaffRoleSummarySerializer(source="staff_roles", many=True)
    class_ids = serializers.SerializerMethodField(help_text="Classes or rooms whose team the person is on.")
    caseload = serializers.IntegerField(help_text="Families of whom the person is currently key worker.")

    class Meta:
        model = StaffMember
        fields = ["id", "name", "email", "job_title", "active", "left_on", "roles", "class_ids", "caseload"]
        read_only_fields = fields

    def get_class_ids(self, obj: StaffMember) -> list[int]:
        return [m.group_id for m in obj.group_memberships.all()]


# Children --------------------------------------------------------------------------------------------------


def version_field() -> serializers.IntegerField:
    """Required on every edit (the view says so when missing); ignored when creating."""
    return serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP,
                                    error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED})


class KeyAspectsSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyAspects
        fields = [*KEY_ASPECT_FIELDS, "updated_at", "version"]
        read_only_fields = fields


class KeyAspectsUpdateSerializer(serializers.Serializer):
    """Any of the key aspects; each change is recorded with who made it and when."""

    first_language = serializers.CharField(max_length=60, allow_blank=True, required=False)
    religion = serializers.CharField(max_length=60, allow_blank=True, required=False)
    medical_needs = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    allergies = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    behaviour_plan = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    risk_assessments = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    outside_agencies = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    family_circumstances = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP,
                                       error_messages={"required": VERSION_REQUIRED, "null": VERSION_REQUIRED})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The browsable API's HTML form adds its CSRF token to the data.
        unknown = sorted(set(self.initial_data) - set(self.fields) - {"csrfmiddlewaretoken"})
        if unknown:
            raise serializers.ValidationError({name: ["Unknown key aspect."] for name in unknown})
        if not set(attrs) - {"version"}:
            raise serializers.ValidationError("Give at least one key aspect to change.")
        return attrs


class KeyAspectChangeSerializer(serializers.ModelSerializer):
    field_label = serializers.CharField(read_only=True)
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = KeyAspectChange
        fields = ["id", "field", "field_label", "before", "after", "changed_by", "changed_by_name", "changed_at"]
        read_only_fields = fields

    def get_changed_by_name(self, obj: KeyAspectChange) -> str | None:
        return obj.changed_by.full_name if obj.changed_by else None


class ChildSerializer(NameFieldsSerializerMixin, ClassNamedFieldMixin, serializers.ModelSerializer):
    name_fields = ("legal_first_name", "legal_last_name", "preferred_name")
    family = _family_field()
    setting = _setting_field()
    display_name = serializers.CharField(read_only=True)
    upn_warning = serializers.CharField(
        read_only=True, help_text="Why the UPN looks wrong (the child is saved all the same); empty if it looks right."
    )
    key_aspects = KeyAspectsSerializer(read_only=True, allow_null=True)
    version = version_field()

    class Meta:
        model = Child
        fields = [
            "id", "legal_first_name", "legal_last_name", "preferred_name", "display_name", "date_of_birth", "upn",
            "upn_warning", "mis_reference", "family", "setting", "year_group", "enrolled_on", "left_on", "has_ehcp",
            "ehcp_issued_on", "ehcp_last_reviewed_on", "key_aspects", "created_at", "version",
        ]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def value(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        dob, enrolled, left = value("date_of_birth"), value("enrolled_on"), value("left_on")
        errors: dict[str, str] = {}
        today = clock.today()
        for name in ("date_of_birth", "enrolled_on", "left_on", "ehcp_issued_on", "ehcp_last_reviewed_on"):
            if name in attrs and (problem := date_problem(attrs[name], today=today)):
                errors[name] = problem
        if errors:
            raise serializers.ValidationError(errors)
        if isinstance(dob, dt.date) and isinstance(enrolled, dt.date) and enrolled < dob:
            errors["enrolled_on"] = "The enrolment date is before the date of birth."
        if isinstance(enrolled, dt.date) and isinstance(left, dt.date) and left < enrolled:
            errors["left_on"] = "The leaving date is before the enrolment date."
        group, setting = value("group"), value("setting")
        if group is not None and setting is not None and group.setting_id != setting.pk:
            errors["class"] = f"{group} is not a {setting.group_label} of {setting}."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ChildSummarySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Child
        fields = ["id", "display_name", "setting", "year_group", "left_on"]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["class"] = serializers.IntegerField(source="group_id", read_only=True, allow_null=True)
        return fields


# Families and carers ---------------------------------------------------------------------------------------


class CarerSummarySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    may_be_contacted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Carer
        fields = ["id", "full_name", "relationship", "parental_responsibility", "preferred_contact_method", "may_be_contacted"]
        read_only_fields = fields


class KeyWorkerSummarySerializer(serializers.ModelSerializer):
    allocation = serializers.IntegerField(source="id")
    staff_name = serializers.CharField(source="staff.user.full_name")

    class Meta:
        model = KeyWorkerAllocation
        fields = ["allocation", "setting", "staff", "staff_name", "starts_at", "needs_teacher_since"]
        read_only_fields = fields


class FamilySerializer(NameFieldsSerializerMixin, serializers.ModelSerializer):
    name_fields = ("name",)
    children = ChildSummarySerializer(many=True, read_only=True)
    carers = CarerSummarySerializer(many=True, read_only=True)
    key_workers = KeyWorkerSummarySerializer(
        source="current_allocations", many=True, read_only=True, help_text="Current key worker in each setting."
    )
    version = version_field()

    class Meta:
        model = Family
        fields = ["id", "name", "address", "mis_reference", "children", "carers", "key_workers", "created_at", "version"]
        read_only_fields = ["id", "created_at"]


class CarerSerializer(NameFieldsSerializerMixin, serializers.ModelSerializer):
    name_fields = ("title", "first_name", "last_name")
    family = _family_field()
    full_name = serializers.CharField(read_only=True)
    may_be_contacted = serializers.BooleanField(read_only=True)
    version = version_field()

    class Meta:
        model = Carer
        fields = [
            "id", "family", "title", "first_name", "last_name", "full_name", "relationship", "parental_responsibility",
            "phone", "email", "address", "preferred_contact_method", "first_language", "contact_restriction",
            "restriction_notes", "contact_order", "may_be_contacted", "version",
        ]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def value(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        errors: dict[str, str] = {}
        if self.instance is not None and "family" in attrs and attrs["family"].pk != self.instance.family_id:
            errors["family"] = "A carer cannot move to another family: add them to that family instead."
        method = value("preferred_contact_method") or ContactMethod.PHONE
        if method == ContactMethod.PHONE and not value("phone"):
            errors["phone"] = "Phone is the preferred method: give a phone number."
        if method == ContactMethod.EMAIL and not value("email"):
            errors["email"] = "E-mail is the preferred method: give an e-mail address."
        if value("contact_restriction") and not value("restriction_notes"):
            errors["restriction_notes"] = "Say what the restriction is, e.g. which order and what it allows."
        if errors:
            raise serializers.ValidationError(errors)
        if self.instance is not None:
            attrs.pop("family", None)
        return attrs


# Allocations -----------------------------------------------------------------------------------------------


class AllocationSerializer(serializers.ModelSerializer):
    family_name = serializers.CharField(source="family.name", read_only=True)
    staff_name = serializers.CharField(source="staff.user.full_name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)
    allocated_by_name = serializers.SerializerMethodField()
    ended_by_name = serializers.SerializerMethodField()

    class Meta:
        model = KeyWorkerAllocation
        fields = [
            "id", "family", "family_name", "setting", "staff", "staff_name", "starts_at", "ends_at", "is_current",
            "reason", "end_reason", "allocated_by_name", "ended_by_name", "needs_teacher_since",
        ]
        read_only_fields = fields

    def get_allocated_by_name(self, obj: KeyWorkerAllocation) -> str | None:
        return obj.allocated_by.full_name if obj.allocated_by else None

    def get_ended_by_name(self, obj: KeyWorkerAllocation) -> str | None:
        return obj.ended_by.full_name if obj.ended_by else None


REASON_HELP = "Why: kept in the family's allocation history (at least a few words)."


class AssignSerializer(serializers.Serializer):
    family = _family_field()
    setting = _setting_field()
    staff = _staff_field(help_text="The new key worker.")
    reason = serializers.CharField(max_length=300, help_text=REASON_HELP)


class ReassignSerializer(serializers.Serializer):
    staff = _staff_field(help_text="The new key worker.")
    reason = serializers.CharField(max_length=300, help_text=REASON_HELP)


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text=REASON_HELP)


# Query parameters ------------------------------------------------------------------------------------------


def _id_param(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


class ClassFilterSerializer(serializers.Serializer):
    setting = _id_param("Only classes or rooms of this setting.")


class StaffFilterSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, help_text="true: only current staff; false: only leavers.")


class ChildFilterSerializer(serializers.Serializer):
    family = _id_param("Only children of this family.")
    setting = _id_param("Only children of this setting.")
    class_ = _id_param("Only children of this class or room.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields


class FamilyFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=100,
        help_text="Part of the family's name, a child's or carer's name, or a child's exact UPN.",
    )


class CarerFilterSerializer(serializers.Serializer):
    family = _id_param("Only carers of this family.")


class AllocationFilterSerializer(serializers.Serializer):
    family = _id_param("Only allocations of this family.")
    staff = _id_param("Only allocations held by this staff member.")
    setting = _id_param("Only allocations in this setting.")
    current = serializers.BooleanField(required=False, help_text="true: only current allocations; false: only ended ones.")


# Me and authentication -------------------------------------------------------------------------------------


class OrganisationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField(help_text="The short name the keyworker commands take (--organisation).")


class MeRoleSerializer(serializers.Serializer):
    role = serializers.CharField(source="role.code")
    role_name = serializers.CharField(source="role.name")
    scope = serializers.CharField(source="role.scope")
    setting = serializers.IntegerField(source="setting_id")
    setting_name = serializers.CharField(source="setting.name")


class MeSettingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="The user's id.")
    name = serializers.CharField()
    email = serializers.EmailField()
    staff = serializers.IntegerField(help_text="The staff member's id in the current organisation.")
    job_title = serializers.CharField()
    organisation = OrganisationSummarySerializer(help_text="The organisation this request acts in.")
    organisations = OrganisationSummarySerializer(
        many=True, help_text="Every organisation of the user; send X-Organisation: <id> to act in another."
    )
    roles = MeRoleSerializer(many=True)
    capabilities = serializers.ListField(child=serializers.CharField(), help_text="Capabilities held in any setting.")
    settings = MeSettingSerializer(many=True, help_text="Settings the person works in, with the capabilities held there.")


class TokenObtainSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=64,
        help_text="A code from your authenticator app, or a recovery code. Only a token issued with one reads "
                  "restricted records, and only for 15 minutes.",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                 help_text="What the token is for, as listed on your account page.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            request=self.context.get("request"), email=attrs["email"].strip().lower(), password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError("Unable to sign in with this e-mail address and password.", code="authorization")
        attrs["user"] = user
        attrs["device"] = None
        if attrs.get("otp"):
            if not mfa.has_second_factor(user):
                raise serializers.ValidationError({"otp": ["You have no second factor set up: leave out otp."]}, code="no_second_factor")
            attrs["device"] = mfa.verify_code(user, attrs["otp"])
            if attrs["device"] is None:
                raise serializers.ValidationError({"otp": ["That code is not right. Enter the code your app shows now, or a recovery code."]},
                                                  code="invalid_otp")
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as the header Authorization: Token <token>. Shown only this once.")
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()
    second_factor_at = serializers.DateTimeField(allow_null=True, help_text="Set when issued with a second factor: "
                                                 "restricted records may be read until 15 minutes after it.")
