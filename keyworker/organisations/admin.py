"""The admin site is for installation operators (superusers): organisations and their settings only."""

from django.contrib import admin

from .models import Organisation, Setting


class SettingInline(admin.TabularInline):
    model = Setting
    extra = 0
    fields = ("name", "kind", "jurisdiction", "time_zone", "urn")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    inlines = [SettingInline]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser
