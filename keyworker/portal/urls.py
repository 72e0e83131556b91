"""The carers' portal, under /family/. Every page is for a signed-in carer (keyworker.portal.access)."""

from django.urls import path

from . import views, views_forms

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("forms/", views_forms.index, name="forms"),
    path("forms/<int:family_id>/details/", views_forms.data_check, name="forms_data_check"),
    path("forms/<int:family_id>/contact/", views_forms.contact_preference, name="forms_contact"),
    path("forms/children/<int:child_id>/enrolment/", views_forms.enrolment_form, name="forms_enrolment"),
]
