"""API v1 routes for common transfer files: upload one (its preview, pupil by pupil), read a preview, import it
(all or nothing); a child's CTF as XML. For the office and leaders; another organisation's records do not exist."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core.api.fields import MAX_ID
from keyworker.core.api.views import ReadViewSet
from keyworker.core.uploads import too_large_message, upload_limits

from . import ctf_services
from .ctf_export import ctf_export, export_child
from .models import CtfImport
from .policies import require_run_imports
from .selectors import importable_settings

urlpatterns: list = []


class CtfImportSerializer(serializers.ModelSerializer):
    setting = serializers.IntegerField(source="setting_id", read_only=True)
    preview = serializers.JSONField(read_only=True, help_text="counts, not_kept, and per pupil: action (create, update, "
                                                              "unchanged, error), changes (what, field, before, after), "
                                                              "warnings, errors; after the import, outcome")

    class Meta:
        model = CtfImport
        fields = ["id", "setting", "original_name", "source_school", "pupil_count", "status", "preview", "created_at",
                  "finished_at"]
        read_only_fields = fields


class CtfUploadSerializer(serializers.Serializer):
    setting = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The setting to import into")
    file = serializers.FileField(help_text="The CTF (XML, version 19 or later)")

    def validate_setting(self, value: int):
        found = next((s for s in importable_settings(self.context["actor"]) if s.pk == value), None)
        if found is None:
            raise serializers.ValidationError("No setting you may import into has this number.")
        return found

    def validate_file(self, value):
        if value.size > upload_limits().max_bytes:
            raise serializers.ValidationError(too_large_message(upload_limits()))
        return value


@extend_schema_view(
    create=extend_schema(request={"multipart/form-data": CtfUploadSerializer}, responses={201: CtfImportSerializer},
                         summary="Upload a common transfer file: read, checked and previewed, nothing imported yet",
                         description="A file that is not a readable CTF is a 400 with the message on `file`."),
    confirm=extend_schema(request=None, responses={200: CtfImportSerializer},
                          summary="Import a previewed file, all or nothing"),
)
class CtfImportViewSet(ReadViewSet):
    """Common transfer files uploaded into the settings you import into, newest first."""

    serializer_class = CtfImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def visible(self, actor: Actor) -> QuerySet:
        require_run_imports(actor)
        return CtfImport.objects.filter(
            organisation_id=actor.organisation_id, setting_id__in=[s.pk for s in importable_settings(actor)],
        ).defer("data", "parsed").order_by("-created_at", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_run_imports(self.actor)
        data = CtfUploadSerializer(data=request.data, context={"actor": self.actor})
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        done = ctf_services.ctf_upload(actor=self.actor, setting=data.validated_data["setting"], name=upload.name,
                                       data=upload.read())
        return Response(CtfImportSerializer(done).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        done = ctf_services.ctf_confirm(actor=self.actor, upload=self.get_object())
        return Response(CtfImportSerializer(done).data)

    @extend_schema(request=None, responses={(200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY)},
                   summary="A child's common transfer file (CTF 19 XML): transferable data, never safeguarding records")
    @action(detail=False, methods=["get"], url_path="child/<int:child_id>")
    def child(self, request: Request, child_id: str | None = None) -> HttpResponse:
        child = export_child(self.actor, int(child_id or 0))
        name, data = ctf_export(actor=self.actor, child=child)
        response = HttpResponse(data, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def register(router) -> None:
    router.register("ctf-imports", CtfImportViewSet, basename="ctf-import")
