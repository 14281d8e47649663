"""Validating OAI-PMH responses against the official schemas (copied in tests/schemas)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[3] / "tests" / "schemas"
NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "marc": "http://www.loc.gov/MARC21/slim",
}


@cache
def oai_schema() -> xmlschema.XMLSchema:
    # The oai_dc schema is given too, so that <metadata> is checked strictly.
    return xmlschema.XMLSchema(
        str(SCHEMAS / "OAI-PMH.xsd"),
        locations=[
            (NS["oai_dc"], str(SCHEMAS / "oai_dc.xsd")),
            (NS["marc"], str(SCHEMAS / "MARC21slim.xsd")),
        ],
    )


@cache
def dc_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "oai_dc.xsd"))


def valid(content: bytes):
    """Parse and validate a response (and each oai_dc record in it); return the tree."""
    oai_schema().validate(content)
    tree = etree.fromstring(content)
    for dc in tree.iterfind(".//oai_dc:dc", NS):
        dc_schema().validate(etree.tostring(dc))
    for marc in tree.iterfind(".//marc:record", NS):
        marc_schema().validate(etree.tostring(marc))
    return tree


@cache
def marc_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "MARC21slim.xsd"))


def error_code(tree) -> str | None:
    error = tree.find("o:error", NS)
    return None if error is None else error.get("code")
