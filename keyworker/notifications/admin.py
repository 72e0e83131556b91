from django.contrib import admin, messages

from .models import Delivery, DeliveryStatus, Lease, Notification, NotificationPreference, Told
from .services import NotDeliverable, delivery_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "to_email", "kind", "organisation_id", "created_at", "read_at", "digest"]
    list_filter = ["kind", "digest"]
    search_fields = ["subject", "dedupe_key", "recipient__email", "to_email"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "attempts", "status", "next_attempt_at", "sent_at", "claimed_by", "last_error"]
    list_filter = ["status"]
    search_fields = ["notification__subject", "notification__recipient__email", "notification__to_email", "last_error"]
    list_select_related = ["notification"]
    actions = ["try_again"]

    @admin.action(description="Try again (e-mails not delivered)")
    def try_again(self, request, queryset):
        started, skipped = 0, 0
        for delivery in queryset.filter(status=DeliveryStatus.UNDELIVERABLE).select_related("notification"):
            try:
                delivery_retry(by=request.user, organisation_id=delivery.notification.organisation_id,
                               delivery_id=delivery.pk)
                started += 1
            except (Delivery.DoesNotExist, NotDeliverable):
                skipped += 1
        self.message_user(request, f"{started} will be sent again; {skipped} could not be.",
                          messages.SUCCESS if not skipped else messages.WARNING)


admin.site.register(Lease)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "escalations", "updated_at"]
    list_filter = ["escalations"]
    search_fields = ["user__email"]


@admin.register(Told)
class ToldAdmin(admin.ModelAdmin):
    list_display = ["key", "organisation_id", "at"]
    search_fields = ["key"]
