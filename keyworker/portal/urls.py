"""The carers' portal, under /family/. Every page is for a signed-in carer (keyworker.portal.access)."""

from django.urls import path

from . import views, views_bookings

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
]

# Parents' evenings: booking slots
urlpatterns += [
    path("bookings/", views_bookings.bookings_list, name="bookings"),
    path("bookings/<int:evening_id>/", views_bookings.bookings_evening, name="bookings_evening"),
    path("bookings/<int:evening_id>/book/", views_bookings.bookings_book, name="bookings_book"),
    path("bookings/<int:evening_id>/<int:slot_id>/move/", views_bookings.bookings_move, name="bookings_move"),
    path("bookings/<int:evening_id>/<int:slot_id>/cancel/", views_bookings.bookings_cancel, name="bookings_cancel"),
]
