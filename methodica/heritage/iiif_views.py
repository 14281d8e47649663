"""The IIIF endpoints: Image API 3, Presentation 3 manifests and collections, Search 2.

Every endpoint finds its item through :func:`access.can_view` (or ``viewable``): an
item the user may not see answers 404, exactly as one that does not exist. Only
public content gets ``Access-Control-Allow-Origin: *`` and a shared cache lifetime.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.views.decorators.http import require_safe

from methodica.accounts.throttle import client_ip
from methodica.core.permissions import has_perm
from methodica.heritage import iiif_image, iiif_presentation, iiif_search
from methodica.heritage.access import RESTRICTED, can_view, in_reading_room, is_public
from methodica.heritage.models import Collection, Item, Page
from methodica.heritage.portal_views import pdf_allowed

IMAGE_JSON = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
PRESENTATION_JSON = (
    'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _headers(response: HttpResponse, public: bool) -> HttpResponse:
    if public:
        response["Access-Control-Allow-Origin"] = "*"
        # An hour, not a day: an item made restricted drops out of shared caches
        # within the hour.
        response["Cache-Control"] = "public, max-age=3600, must-revalidate"
    else:
        response["Cache-Control"] = "private, max-age=600"
        response["Vary"] = "Cookie"
    return response


def _json(data: Any, content_type: str, public: bool) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _headers(HttpResponse(body, content_type=content_type), public)


def viewable_item(request: HttpRequest, pk: int) -> Item:
    item = Item.objects.filter(pk=pk).first()
    if item is None or not can_view(request.user, item, client_ip(request)):
        raise Http404
    return item


def _page(request: HttpRequest, pk: int) -> Page:
    page = (
        Page.objects.current()
        .select_related("item")
        .filter(pk=pk, width__isnull=False, height__isnull=False)
        .exclude(image="")
        .first()
    )
    if page is None or not can_view(request.user, page.item, client_ip(request)):
        raise Http404
    return page


@require_safe
def image_base(request: HttpRequest, pk: int) -> HttpResponse:
    _page(request, pk)
    return HttpResponseRedirect(f"{request.path.rstrip('/')}/info.json", status=303)


@require_safe
def image_info(request: HttpRequest, pk: int) -> HttpResponse:
    page = _page(request, pk)
    service = iiif_presentation.image_service_id(_base(request), page.pk)
    return _json(iiif_image.info(page, service), IMAGE_JSON, is_public(page.item))


@require_safe
def image(
    request: HttpRequest,
    pk: int,
    region: str,
    size: str,
    rotation: str,
    quality: str,
    fmt: str,
) -> HttpResponse:
    page = _page(request, pk)
    try:
        wanted = iiif_image.parse(region, size, rotation, quality, fmt, page)
    except iiif_image.BadRequest:
        return HttpResponseBadRequest(
            "Bad IIIF image request", content_type="text/plain"
        )
    except iiif_image.NotSupported:
        return HttpResponse("Not implemented", status=501, content_type="text/plain")
    data = iiif_image.image_bytes(page, wanted)
    response = HttpResponse(data, content_type=iiif_image.FORMATS[fmt][1])
    response["Link"] = '<http://iiif.io/api/image/3/level1.json>;rel="profile"'
    return _headers(response, is_public(page.item))


@require_safe
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    item = viewable_item(request, pk)
    body = iiif_presentation.manifest_json(
        item, _base(request), pdf=pdf_allowed(request.user, item)
    )
    response = HttpResponse(body, content_type=PRESENTATION_JSON)
    return _headers(response, is_public(item))


def _open_collection(node: Collection) -> bool:
    """Is the collection public, and every collection above it?"""
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if not node.public:
            return False
        seen.add(node.pk)
        node = node.parent
    return True


@require_safe
def collection(request: HttpRequest, pk: int) -> HttpResponse:
    node = Collection.objects.select_related("parent").filter(pk=pk).first()
    if node is None:
        raise Http404
    public = _open_collection(node)
    staff = has_perm(request.user, RESTRICTED, node)
    if not (public or staff):
        raise Http404
    visible = Item.objects.viewable(request.user, client_ip(request))
    items = visible.filter(collections=node).only("pk", "title", "languages")
    children = node.children.order_by("title")
    if not staff:
        children = children.filter(public=True)
    data = iiif_presentation.collection(
        node, items.order_by("title", "pk"), children, _base(request)
    )
    # A listing built for staff or for the reading room holds more than the public
    # may see: it must never be shared-cached or offered to other origins.
    shared = public and not staff and not in_reading_room(client_ip(request))
    return _json(data, PRESENTATION_JSON, shared)


@require_safe
def search(request: HttpRequest, pk: int) -> HttpResponse:
    item = viewable_item(request, pk)
    base = _base(request)
    query = request.GET.get("q", "").strip()
    pages = iiif_search.pages_with_words(item, query) if query else []
    data = iiif_search.search(
        pages,
        query,
        lambda page: f"{base}/iiif/{item.pk}/canvas/{page.pk}",
        request.build_absolute_uri(),
    )
    return _json(data, "application/ld+json", is_public(item))
