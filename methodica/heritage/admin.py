"""Read-only admin views: every write goes through the services (and the audit trail)."""

from django.contrib import admin

from methodica.heritage.models import (
    Authority,
    Collection,
    Item,
    MasterFile,
    PreservationEvent,
    Subject,
    Title,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "title", "kind", "access", "published", "deleted_at"]
    list_filter = ["kind", "access", "published"]
    search_fields = ["identifier", "title"]


@admin.register(MasterFile)
class MasterFileAdmin(ReadOnlyAdmin):
    list_display = ["item", "order", "original_name", "mime_type", "size", "fixity_ok"]
    list_select_related = ["item"]


@admin.register(PreservationEvent)
class PreservationEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "type", "item", "file", "outcome"]
    list_filter = ["type", "outcome"]
    list_select_related = ["item", "file"]


admin.site.register([Collection, Authority, Subject, Title], ReadOnlyAdmin)
