"""The admin site answers only installation operators; it holds no children, families or carers."""

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db


def test_staff_without_superuser_cannot_use_the_admin(world, client_for):
    client = client_for(world.headteacher)
    r = client.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r.url


def test_no_people_records_on_the_admin_site():
    registered = {m._meta.label for m in admin.site._registry}
    assert not registered & {"people.Child", "people.Family", "people.Carer", "people.KeyAspects", "people.KeyAspectChange"}


def test_superuser_sees_organisations(client, django_user_model):
    su = django_user_model.objects.create_superuser("root@example.org", "a-long-password", full_name="Operator")
    client.force_login(su)
    assert client.get("/admin/organisations/organisation/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
