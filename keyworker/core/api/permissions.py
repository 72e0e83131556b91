"""API permission: a signed-in staff member of an organisation."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class IsStaffMember(BasePermission):
    message = "You are not a member of staff of any organisation."

    def has_permission(self, request: Request, view: "APIView") -> bool:
        # Imported here: DRF loads this class while rest_framework.views itself is still importing.
        from .access import request_actor

        if not (request.user and request.user.is_authenticated):
            return False
        return request_actor(request).is_member
