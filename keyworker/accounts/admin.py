"""Sign-in accounts for installation operators. Children, families and concerns are not on the admin site:
they are read only through the scoped pages and API."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Role, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    list_filter = ("is_active", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    filter_horizontal = ()

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "organisation", "scope", "key_worker_eligibility")
    list_filter = ("organisation", "scope")

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser
