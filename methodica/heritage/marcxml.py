"""An item as a MARCXML (MARC 21 slim) bibliographic record, for OAI-PMH ``marc21``.

A plain crosswalk from the same description as Dublin Core: 001 the identifier,
008 with the first year and the language, 041 languages, 100/700 people and
110/710 organisations (600/610 when the item is about them), 245 the title, 246 the other title, 264 publisher and date,
520 the description, 650 subjects, 651 places, 540 the rights statement, 773 the
newspaper of an issue and 856 the item's page.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from methodica.heritage.models import Authority, Item, ItemAuthority
from methodica.heritage.xmltext import xml_safe

MARC = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# Leader/06 (type of record) and /07 (bibliographic level) for each kind.
LEADER_TYPE = {
    Item.Kind.MANUSCRIPT: "tm",
    Item.Kind.NEWSPAPER_ISSUE: "as",
    Item.Kind.PHOTOGRAPH: "km",
    Item.Kind.POSTCARD: "km",
    Item.Kind.BOOK: "am",
    Item.Kind.DOCUMENT: "tm",
    Item.Kind.MAP: "em",
}


def _field(record: Any, tag: str, subfields: list[tuple[str, str]], ind1=" ", ind2=" "):
    subfields = [(code, value) for code, value in subfields if value]
    if not subfields:
        return
    field = etree.SubElement(
        record, f"{{{MARC}}}datafield", tag=tag, ind1=ind1, ind2=ind2
    )
    for code, value in subfields:
        etree.SubElement(field, f"{{{MARC}}}subfield", code=code).text = xml_safe(value)


def _fixed_008(item: Item) -> str:
    entered = item.created_at.strftime("%y%m%d")
    year = f"{item.date_start.year:04d}" if item.date_start else "uuuu"
    language = (item.languages or ["und"])[0][:3].ljust(3)
    value = f"{entered}s{year}    bu " + " " * 17 + language + " d"
    return value


def record(item: Item, *, base_url: str = "") -> Any:
    """The ``<marc:record>`` of an item (credits, subjects and places prefetched)."""
    root = etree.Element(f"{{{MARC}}}record", nsmap={"marc": MARC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{MARC} {MARC_SCHEMA}")
    etree.SubElement(
        root, f"{{{MARC}}}leader"
    ).text = f"00000n{LEADER_TYPE[item.kind]} a22000007i 4500"
    etree.SubElement(root, f"{{{MARC}}}controlfield", tag="001").text = xml_safe(
        item.identifier
    )
    etree.SubElement(root, f"{{{MARC}}}controlfield", tag="008").text = _fixed_008(item)
    if item.languages:
        _field(root, "041", [("a", code) for code in item.languages], ind1="0")
    every = list(item.credits.all())
    credits = [c for c in every if c.role != ItemAuthority.Role.SUBJECT]
    about = [c for c in every if c.role == ItemAuthority.Role.SUBJECT]
    main = next((c for c in credits if c.is_creator), None)
    for credit in credits:
        person = credit.authority.kind == Authority.Kind.PERSON
        tag = (
            ("100" if person else "110")
            if credit is main
            else ("700" if person else "710")
        )
        _field(
            root,
            tag,
            [
                ("a", credit.authority.name),
                ("d", credit.authority.dates if person else ""),
                ("e", credit.role),
            ],
            ind1="1" if person else "2",
        )
    _field(root, "245", [("a", item.title)], ind1="1" if main else "0", ind2="0")
    _field(root, "246", [("a", item.alternative)], ind1="3", ind2="3")
    _field(root, "264", [("b", item.publisher), ("c", item.date)], ind2="1")
    _field(root, "520", [("a", item.description)])
    _field(root, "540", [("u", item.rights)])
    for credit in about:
        person = credit.authority.kind == Authority.Kind.PERSON
        _field(
            root,
            "600" if person else "610",
            [("a", credit.authority.name), ("d", credit.authority.dates)]
            if person
            else [("a", credit.authority.name)],
            ind1="1" if person else "2",
            ind2="4",
        )
    for subject in item.subjects.all():
        _field(root, "650", [("a", subject.term)], ind2="4")
    for place in item.places.all():
        _field(root, "651", [("a", place.name)], ind2="4")
    if item.newspaper_id:
        _field(root, "773", [("t", item.newspaper.name)], ind1="0")
    if base_url:
        _field(root, "856", [("u", f"{base_url}/heritage/items/{item.pk}/")], "4", "0")
    return root
