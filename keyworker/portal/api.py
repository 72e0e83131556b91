"""API v1 routes of the portal for staff: invitations to the carers' portal (list, send one)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.api.fields import MAX_ID, ScopedRecordField
from keyworker.core.api.views import ReadViewSet
from keyworker.people.models import Carer
from keyworker.people.selectors import carers_visible_to, families_visible_to

from . import policies, services
from .models import PortalInvitation

urlpatterns: list = []


class PortalInvitationSerializer(serializers.ModelSerializer):
    carer = serializers.IntegerField(source="carer_id", read_only=True)
    carer_name = serializers.CharField(source="carer.full_name", read_only=True)
    family = serializers.IntegerField(source="family_id", read_only=True)
    invited_by = serializers.CharField(source="invited_by.user.full_name", read_only=True, default="")
    last_signed_in = serializers.DateTimeField(source="user.last_login", read_only=True, default=None, allow_null=True)

    class Meta:
        model = PortalInvitation
        fields = ["id", "carer", "carer_name", "family", "email", "invited_by", "invited_at", "last_signed_in"]
        read_only_fields = fields


class InvitationRequestSerializer(serializers.Serializer):
    carer = ScopedRecordField(model=Carer, scope=carers_visible_to,
                              help_text="The carer to invite: one with an e-mail address and no no-contact restriction.")


class InvitationFilterSerializer(serializers.Serializer):
    family = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Only this family's.")
    carer = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Only this carer's.")


@extend_schema_view(
    create=extend_schema(
        request=InvitationRequestSerializer, responses={201: PortalInvitationSerializer},
        summary="Invite a carer to the carers' portal: their account is made or linked and a sign-in link e-mailed",
        description="The admin office, leaders and the family's key worker (403 otherwise). Refused (400, field carer) "
                    "for a carer under a no-contact restriction (rule no_contact), without an e-mail address (no_email), "
                    "whose address is a staff account's (staff_address), or whom the organisation's portal setting opens "
                    "nothing to (nothing_to_see).",
    ),
)
class PortalInvitationViewSet(ReadViewSet):
    """Invitations to the carers' portal of the families you may see, newest first."""

    serializer_class = PortalInvitationSerializer
    filter_serializer_class = InvitationFilterSerializer

    def visible(self, actor: Actor) -> QuerySet:
        if not actor.is_member:
            return PortalInvitation.objects.none()
        return (
            PortalInvitation.objects.filter(organisation_id=actor.organisation_id,
                                            family_id__in=families_visible_to(actor).values("id"))
            .select_related("carer", "invited_by__user", "user").order_by("-invited_at", "-id")
        )

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        lookups = {"family": "family_id", "carer": "carer_id"}
        return queryset.filter(**{lookups[k]: v for k, v in params.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = InvitationRequestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        carer = data.validated_data["carer"]
        policies.require_invite(self.actor, carer.family)
        invitation = services.portal_invitation_send(actor=self.actor, carer=carer, now=clock.now())
        return Response(PortalInvitationSerializer(self.refetch(invitation)).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("portal-invitations", PortalInvitationViewSet, basename="portal-invitation")
