"""The carers' portal, under /family/. Every page is for a signed-in carer (keyworker.portal.access)."""

from django.urls import path

from . import views, views_reviews

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    # Annual reviews, "All about my family" and the pupil booklet
    path("reviews/", views_reviews.reviews_list, name="reviews"),
    path("reviews/<int:review_id>/", views_reviews.review, name="review"),
    path("reviews/<int:review_id>/all-about-my-family/", views_reviews.family_views, name="review_family_views"),
    path("reviews/<int:review_id>/booklet.pdf", views_reviews.booklet, name="review_booklet"),
]
