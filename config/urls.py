"""URL map: pages per app, the API under /api/v1/, the admin site for installation operators."""

from django.contrib import admin
from django.urls import include, path

from keyworker.accounts.views import home
from keyworker.core.views import favicon

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("keyworker.dashboard.week_urls")),
    path("accounts/", include("keyworker.accounts.urls")),
    path("", include("keyworker.accounts.installation_urls")),  # /start/ (first run), /installation/organisations/
    path("accounts/second-factor/passkeys/ceremony/", include("keyworker.accounts.webauthn_urls")),
    path("inbox/", include("keyworker.notifications.urls")),
    path("setup/roles/", include("keyworker.accounts.roles_urls")),
    path("setup/audit/", include("keyworker.accounts.audit_urls")),
    path("setup/", include("keyworker.organisations.urls")),
    path("families/", include("keyworker.dashboard.urls")),
    path("getting-started/", include("keyworker.dashboard.getting_started_urls")),
    path("families/", include("keyworker.people.urls")),
    path("families/", include("keyworker.portal.staff_urls")),  # inviting carers to the portal
    path("allocation/", include("keyworker.caseload.urls")),
    path("staff/", include("keyworker.caseload.staff_urls")),
    path("import/", include("keyworker.imports.urls")),
    path("exports/", include("keyworker.dashboard.export_urls")),  # downloads prepared by the worker
    path("policies/", include("keyworker.standards.urls")),
    path("contacts/", include("keyworker.contacts.urls")),
    path("celebrations/", include("keyworker.celebrations.urls")),
    path("briefings/", include("keyworker.briefings.urls")),
    path("data-checks/", include("keyworker.datachecks.urls")),
    path("enrolment/", include("keyworker.enrolment.urls")),
    path("attendance/", include("keyworker.attendance.urls")),
    path("safeguarding/", include("keyworker.safeguarding.urls")),
    path("wellbeing/", include("keyworker.wellbeing.urls")),
    path("family/", include("keyworker.portal.urls")),
    path("meetings/", include("keyworker.meetings.urls")),
    path("care/", include("keyworker.care.urls")),
    path("targets/", include("keyworker.targets.urls")),
    path("transitions/", include("keyworker.transitions.urls")),
    path("api/v1/", include("keyworker.api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "keyworker.core.views.permission_denied"
handler404 = "keyworker.core.views.page_not_found"
handler500 = "keyworker.core.views.server_error"
