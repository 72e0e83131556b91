"""The API's documentation pages (Swagger UI, Redoc) under the Content Security Policy.

Our own templates load every script from a file (no inline script, no outside fonts). The two viewers write
their styles into the page as they draw it, so these pages alone allow inline styles; Redoc also starts a
worker from a blob. No personal data is shown on them: they describe the API.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_POLICY = {"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}


@method_decorator(csp_update(DOCS_POLICY), name="dispatch")
class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


@method_decorator(csp_update({**DOCS_POLICY, "worker-src": ["blob:"]}), name="dispatch")
class RedocDocsView(SpectacularRedocView):
    template_name = "api/redoc.html"
