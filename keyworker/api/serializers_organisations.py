"""Organisations in the API: the installation's (for its administrator) or your own; adding one with its first
setting and first leader. What a new organisation's fields accept is the page's form's rule, not repeated here."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keyworker.organisations.models import Jurisdiction, Organisation, SettingKind


class OrganisationSettingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class OrganisationSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(read_only=True, help_text="The short name the keyworker commands take (--organisation).")
    settings = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "created_at", "settings"]
        read_only_fields = fields

    @extend_schema_field(OrganisationSettingSerializer(many=True))
    def get_settings(self, obj: Organisation) -> list[dict]:
        # The view reads the page's settings in one query and hands them over by organisation.
        return [OrganisationSettingSerializer(s).data for s in self.context.get("settings", {}).get(obj.pk, [])]


class OrganisationCreateSerializer(serializers.Serializer):
    """A new organisation, its first setting and its first leader (e-mailed a link to choose a password)."""

    name = serializers.CharField(max_length=200, help_text="The organisation's name.")
    slug = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                 help_text="Its short name (small letters, digits, hyphens); default: from the name.")
    setting_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                         help_text="The first setting's name; default: the organisation's.")
    kind = serializers.ChoiceField(choices=SettingKind.choices, help_text="The first setting's kind.")
    jurisdiction = serializers.ChoiceField(choices=Jurisdiction.choices)
    time_zone = serializers.CharField(max_length=64, help_text="e.g. Europe/London")
    leader_name = serializers.CharField(max_length=150, help_text="The first leader's full name.")
    leader_email = serializers.EmailField(max_length=254, help_text="The first leader's e-mail address.")


class OrganisationLeaderSerializer(serializers.Serializer):
    staff = serializers.IntegerField(help_text="The leader's staff id in the new organisation.")
    name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField(help_text="headteacher for a school, manager otherwise.")
    password_link_sent = serializers.BooleanField(help_text="Whether they were e-mailed a link to choose a password.")


class OrganisationCreatedSerializer(serializers.Serializer):
    """The new organisation, as the list shows it, and its first leader."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    created_at = serializers.DateTimeField()
    settings = OrganisationSettingSerializer(many=True)
    leader = OrganisationLeaderSerializer()
