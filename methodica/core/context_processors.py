from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from methodica.core.permissions import has_perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The module navigation, showing only what the user may open."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items.append((_("Register"), reverse("libraries:list"), "libraries"))
        items.append((_("Map"), reverse("libraries:map"), "map"))
        if has_perm(user, "reporting.report:view"):
            items.append((_("Annual reports"), reverse("reporting:home"), "reports"))
        if has_perm(user, "activity.reach:view"):
            items.append(
                (_("Activity and reach"), reverse("activity:home"), "activity")
            )
        if has_perm(user, "support.consultation:view"):
            items.append((_("Methodological help"), reverse("support:home"), "help"))
        if has_perm(user, "training.session:view"):
            items.append((_("Training"), reverse("training:home"), "training"))
        if has_perm(user, "heritage.item:catalogue"):
            items.append((_("Local history"), reverse("heritage:items"), "heritage"))
        if has_perm(user, "libraries.library:import"):
            items.append((_("Import"), reverse("libraries:import_upload"), "import"))
        if has_perm(user, "accounts.user:invite"):
            items.append((_("Users"), reverse("accounts:invitations"), "users"))
        if has_perm(user, "core.audit:view"):
            items.append((_("Audit log"), reverse("core:audit_log"), "audit"))
    return {"nav_items": items, "site_name": settings.SITE_NAME}
