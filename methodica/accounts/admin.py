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
    # Deleting in bulk would skip the audit; delete users one at a time.
    actions = None

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit(
                actor=request.user,
                action="user.password_set",
                obj=User.objects.get(pk=id),
            )
        return response

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
        """Roles granted, changed and revoked in the admin are audited."""
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            audit(
                actor=request.user,
                action="membership.revoked",
                obj=membership,
                changes={"role": {"before": membership.role, "after": None}},
            )
            membership.delete()
        for membership in formset.new_objects + [m for m, _ in formset.changed_objects]:
            membership.save()
        for membership in formset.new_objects:
            audit(
                actor=request.user,
                action="membership.granted",
                obj=membership,
                changes={"role": {"before": None, "after": membership.role}},
            )
        for membership, fields in formset.changed_objects:
            audit(
                actor=request.user,
                action="membership.changed",
                obj=membership,
                changes={"fields": {"before": None, "after": fields}},
            )

    def delete_model(self, request, obj):
        audit(actor=request.user, action="user.deleted", obj=obj)
        super().delete_model(request, obj)


# API tokens are issued on the user's own page, where issuing is audited.
try:
    from rest_framework.authtoken.admin import TokenProxy

    admin.site.unregister(TokenProxy)
except admin.sites.NotRegistered:
    pass
