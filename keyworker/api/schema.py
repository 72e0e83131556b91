"""The OpenAPI schema, generated once per process.

The schema describes the API's routes and serializers, which do not change while a process runs, and it is
public (served to anyone, not filtered by who asks: `SERVE_PUBLIC`), so one copy serves everybody. It is kept per
API version and language, and each rendering (YAML, JSON) is kept beside it. Generating it walks every route and
serializer: it takes about a second, too long for each visit to the docs pages, which fetch it.
"""

import threading
from typing import Any

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_lock = threading.Lock()
_schemas: dict[tuple, dict[str, Any]] = {}
_rendered: dict[tuple, tuple[bytes, str]] = {}


def schema_cache_clear() -> None:
    """Forget the generated schema (tests that change the routes or the schema settings)."""
    with _lock:
        _schemas.clear()
        _rendered.clear()


class CachedSchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language(), self.serve_public)
        with _lock:
            schema = _schemas.get(key)
            if schema is None:
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                schema = _schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        self._schema_key = key
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_schema_key", None)
        if key is None or response.status_code != 200:
            return response
        rendered_key = (*key, response.accepted_media_type)
        kept = _rendered.get(rendered_key)
        if kept is None:
            response.render()
            _rendered[rendered_key] = (response.content, response["Content-Type"])
        else:
            content, content_type = kept
            response.content = content  # marks the response rendered: the renderer does not run again
            response["Content-Type"] = content_type  # which the renderer would have set
        return response
