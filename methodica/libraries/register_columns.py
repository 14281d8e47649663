"""The register's columns as they appear in spreadsheets, for export and import alike.

Export writes these headers; import recognises them (and common variants used
in regional libraries' own spreadsheets), so an exported file imports back
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from methodica.libraries.models import Library


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    synonyms: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        _("Name"),
        ("име", "наименование", "библиотека", "name", "название"),
        True,
    ),
    Column("library_type", _("Type"), ("тип", "вид", "type")),
    Column(
        "municipality",
        _("Municipality"),
        ("община", "municipality", "муниципалитет"),
        True,
    ),
    Column(
        "settlement",
        _("Settlement"),
        ("населено място", "селище", "град/село", "settlement"),
    ),
    Column("ekatte", _("EKATTE code"), ("екатте", "ekatte", "код по екатте")),
    Column(
        "chitalishte_number",
        _("Chitalishte registration number"),
        (
            "рег. номер на читалището",
            "регистрационен номер",
            "рег. №",
            "рег. номер",
            "chitalishte number",
        ),
    ),
    Column(
        "register_number",
        _("Register of Public Libraries number"),
        (
            "номер в регистъра на обществените библиотеки",
            "номер в регистъра",
            "register number",
        ),
    ),
    Column(
        "founded_year", _("Founded"), ("година на основаване", "основано", "founded")
    ),
    Column("status", _("Status"), ("статус", "състояние", "status")),
    Column("address", _("Address"), ("адрес", "address")),
    Column("postcode", _("Postcode"), ("пощенски код", "пк", "postcode")),
    Column("phone", _("Phone"), ("телефон", "тел.", "phone")),
    Column("email", _("Email"), ("email", "e-mail", "ел. поща", "имейл")),
    Column("website", _("Website"), ("уебсайт", "сайт", "website")),
    Column("latitude", _("Latitude"), ("ширина", "lat", "latitude")),
    Column("longitude", _("Longitude"), ("дължина", "lon", "lng", "longitude")),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}

# Words that regional libraries write for types and statuses, to the codes.
TYPE_WORDS = {
    "регионална": Library.Type.REGIONAL,
    "общинска": Library.Type.MUNICIPAL,
    "читалищна": Library.Type.CHITALISHTE,
    "читалище": Library.Type.CHITALISHTE,
    "училищна": Library.Type.SCHOOL,
    "друга": Library.Type.OTHER,
    "областная": Library.Type.REGIONAL,
    "муниципальная": Library.Type.MUNICIPAL,
    "школьная": Library.Type.SCHOOL,
    "другая": Library.Type.OTHER,
}
STATUS_WORDS = {
    "активна": Library.Status.ACTIVE,
    "действаща": Library.Status.ACTIVE,
    "временно спряна": Library.Status.SUSPENDED,
    "спряна": Library.Status.SUSPENDED,
    "закрита": Library.Status.CLOSED,
    "затворена": Library.Status.CLOSED,
}


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("\u00a0", " ").split()).strip(" :")


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Map each spreadsheet header to a register column key, where one fits."""
    known: dict[str, str] = {}
    for column in COLUMNS:
        for word in (*column.synonyms, str(column.label), column.key):
            known.setdefault(_normal(word), column.key)
    for code in ("bg", "ru", "en"):
        from django.utils import translation

        with translation.override(code):
            for column in COLUMNS:
                known.setdefault(_normal(str(column.label)), column.key)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = known.get(_normal(header))
        if key and key not in taken:
            mapping[header] = key
            taken.add(key)
    return mapping


def _choice_from_text(text: str, choices: Any, words: dict[str, str]) -> str | None:
    """A choice's value from what a spreadsheet says: the code, the label in the
    current language, or a word regional libraries use."""
    value = _normal(text)
    if value in choices.values:
        return value
    for choice_value, label in choices.choices:
        if value == _normal(str(label)):
            return choice_value
    return words.get(value)


def type_from_text(text: str) -> str | None:
    return _choice_from_text(text, Library.Type, TYPE_WORDS)


def status_from_text(text: str) -> str | None:
    return _choice_from_text(text, Library.Status, STATUS_WORDS)
