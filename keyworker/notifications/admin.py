from django.contrib import admin

from .models import Delivery, Lease, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "organisation_id", "created_at", "read_at", "digest"]
    list_filter = ["kind", "digest"]
    search_fields = ["subject", "dedupe_key", "recipient__email"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "attempts", "status", "next_attempt_at", "sent_at", "claimed_by", "last_error"]
    list_filter = ["status"]


admin.site.register(Lease)
