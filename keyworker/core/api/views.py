"""The API's base viewsets: scoped reads through a selector, validated filters, writes handed to a service."""

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from keyworker.core.conflicts import VERSION_REQUIRED

from .access import request_actor
from .pagination import Pagination
from .schema import ApiSchema


class ApiViewSet(viewsets.GenericViewSet):
    """Scoped querysets, validated query parameters, JSON errors; subclasses say what is visible and how to write."""

    schema = ApiSchema()
    pagination_class = Pagination
    lookup_value_converter = "int"
    filter_serializer_class: type[BaseSerializer] | None = None
    rule_field_names: dict[str, str] = {}

    @property
    def actor(self) -> Any:
        return request_actor(self.request)

    def visible(self, actor: Any) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.visible(self.actor)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list" or self.filter_serializer_class is None:
            return queryset
        params = self.filter_serializer_class(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return self.apply_filters(queryset, params.validated_data)

    def apply_filters(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset.filter(**params)

    def refetch(self, obj: Model) -> Model:
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    def conflict_current(self, record: Model) -> Any:
        """The saved record, in a 409 answer to an edit from an older version."""
        return self.serializer_class(self.refetch(record), context=self.get_serializer_context()).data


class ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pass


class WriteViewSet(ReadViewSet):
    """Create and update: check the capability first, validate, then hand the data to a service."""

    def require_write(self, instance: Model | None) -> None:
        raise NotImplementedError

    def write(self, instance: Model | None, data: dict[str, Any], version: int | None = None) -> Model:
        """`version`: on an edit, the version the caller started from (an older one than saved raises EditConflict)."""
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.require_write(None)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        obj = self.write(None, data)
        return Response(self.get_serializer(self.refetch(obj)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        instance = self.get_object()
        self.require_write(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": [VERSION_REQUIRED]}, code="required")
        obj = self.write(instance, data, version)
        return Response(self.get_serializer(self.refetch(obj)).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)
