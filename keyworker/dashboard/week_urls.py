"""Pages of the standards engine at the top level: My week, compliance, obligations."""

from django.urls import path

from . import views_compliance, views_escalated, views_evidence, views_retention, views_week

app_name = "week"
urlpatterns = [
    path("my-week/", views_week.my_week_view, name="my_week"),
    path("retention/", views_retention.retention_view, name="retention"),
    path("compliance/", views_compliance.team_compliance_view, name="team_compliance"),
    path("compliance/organisation/", views_compliance.org_compliance_view, name="org_compliance"),
    path("evidence-pack/", views_evidence.evidence_pack_view, name="evidence_pack"),
    path("evidence-pack.pdf", views_evidence.evidence_pack_pdf_view, name="evidence_pack_pdf"),
    path("obligations/escalated/", views_escalated.escalated_view, name="escalated"),
    path("obligations/missed/", views_week.missed_view, name="missed"),
    path("obligations/<int:obligation_id>/", views_week.obligation_detail, name="obligation"),
    path("obligations/<int:obligation_id>/waive/", views_week.obligation_waive_view, name="obligation_waive"),
]
