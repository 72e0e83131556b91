"""Limit/offset pagination with a ceiling, so that no limit a caller types can overflow the database."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    max_limit = 200
