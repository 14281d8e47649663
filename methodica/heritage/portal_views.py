"""The public portal: browse the collection and read an item in the deep-zoom viewer.

No login needed. Every item comes through :func:`access.can_view` or
``Item.objects.viewable``: reading-room and staff-only items appear only to those
allowed, embargoed ones to staff alone, the rest answer 404.

The PDF download is offered to everyone when the rights statement says there is no
copyright (NoC-*) or none known (NKC), and to staff always; In Copyright (even
educational use), "not evaluated" and "undetermined" keep it to staff.
"""

from __future__ import annotations

import io
import tempfile
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from methodica.accounts.throttle import client_ip
from methodica.core.permissions import has_perm
from methodica.heritage import iiif_presentation, iiif_search
from methodica.heritage.access import RESTRICTED, can_view
from methodica.heritage.models import Collection, Item, Page
from methodica.reporting.pdf import FONT, FontsMissing, register_fonts

THUMBNAILS = 48
RECENT = 24


def pdf_allowed(user: Any, item: Item) -> bool:
    """May ``user`` (who may see ``item``) download it as a PDF?"""
    return iiif_presentation.pdf_allowed_by_rights(item) or has_perm(
        user, RESTRICTED, item
    )


def _item(request: HttpRequest, pk: int) -> Item:
    item = (
        Item.objects.select_related("holding_library", "district", "newspaper")
        .filter(pk=pk)
        .first()
    )
    if item is None or not can_view(request.user, item, client_ip(request)):
        raise Http404
    return item


def _pages(item: Item) -> Any:
    return (
        Page.objects.current()
        .filter(item=item, width__isnull=False, height__isnull=False)
        .exclude(image="")
        .order_by("order", "pk")
    )


def thumb_url(page_pk: int, width: int) -> str:
    return f"/iiif/image/{page_pk}/full/{min(160, width)},/0/default.jpg"


@require_GET
@cache_control(private=True)
def browse(request: HttpRequest) -> HttpResponse:
    visible = Item.objects.viewable(request.user, client_ip(request))
    items = list(
        visible.select_related("newspaper").order_by("-created_at", "-pk")[:RECENT]
    )
    firsts: dict[int, tuple[int, int]] = {}
    for pk, item_id, width in (
        _pages_of(items).values_list("pk", "item_id", "width").order_by("order", "pk")
    ):
        firsts.setdefault(item_id, (pk, width))
    for item in items:
        first = firsts.get(item.pk)
        item.thumb = thumb_url(*first) if first else None
    context = {
        "collections": Collection.objects.filter(public=True, parent=None).order_by(
            "title"
        ),
        "items": items,
        "kinds": Item.Kind.choices,
    }
    return render(request, "heritage/portal_browse.html", context)


def _pages_of(items: list[Item]) -> Any:
    return (
        Page.objects.current()
        .filter(item__in=[item.pk for item in items], width__isnull=False)
        .exclude(image="")
    )


def _current(pages: list[Page], wanted: str | None) -> int:
    try:
        number = int(wanted or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), len(pages)) if pages else 0


@require_GET
@cache_control(private=True)
def public_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    # Light rows for every page (thumbnails, tile sources); text and words only for
    # the page shown: a newspaper volume has hundreds of pages of words.
    pages = list(_pages(item).only("pk", "order", "label", "width", "height"))
    number = _current(pages, request.GET.get("page"))
    page = (
        Page.objects.only("pk", "item_id", "width", "height", "text", "words").get(
            pk=pages[number - 1].pk
        )
        if pages
        else None
    )
    query = request.GET.get("q", "").strip()
    boxes = iiif_search.page_boxes(page, query) if page and query else []
    width = page.width if page else 0
    thumbs = Paginator(
        [(i + 1, p, thumb_url(p.pk, p.width)) for i, p in enumerate(pages)], THUMBNAILS
    ).get_page((number - 1) // THUMBNAILS + 1 if number else 1)
    permalink = request.build_absolute_uri(
        reverse("heritage:public_item", args=[item.pk])
    )
    context = {
        "item": item,
        "page": page,
        "number": number,
        "count": len(pages),
        "thumbs": thumbs,
        "query": query,
        "viewer": {
            "tileSources": [f"/iiif/image/{p.pk}/info.json" for p in pages],
            "initialPage": max(number - 1, 0),
            "prefixUrl": "",
            "hits": [
                {"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0, "width": width}
                for x0, y0, x1, y1 in boxes
            ],
        },
        "creators": [
            c.authority.name for c in item.credits.select_related("authority")
        ],
        "permalink": permalink,
        "manifest": request.build_absolute_uri(f"/iiif/{item.pk}/manifest.json"),
        "pdf": pdf_allowed(request.user, item) and bool(pages),
        "language": iiif_presentation.language_of(item),
    }
    return render(request, "heritage/portal_item.html", context)


@require_GET
def by_identifier(request: HttpRequest, identifier: str) -> HttpResponse:
    item = get_object_or_404(Item.objects.live(), identifier=identifier)
    if not can_view(request.user, item, client_ip(request)):
        raise Http404
    return redirect("heritage:public_item", item.pk)


@require_GET
@cache_control(private=True)
def public_item_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    if not pdf_allowed(request.user, item):
        raise Http404
    pages = list(_pages(item).only("pk", "width", "height", "image", "words"))
    if not pages:
        raise Http404
    # Spooled to disk: an item of hundreds of full-size pages makes a big file.
    # FileResponse closes the spool (and so deletes it) when the response ends.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        item_pdf(item, pages, spool)
    except FontsMissing as exc:
        spool.close()
        return HttpResponse(exc.message, status=503, content_type="text/plain")
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{item.identifier}.pdf",
        content_type="application/pdf",
    )


def item_pdf(item: Item, pages: list[Page], out: Any) -> None:
    """Each page image on a page of its own, the OCR words invisible over their boxes.

    The words are drawn in text render mode 3 (invisible) at their boxes, scaled to
    the box's width, so that a reader selects and finds text where it is printed.
    """
    from reportlab.pdfgen import canvas

    register_fonts()
    pdf = canvas.Canvas(out, pageCompression=1)
    pdf.setTitle(item.title)
    for page in pages:
        width, height = page.width * 0.75, page.height * 0.75  # 96 dpi to points
        pdf.setPageSize((width, height))
        with page.image.open("rb") as image:
            pdf.drawImage(_reader(image.read()), 0, 0, width, height)
        for entry in page.words or []:
            _invisible_word(pdf, entry, height)
        pdf.showPage()
    pdf.save()


def _reader(data: bytes) -> Any:
    from reportlab.lib.utils import ImageReader

    return ImageReader(io.BytesIO(data))


def _invisible_word(pdf: Any, entry: list[Any], page_height: float) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    word, x0, y0, x1, y1 = entry[:5]
    word = str(word)
    size = max(1.0, (y1 - y0) * 0.75)
    natural = stringWidth(word, FONT, size) or 1.0
    text = pdf.beginText()
    text.setTextRenderMode(3)
    text.setFont(FONT, size)
    text.setHorizScale(max(1.0, 100 * (x1 - x0) * 0.75 / natural))
    text.setTextOrigin(x0 * 0.75, page_height - y1 * 0.75)
    text.textOut(word + " ")
    pdf.drawText(text)
