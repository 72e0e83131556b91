"""The admin site is for installation operators (superusers): organisations and their settings only.

An organisation added here is created by the same service as everywhere else, so it starts with its default roles."""

from django.contrib import admin

from .forms import OrganisationAdminForm
from .models import Organisation, Setting
from .services import organisation_create


class SettingInline(admin.TabularInline):
    model = Setting
    extra = 0
    fields = ("name", "kind", "jurisdiction", "time_zone", "urn")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    inlines = [SettingInline]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = organisation_create(name=obj.name, slug=obj.slug, by=request.user)
        if obj.second_factor_for_everyone:
            created.second_factor_for_everyone = True
            created.save(update_fields=["second_factor_for_everyone"])
        # The admin saves the settings (inlines) and logs the addition against this object.
        obj.pk, obj.name, obj.created_at = created.pk, created.name, created.created_at
