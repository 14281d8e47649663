from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from methodica.accounts.models import Membership, User
from methodica.core.audit import audit, diff, snapshot

_AUDITED = [
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = []
    raw_id_fields = ["library", "municipality", "district"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The admin's changes to users are audited like any other change."""

    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        before = snapshot(User.objects.get(pk=obj.pk), _AUDITED) if change else {}
        super().save_model(request, obj, form, change)
        audit(
            actor=request.user,
            action="user.changed" if change else "user.created",
            obj=obj,
            changes=diff(before, snapshot(obj, _AUDITED)),
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            audit(
                actor=request.user,
                action="membership.revoked",
                obj=deleted,
                changes={"role": {"before": deleted.role, "after": None}},
                library_id=deleted.library_id,
            )
            deleted.delete()
        for membership in instances:
            membership.save()
            audit(
                actor=request.user,
                action="membership.granted",
                obj=membership,
                changes={"role": {"before": None, "after": membership.role}},
                library_id=membership.library_id,
            )
        formset.save_m2m()

    def delete_model(self, request, obj):
        audit(actor=request.user, action="user.deleted", obj=obj)
        super().delete_model(request, obj)
