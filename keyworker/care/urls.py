"""Staff pages of the care app, under /care/."""

from django.urls import path

from . import chats_views, checklists_views, introductions_views

app_name = "care"

urlpatterns: list = []

from . import monitoring_views  # noqa: E402

urlpatterns += [
    path("monitoring/", monitoring_views.index_view, name="monitoring_index"),
    path("monitoring/<int:setting_id>/", monitoring_views.setting_view, name="monitoring"),
    path("monitoring/<int:setting_id>/samples/", monitoring_views.sample_start_view, name="monitoring_sample_start"),
    path("monitoring/samples/<int:sample_id>/", monitoring_views.sample_view, name="monitoring_sample"),
    path("monitoring/samples/<int:sample_id>/items/<int:item_id>/score/", monitoring_views.item_score_view,
         name="monitoring_item_score"),
    path("monitoring/samples/<int:sample_id>/sign-off/", monitoring_views.sign_off_view, name="monitoring_sign_off"),
    path("monitoring/findings/<int:finding_id>/", monitoring_views.finding_view, name="monitoring_finding"),
    path("monitoring/findings/<int:finding_id>/acknowledge/", monitoring_views.finding_acknowledge_view,
         name="monitoring_finding_acknowledge"),
]
# Personal care plans
from .plans_views import urlpatterns as plans_urlpatterns  # noqa: E402

urlpatterns += plans_urlpatterns
# Learning journals (CC-K4)
from . import journals_views  # noqa: E402

urlpatterns += [
    path("journals/", journals_views.journal_list, name="journals"),
    path("journals/children/<int:child_id>/", journals_views.journal, name="journal"),
    path("journals/children/<int:child_id>/new/", journals_views.observation_new, name="journal_new"),
    path("journals/children/<int:child_id>/chart/", journals_views.chart, name="journal_chart"),
    path("journals/observations/<int:observation_id>/", journals_views.observation_detail, name="journal_observation"),
    path("journals/observations/<int:observation_id>/edit/", journals_views.observation_edit, name="journal_edit"),
    path("journals/observations/<int:observation_id>/hide/", journals_views.observation_hide, name="journal_hide"),
    path("journals/observations/<int:observation_id>/next-steps/", journals_views.next_step_plan, name="journal_next_step"),
    path("journals/next-steps/<int:step_id>/done/", journals_views.next_step_done, name="journal_next_step_done"),
    path("journals/photos/<int:photo_id>/<str:size>/", journals_views.photo, name="journal_photo"),
    path("journals/wow-moments/<int:wow_id>/approve/", journals_views.wow_approve, name="journal_wow_approve"),
    path("journals/wow-moments/<int:wow_id>/decline/", journals_views.wow_decline, name="journal_wow_decline"),
    path("journals/wow-moments/<int:wow_id>/<str:size>/", journals_views.wow_photo, name="journal_wow_photo"),
]
urlpatterns += [
    path("checklists/", checklists_views.list_view, name="checklists"),
    path("checklists/set-up/", checklists_views.setup_view, name="checklists_setup"),
    path("checklists/set-up/items/", checklists_views.item_add_view, name="checklists_item_add"),
    path("checklists/set-up/items/<int:item_id>/remove/", checklists_views.item_remove_view,
         name="checklists_item_remove"),
    path("checklists/set-up/introductions/", checklists_views.introducer_view, name="checklists_introducer"),
    path("checklists/set-up/care-plan-reviews/", checklists_views.review_days_view, name="checklists_review_days"),
    path("checklists/children/<int:child_id>/", checklists_views.child_view, name="checklists_child"),
    path("checklists/children/<int:child_id>/<slug:kind>/<slug:item>/tick/", checklists_views.tick_view,
         name="checklists_tick"),
    path("checklists/children/<int:child_id>/<slug:kind>/<slug:item>/take-back/", checklists_views.untick_view,
         name="checklists_untick"),
    path("introductions/", introductions_views.list_view, name="introductions"),
    path("introductions/children/<int:child_id>/", introductions_views.record_view, name="introductions_record"),
    path("chats/", chats_views.list_view, name="chats"),
    path("chats/children/<int:child_id>/", chats_views.child_view, name="chats_child"),
]
