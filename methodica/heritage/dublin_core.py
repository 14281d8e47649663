"""An item as simple Dublin Core: the one mapping OAI-PMH and BagIt exports share."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import OuterRef, Subquery
from lxml import etree

from methodica.heritage.models import Item, ItemAuthority, MasterFile
from methodica.heritage.xmltext import xml_safe

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

# DCMI Type vocabulary for each kind of item.
DCMI_TYPE = {
    Item.Kind.MANUSCRIPT: "Text",
    Item.Kind.NEWSPAPER_ISSUE: "Text",
    Item.Kind.BOOK: "Text",
    Item.Kind.DOCUMENT: "Text",
    Item.Kind.PHOTOGRAPH: "StillImage",
    Item.Kind.POSTCARD: "StillImage",
    Item.Kind.MAP: "Image",
}


def elements(item: Item, *, base_url: str = "") -> list[tuple[str, str]]:
    """``[(element, value)]`` in DC order. Expects credits/places/subjects prefetched."""
    values: list[tuple[str, str]] = [("title", item.title)]
    if item.alternative:
        values.append(("title", item.alternative))
    credits: list[ItemAuthority] = list(item.credits.all())
    for credit in credits:
        if credit.role == ItemAuthority.Role.SUBJECT:
            continue  # a person depicted or discussed is a subject, below
        element = "creator" if credit.is_creator else "contributor"
        values.append((element, credit.authority.name))
    for credit in credits:
        if credit.role == ItemAuthority.Role.SUBJECT:
            values.append(("subject", credit.authority.name))
    for subject in item.subjects.all():
        values.append(("subject", subject.term))
    if item.description:
        values.append(("description", item.description))
    if item.publisher:
        values.append(("publisher", item.publisher))
    elif item.newspaper_id:
        values.append(("publisher", item.newspaper.name))
    if item.date:
        values.append(("date", item.date))
    values.append(("type", DCMI_TYPE[item.kind]))
    values.append(("type", item.kind))
    for mime in mime_types(item):
        values.append(("format", mime))
    values.append(("identifier", item.identifier))
    if base_url:
        values.append(("identifier", f"{base_url}/heritage/items/{item.pk}/"))
    for language in item.languages or []:
        values.append(("language", language))
    if item.newspaper_id:
        values.append(("relation", item.newspaper.name))
    for place in item.places.all():
        values.append(("coverage", place.name))
    values.append(("rights", item.rights))
    return values


def mime_types_subquery() -> Subquery:
    """Annotate items with ``mime_types``, so that lists need no query per item."""
    return Subquery(
        MasterFile.objects.filter(item=OuterRef("pk"), replaced_by__isnull=True)
        .order_by()
        .values("item")
        .annotate(types=ArrayAgg("mime_type", distinct=True))
        .values("types")
    )


def mime_types(item: Item) -> list[str]:
    if "mime_types" in item.__dict__:  # annotated: NULL when there are no files
        return sorted(item.mime_types or [])
    return sorted(
        set(
            item.files.filter(replaced_by__isnull=True).values_list(
                "mime_type", flat=True
            )
        )
    )


def oai_dc(item: Item, *, base_url: str = "") -> Any:
    """The ``<oai_dc:dc>`` element of an item."""
    root = etree.Element(
        f"{{{OAI_DC}}}dc",
        nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI},
    )
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {OAI_DC_SCHEMA}")
    for name, value in elements(item, base_url=base_url):
        # xml_safe: input is checked, but one stored bad row must not break a list.
        etree.SubElement(root, f"{{{DC}}}{name}").text = xml_safe(value)
    return root


def as_json(item: Item, *, base_url: str = "") -> dict[str, Any]:
    """The same values as JSON: ``{element: [values]}``."""
    result: dict[str, list[str]] = {}
    for name, value in elements(item, base_url=base_url):
        result.setdefault(name, []).append(value)
    return result
