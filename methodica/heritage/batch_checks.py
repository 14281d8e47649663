"""The dry run of a batch: its CSV and every file it names, checked, nothing written.

The report holds the batch-wide errors and, per row, the errors per column; the
rows carry the parsed values the run needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from methodica.core.errors import DomainError
from methodica.core.spreadsheets import SpreadsheetError, read_table
from methodica.heritage import edtf, inspection, services
from methodica.heritage.batch_sources import Source, unsafe_name
from methodica.heritage.models import (
    LANGUAGES,
    RIGHTS_STATEMENTS,
    Authority,
    Collection,
    IngestBatch,
    IngestRow,
    Item,
)
from methodica.libraries.models import District, Settlement

CSV_NAME = "metadata.csv"
MAX_CSV_BYTES = 10 * 1024 * 1024
COLUMNS = {
    "identifier": ["identifier", "id", "идентификатор", "шифър"],
    "kind": ["kind", "type", "вид", "тип"],
    "title": ["title", "заглавие", "название"],
    "date": ["date", "дата"],
    "description": ["description", "описание"],
    "creators": ["creators", "creator", "автори", "автор", "създатели", "авторы"],
    "subjects": ["subjects", "теми", "предмети", "темы", "предметы"],
    "places": ["places", "места", "място", "место"],
    "languages": ["languages", "езици", "языки", "език", "язык"],
    "rights": ["rights", "права"],
    "access": ["access", "достъп", "доступ"],
    "collection": ["collection", "колекция", "коллекция"],
    "files": ["files", "файлове", "файлы"],
}
REQUIRED = ("identifier", "kind", "title")
IDENTIFIER_LENGTH = Item._meta.get_field("identifier").max_length or 100
TITLE_LENGTH = Item._meta.get_field("title").max_length or 500
RIGHTS_CODES = {
    uri.rstrip("/").split("/")[-2].lower(): uri for uri, _label in RIGHTS_STATEMENTS
}
LANGUAGE_CODES = {code for code, _label in LANGUAGES}


@dataclass
class Lookups:
    """The district's vocabularies, read once per check (no query per cell)."""

    district: District
    collections: dict[str, Collection] = field(default_factory=dict)
    settlements_by_code: dict[str, Settlement] = field(default_factory=dict)
    settlements_by_name: dict[str, list[Settlement]] = field(default_factory=dict)
    authorities: dict[str, list[Authority]] = field(default_factory=dict)

    @classmethod
    def load(cls, district: District) -> Lookups:
        found = cls(district)
        found.collections = {
            c.set_spec: c for c in Collection.objects.filter(district=district)
        }
        for settlement in Settlement.objects.filter(municipality__district=district):
            found.settlements_by_code[settlement.ekatte] = settlement
            found.settlements_by_name.setdefault(settlement.name.lower(), []).append(
                settlement
            )
        for authority in Authority.objects.all():
            for name in {authority.name, *authority.variants}:
                found.authorities.setdefault(name.strip().lower(), []).append(authority)
        return found


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column index per field, from any of the header synonyms; and the errors."""
    synonyms = {word: key for key, words in COLUMNS.items() for word in words}
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = synonyms.get(header.strip().lower())
        if key is not None and key not in columns:
            columns[key] = index
    errors = [
        _("The CSV has no “%(column)s” column.") % {"column": key}
        for key in REQUIRED
        if key not in columns
    ]
    return columns, errors


def _place(lookups: Lookups, value: str) -> Settlement | str:
    if value in lookups.settlements_by_code:
        return lookups.settlements_by_code[value]
    matches = lookups.settlements_by_name.get(value.lower(), [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        return _("“%(place)s” names several settlements; give its EKATTE code.") % {
            "place": value
        }
    return _("Unknown place “%(place)s”.") % {"place": value}


def check_row(
    cells: dict[str, str], lookups: Lookups, batch: IngestBatch
) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse one row into the values a run needs, and the errors per column."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    identifier = cells.get("identifier", "")
    data["identifier"] = identifier
    try:
        validate_slug(identifier)
    except ValidationError:
        errors["identifier"] = _(
            "The identifier “%(value)s” may hold only letters, digits, - and _."
        ) % {"value": identifier}
    if len(identifier) > IDENTIFIER_LENGTH:
        errors["identifier"] = _(
            "The identifier is longer than %(limit)s characters."
        ) % {"limit": IDENTIFIER_LENGTH}
    kind = cells.get("kind", "").strip().lower()
    labels = {str(label).lower(): value for value, label in Item.Kind.choices}
    if kind in Item.Kind.values or kind in labels:
        data["kind"] = labels.get(kind, kind)
    else:
        errors["kind"] = _("Unknown kind “%(value)s”; use one of %(kinds)s.") % {
            "value": cells.get("kind", ""),
            "kinds": ", ".join(Item.Kind.values),
        }
    data["title"] = cells.get("title", "").strip()
    if not data["title"]:
        errors["title"] = _("The title is empty.")
    elif len(data["title"]) > TITLE_LENGTH:
        errors["title"] = _("The title is longer than %(limit)s characters.") % {
            "limit": TITLE_LENGTH
        }
    data["description"] = cells.get("description", "").strip()
    data["date"] = cells.get("date", "").strip()
    try:
        edtf.bounds(data["date"])
    except edtf.EDTFError as error:
        errors["date"] = str(error)
    for name in ("title", "description", "date"):
        if services.has_control_characters(data[name]):
            errors[name] = str(services.CONTROL_MESSAGE)
    data["creators"] = []
    for name in _split(cells.get("creators", "")):
        matches = lookups.authorities.get(name.lower(), [])
        if len(matches) != 1:
            errors["creators"] = (
                _("No authority record is named “%(name)s”.")
                if not matches
                else _("Several authority records are named “%(name)s”.")
            ) % {"name": name}
        else:
            data["creators"].append(matches[0].pk)
    data["subjects"] = _split(cells.get("subjects", ""))
    data["places"] = []
    for value in _split(cells.get("places", "")):
        found = _place(lookups, value)
        if isinstance(found, str):
            errors["places"] = found
        else:
            data["places"].append(found.pk)
    data["languages"] = [code.lower() for code in _split(cells.get("languages", ""))]
    stray = [code for code in data["languages"] if code not in LANGUAGE_CODES]
    if stray:
        errors["languages"] = _("Unknown language code “%(code)s”.") % {
            "code": stray[0]
        }
    rights = cells.get("rights", "").strip()
    uris = {uri for uri, _label in RIGHTS_STATEMENTS}
    if not rights:
        data["rights"] = ""
    elif rights in uris or rights.rstrip("/") + "/" in uris:
        data["rights"] = rights.rstrip("/") + "/"
    elif rights.lower() in RIGHTS_CODES:
        data["rights"] = RIGHTS_CODES[rights.lower()]
    else:
        errors["rights"] = _("Unknown rights statement “%(value)s”.") % {
            "value": rights
        }
    access = cells.get("access", "").strip().lower() or Item.Access.PUBLIC
    if access in Item.Access.values:
        data["access"] = access
    else:
        errors["access"] = _("Unknown access “%(value)s”; use one of %(levels)s.") % {
            "value": access,
            "levels": ", ".join(Item.Access.values),
        }
    set_spec = cells.get("collection", "").strip()
    data["collection"] = batch.collection_id
    if set_spec:
        if set_spec in lookups.collections:
            data["collection"] = lookups.collections[set_spec].pk
        else:
            errors["collection"] = _("Unknown collection “%(value)s”.") % {
                "value": set_spec
            }
    return data, errors


def check_files(files: list[str], source: Source, names: dict[str, int]) -> str | None:
    """The first problem with a row's files (read and inspected), or None."""
    limit = settings.METHODICA_HERITAGE_MAX_FILE_BYTES
    for name in files:
        if unsafe_name(name):
            return _("The file name “%(name)s” leaves the batch.") % {"name": name}
        if name not in names:
            return _("The file “%(name)s” is not in the batch.") % {"name": name}
        if names[name] > limit:
            return _("“%(name)s” is larger than the %(limit)s bytes allowed.") % {
                "name": name,
                "limit": limit,
            }
        try:
            with source.open(name) as stream:
                inspection.inspect(stream, PurePosixPath(name).name)
        except DomainError as error:
            return error.message
    return None


def _read_csv(source: Source, names: dict[str, int], upload: IO[bytes] | None):
    if upload is not None:
        return read_table(upload, max_bytes=MAX_CSV_BYTES)
    if CSV_NAME not in names:
        raise DomainError(
            _("The batch has no %(name)s; add it to the archive or upload it beside.")
            % {"name": CSV_NAME}
        )
    with source.open(CSV_NAME) as stream:
        return read_table(stream, max_bytes=MAX_CSV_BYTES)


def dry_run(
    batch: IngestBatch, source: Source, csv_upload: IO[bytes] | None
) -> tuple[dict[str, Any], list[IngestRow]]:
    """The report and the rows of a batch; reads everything, writes nothing."""
    problems = source.check()
    names = {} if problems else source.names()
    try:
        table = _read_csv(source, names, csv_upload) if not problems else None
    except SpreadsheetError as error:
        problems.append(error.message)
        table = None
    rows: list[IngestRow] = []
    report: dict[str, Any] = {"errors": problems, "rows": []}
    if table is None:
        return _summarise(report), rows
    columns, header_errors = map_headers(table.headers)
    report["errors"] += header_errors
    if header_errors:
        return _summarise(report), rows
    lookups = Lookups.load(batch.district)
    existing = set(
        Item.objects.filter(
            identifier__in=[r[columns["identifier"]].strip() for r in table.rows]
        ).values_list("identifier", flat=True)
    )
    seen: set[str] = set()
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        values = {key: cells[index].strip() for key, index in columns.items()}
        data, errors = check_row(values, lookups, batch)
        identifier = data["identifier"]
        if identifier in seen:
            errors["identifier"] = _("The identifier “%(id)s” is in the CSV twice.") % {
                "id": identifier
            }
        elif identifier in existing:
            errors["identifier"] = _("The identifier “%(id)s” is taken.") % {
                "id": identifier
            }
        seen.add(identifier)
        files = _split(values.get("files", ""))
        problem = check_files(files, source, names)
        if problem:
            errors["files"] = problem
        rows.append(
            IngestRow(
                number=number,
                identifier=identifier[:100],
                data=data,
                files=files,
                message=" ".join(errors.values()),
            )
        )
        report["rows"].append(
            {"number": number, "identifier": identifier, "errors": errors}
        )
    return _summarise(report), rows


def _summarise(report: dict[str, Any]) -> dict[str, Any]:
    invalid = sum(1 for row in report["rows"] if row["errors"])
    report["counts"] = {
        "rows": len(report["rows"]),
        "valid": len(report["rows"]) - invalid,
        "invalid": invalid,
    }
    report["clean"] = not report["errors"] and invalid == 0
    return report
