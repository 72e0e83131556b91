"""Staff pages for meetings, under /meetings/."""

from django.urls import path

from . import reviews_views

app_name = "meetings"

urlpatterns: list = [
    # EHCP annual reviews
    path("reviews/", reviews_views.reviews_view, name="reviews"),
    path("reviews/children/<int:child_id>/", reviews_views.review_of_child_view, name="review_of_child"),
    path("reviews/children/<int:child_id>/open/", reviews_views.review_open_view, name="review_open"),
    path("reviews/<int:review_id>/", reviews_views.review_view, name="review"),
    path("reviews/<int:review_id>/book/", reviews_views.review_schedule_view, name="review_schedule"),
    path("reviews/<int:review_id>/step/", reviews_views.review_step_view, name="review_step"),
    path("reviews/<int:review_id>/invite-key-worker/", reviews_views.review_invite_key_worker_view, name="review_invite_key_worker"),
    path("reviews/<int:review_id>/share-booklet/", reviews_views.review_share_booklet_view, name="review_share_booklet"),
    path("reviews/<int:review_id>/all-about-my-family/", reviews_views.review_family_views_view, name="review_family_views"),
    path("reviews/<int:review_id>/booklet.pdf", reviews_views.review_booklet_view, name="review_booklet"),
]
