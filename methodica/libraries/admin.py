from django.contrib import admin

from methodica.core.admin import ReadOnlyAdmin
from methodica.libraries.models import District, Library, Municipality, Settlement


@admin.register(Library)
class LibraryAdmin(ReadOnlyAdmin):
    list_display = ["name", "library_type", "municipality", "status"]
    list_filter = ["library_type", "status", "municipality"]
    search_fields = ["name", "chitalishte_number", "register_number"]


admin.site.register(District, ReadOnlyAdmin)
admin.site.register(Municipality, ReadOnlyAdmin)
admin.site.register(Settlement, ReadOnlyAdmin)
