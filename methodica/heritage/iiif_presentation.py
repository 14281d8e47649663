"""IIIF Presentation 3 manifests for items and collections for collections.

Built from plain dicts with two queries for an item of any size (the item with its
relations, and the pages as value tuples), so that a 1,000-page manifest takes
milliseconds. A manifest is cached under the item's and its pages' last change, the
site's address, the language and whether the PDF is offered, so that any edit gives
a new one.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from methodica.heritage import dublin_core, oai
from methodica.heritage.access import is_public
from methodica.heritage.models import Collection, Item, Page

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
# ISO 639-2 (the item's languages) to BCP 47 (IIIF language maps).
BCP47 = {
    "bul": "bg",
    "chu": "cu",
    "rus": "ru",
    "eng": "en",
    "fre": "fr",
    "ger": "de",
    "gre": "el",
    "tur": "tr",
    "ota": "ota",
    "rum": "ro",
    "srp": "sr",
    "mac": "mk",
    "lat": "la",
}
# Rights that let anyone download the whole item as a PDF: no copyright, or none
# known. "Copyright not evaluated", "undetermined" and every In Copyright statement
# (even educational use) keep the download to staff.
PDF_RIGHTS = (
    "http://rightsstatements.org/vocab/NoC-",
    "http://rightsstatements.org/vocab/NKC/",
)


def pdf_allowed_by_rights(item: Item) -> bool:
    return item.rights.startswith(PDF_RIGHTS)


def language_of(item: Item) -> str:
    """The item's first language as BCP 47 ("bg"), or "none"."""
    for code in item.languages or []:
        if code in BCP47:
            return BCP47[code]
    return "none"


def _text(item_language: str, value: str) -> dict[str, list[str]]:
    return {item_language: [value]}


def _ui(value: str) -> dict[str, list[str]]:
    return {translation.get_language() or "en": [value]}


def image_service_id(base: str, page_pk: int) -> str:
    return f"{base}/iiif/image/{page_pk}"


def manifest_id(base: str, item_pk: int) -> str:
    return f"{base}/iiif/{item_pk}/manifest.json"


def _pages(item: Item) -> list[tuple[Any, ...]]:
    return list(
        Page.objects.current()
        .filter(item=item, width__isnull=False, height__isnull=False)
        .exclude(image="")
        .order_by("order", "pk")
        .values_list("pk", "order", "label", "width", "height")
    )


def _canvas(base: str, item_pk: int, row: tuple[Any, ...]) -> dict[str, Any]:
    pk, order, label, width, height = row
    canvas = f"{base}/iiif/{item_pk}/canvas/{pk}"
    service = image_service_id(base, pk)
    return {
        "id": canvas,
        "type": "Canvas",
        "label": {"none": [label or str(order)]},
        "width": width,
        "height": height,
        "items": [
            {
                "id": f"{canvas}/page",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas}/painting",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas,
                        "body": {
                            "id": f"{service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": width,
                            "height": height,
                            "service": [
                                {
                                    "id": service,
                                    "type": "ImageService3",
                                    "profile": "level1",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def _metadata(item: Item, language: str) -> list[dict[str, Any]]:
    labels = {
        "title": _("Title"),
        "creator": _("Creator"),
        "contributor": _("Contributor"),
        "subject": _("Subject"),
        "description": _("Description"),
        "publisher": _("Publisher"),
        "date": _("Date"),
        "type": _("Type"),
        "format": _("Format"),
        "identifier": _("Identifier"),
        "language": _("Language"),
        "relation": _("Relation"),
        "coverage": _("Place"),
        "rights": _("Rights"),
    }
    grouped = dublin_core.as_json(item)
    return [
        {
            "label": _ui(labels.get(name, name)),
            "value": {"none": values}
            if name not in ("title", "description")
            else {language: values},
        }
        for name, values in grouped.items()
    ]


def _attribution(item: Item) -> str:
    holder = item.holding_library.name if item.holding_library_id else ""
    return holder or item.district.name


def build_manifest(item: Item, base: str, *, pdf: bool) -> dict[str, Any]:
    """The manifest as a dict; ``item`` with its relations prefetched."""
    language = language_of(item)
    rows = _pages(item)
    home = f"{base}{reverse('heritage:public_item', args=[item.pk])}"
    manifest: dict[str, Any] = {
        "@context": [SEARCH_CONTEXT, CONTEXT],
        "id": manifest_id(base, item.pk),
        "type": "Manifest",
        "label": _text(language, item.title),
        "metadata": _metadata(item, language),
        "requiredStatement": {
            "label": _ui(_("Attribution")),
            "value": _ui(_attribution(item)),
        },
        "rights": item.rights,
        "provider": [
            {
                "id": f"{base}/heritage/browse/",
                "type": "Agent",
                "label": _ui(_attribution(item)),
                "homepage": [
                    {
                        "id": f"{base}/heritage/browse/",
                        "type": "Text",
                        "label": _ui(_("Local-history collection")),
                        "format": "text/html",
                    }
                ],
            }
        ],
        "homepage": [
            {
                "id": home,
                "type": "Text",
                "label": _text(language, item.title),
                "format": "text/html",
            }
        ],
        "service": [{"id": f"{base}/iiif/{item.pk}/search", "type": "SearchService2"}],
        "items": [_canvas(base, item.pk, row) for row in rows],
    }
    if item.description:
        manifest["summary"] = _text(language, item.description)
    if is_public(item):
        record = oai.oai_identifier(item)
        manifest["seeAlso"] = [
            {
                "id": f"{base}/oai?verb=GetRecord&metadataPrefix=oai_dc"
                f"&identifier={record}",
                "type": "Dataset",
                "format": "text/xml",
                "profile": "http://www.openarchives.org/OAI/2.0/oai_dc/",
                "label": _ui(_("Dublin Core record (OAI-PMH)")),
            }
        ]
    if rows:
        first_pk, _order, _label, width, _height = rows[0]
        service = image_service_id(base, first_pk)
        manifest["thumbnail"] = [
            {
                "id": f"{service}/full/{min(200, width)},/0/default.jpg",
                "type": "Image",
                "format": "image/jpeg",
                "service": [
                    {"id": service, "type": "ImageService3", "profile": "level1"}
                ],
            }
        ]
    if pdf:
        manifest["rendering"] = [
            {
                "id": f"{base}{reverse('heritage:public_item_pdf', args=[item.pk])}",
                "type": "Text",
                "label": _ui(_("PDF with the text")),
                "format": "application/pdf",
            }
        ]
    return manifest


def manifest_json(item: Item, base: str, *, pdf: bool) -> str:
    """The item's manifest as JSON text, from the cache while neither it nor a page
    changed (the encoded text is kept: encoding 1,000 canvases costs more than the
    cache lookup)."""
    pages = Page.objects.filter(item=item).aggregate(
        changed=Max("updated_at"), count=Count("pk")
    )
    key = ":".join(
        [
            "iiif-manifest",
            str(item.pk),
            item.updated_at.isoformat(),
            pages["changed"].isoformat() if pages["changed"] else "-",
            str(pages["count"]),
            base,
            translation.get_language() or "-",
            "pdf" if pdf else "nopdf",
        ]
    )
    found = cache.get(key)
    if found is None:
        item = (
            Item.objects.select_related("newspaper", "holding_library", "district")
            .prefetch_related("credits__authority", "places", "subjects")
            .annotate(mime_types=dublin_core.mime_types_subquery())
            .get(pk=item.pk)
        )
        found = json.dumps(
            build_manifest(item, base, pdf=pdf),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        cache.set(key, found, 60 * 60)
    return found


def collection(
    node: Collection, items: Any, children: Any, base: str
) -> dict[str, Any]:
    """A collection: the manifests of ``items`` and references to ``children``."""
    entries: list[dict[str, Any]] = [
        {
            "id": f"{base}/iiif/collection/{child.pk}.json",
            "type": "Collection",
            "label": _ui(child.title),
        }
        for child in children
    ]
    entries += [
        {
            "id": manifest_id(base, item.pk),
            "type": "Manifest",
            "label": _text(language_of(item), item.title),
        }
        for item in items
    ]
    result: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{base}/iiif/collection/{node.pk}.json",
        "type": "Collection",
        "label": _ui(node.title),
        "items": entries,
    }
    if node.description:
        result["summary"] = _ui(node.description)
    return result
