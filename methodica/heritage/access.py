"""Who may see a local-history item: the one rule, as a test and as a filter.

- public, published and not under embargo: everyone, signed in or not;
- reading room only: staff, or a request from a reading-room network
  (``METHODICA_READING_ROOM_NETWORKS``), when published and not under embargo;
- staff only, unpublished or under embargo (until the date passes): only users
  holding ``heritage.item:view_restricted`` in the item's district;
- deleted: nobody (OAI-PMH shows a deleted header, nothing more).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from methodica.core.permissions import ROLE_PERMISSIONS, has_perm, memberships_of

RESTRICTED = "heritage.item:view_restricted"


def in_reading_room(ip: str | None) -> bool:
    """Is ``ip`` inside one of the configured reading-room networks?"""
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    # A dual-stack server sees an IPv4 client as ::ffff:a.b.c.d.
    address = getattr(address, "ipv4_mapped", None) or address
    return any(
        address in ipaddress.ip_network(cidr, strict=False)
        for cidr in settings.METHODICA_READING_ROOM_NETWORKS
    )


def _open_to_public(item: Any, today: Any) -> bool:
    return item.published and (
        item.embargo_until is None or item.embargo_until <= today
    )


def is_public(item: Any) -> bool:
    """May anyone anywhere see ``item`` now? The rule of :func:`public_q`."""
    return (
        item.deleted_at is None
        and item.access == item.Access.PUBLIC
        and _open_to_public(item, timezone.localdate())
    )


def can_view(user: Any, item: Any, ip: str | None) -> bool:
    """May ``user``, asking from address ``ip``, see ``item``, its files and text?"""
    if item.deleted_at is not None:
        return False
    if has_perm(user, RESTRICTED, item):
        return True
    if not _open_to_public(item, timezone.localdate()):
        return False
    if item.access == item.Access.PUBLIC:
        return True
    return item.access == item.Access.READING_ROOM and in_reading_room(ip)


def public_q() -> Q:
    """Items that anyone anywhere may see (what OAI-PMH and the portal show)."""
    today = timezone.localdate()
    return Q(
        deleted_at__isnull=True,
        published=True,
        access="public",
    ) & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=today))


def viewable_q(user: Any, ip: str | None) -> Q:
    """The rule of :func:`can_view` as a filter on items."""
    today = timezone.localdate()
    open_q = Q(published=True) & (
        Q(embargo_until__isnull=True) | Q(embargo_until__lte=today)
    )
    levels = ["public", "reading_room"] if in_reading_room(ip) else ["public"]
    return (open_q & Q(access__in=levels)) | staff_q(user)


def staff_q(user: Any) -> Q:
    """Items whose restricted content ``user`` may see: those of their districts.

    Items belong to a district; a municipality or library membership never covers
    them, exactly as :func:`has_perm` decides for one item.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        # Every item; not Q(), which OR-ing with another Q would simply drop.
        return ~Q(pk__in=[])
    districts = sorted(
        membership.district_id
        for membership in memberships_of(user)
        if membership.district_id is not None
        and RESTRICTED in ROLE_PERMISSIONS[membership.role]
    )
    return Q(district_id__in=districts) if districts else Q(pk__in=[])
