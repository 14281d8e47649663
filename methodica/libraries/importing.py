"""Importing a district's register from its spreadsheet: map, preview, apply.

Nothing is written until the user confirms a preview without errors; then
every row is written in one transaction, so a failure leaves the register as
it was. Rows are matched to existing libraries by registration number (the
chitalishte's, then the Register of Public Libraries'); without either, by
name within the settlement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.core.audit import audit
from methodica.core.errors import DomainError
from methodica.core.permissions import require_perm
from methodica.core.spreadsheets import Table
from methodica.libraries import services
from methodica.libraries.models import District, Library, RegisterImport, Settlement
from methodica.libraries.register_columns import (
    COLUMNS,
    COLUMNS_BY_KEY,
    status_from_text,
    type_from_text,
)

# "гр. Казанлък", "с.Енина", "село Енина"; a bare "град" or "село" only as a
# separate word, so that "Градина" stays "Градина".
_SETTLEMENT_PREFIXES = ("гр.", "с.", "град ", "село ", "t.", "v.")


@dataclass
class RowResult:
    number: int
    action: str = "create"  # create, update, unchanged, error
    name: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)
    library_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"column": column, "message": message})
        self.action = "error"

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "action": self.action,
            "name": self.name,
            "errors": self.errors,
            "changes": self.changes,
            "library_id": self.library_id,
        }


class _Lookups:
    """Everything a preview matches against, loaded once (a few queries per import)."""

    def __init__(self, district: District) -> None:
        self.district = district
        self.municipalities = {m.name.lower(): m for m in district.municipalities.all()}
        settlements = Settlement.objects.filter(municipality__district=district)
        self.by_ekatte = {s.ekatte: s for s in settlements}
        self.by_name = {(s.municipality_id, s.name.lower()): s for s in settlements}
        libraries = list(
            Library.objects.filter(municipality__district=district).select_related(
                "municipality", "settlement"
            )
        )
        self.by_id = {lib.pk: lib for lib in libraries}
        self.by_place_name = {
            (lib.settlement_id, lib.name.lower()): lib for lib in libraries
        }
        # Registration numbers are unique across the installation, so they are
        # matched across every district (ids only: a country has 36,000).
        self.by_number: dict[str, dict[str, int]] = {
            "chitalishte_number": {},
            "register_number": {},
        }
        for pk, chitalishte, register in Library.objects.values_list(
            "pk", "chitalishte_number", "register_number"
        ):
            if chitalishte:
                self.by_number["chitalishte_number"][chitalishte] = pk
            if register:
                self.by_number["register_number"][register] = pk


_TEXT_FIELDS = (
    "name",
    "address",
    "postcode",
    "phone",
    "chitalishte_number",
    "register_number",
)


def _unescape(text: str) -> str:
    """Undo the apostrophe that our CSV export puts before formula characters."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _settlement_name(text: str) -> str:
    lowered = " ".join(text.lower().split())
    for prefix in _SETTLEMENT_PREFIXES:
        if lowered.startswith(prefix):
            return lowered[len(prefix) :].strip()
    return lowered


class _RowParser:
    """Turns one row's cells into field values, noting every error by its column."""

    def __init__(self, lookups: _Lookups, labels: dict[str, str]) -> None:
        self.lookups = lookups
        self.labels = labels

    def label(self, key: str) -> str:
        return self.labels.get(key) or str(COLUMNS_BY_KEY[key].label)

    def parse(self, cells: dict[str, str], row: RowResult) -> None:
        row.name = cells.get("name", "")
        for column in COLUMNS:
            if column.required and not cells.get(column.key):
                row.error(self.label(column.key), _("This value is required."))
        self._text(cells, row)
        self._choices(cells, row)
        self._place(cells, row)
        self._year(cells, row)
        self._coordinates(cells, row)
        self._contacts(cells, row)

    def _text(self, cells: dict[str, str], row: RowResult) -> None:
        for key in _TEXT_FIELDS:
            if key not in cells:
                continue
            limit = Library._meta.get_field(key).max_length
            if limit and len(cells[key]) > limit:
                row.error(
                    self.label(key),
                    _("The text is longer than %(limit)s characters.")
                    % {"limit": limit},
                )
            row.values[key] = cells[key]

    def _choices(self, cells: dict[str, str], row: RowResult) -> None:
        if cells.get("library_type"):
            kind = type_from_text(cells["library_type"])
            if kind is None:
                row.error(
                    self.label("library_type"),
                    _('Unknown library type "%(value)s".')
                    % {"value": cells["library_type"]},
                )
            row.values["library_type"] = kind
        if cells.get("status"):
            status = status_from_text(cells["status"])
            if status is None:
                row.error(
                    self.label("status"),
                    _('Unknown status "%(value)s".') % {"value": cells["status"]},
                )
            row.values["status"] = status

    def _place(self, cells: dict[str, str], row: RowResult) -> None:
        municipality = None
        if cells.get("municipality"):
            municipality = self.lookups.municipalities.get(
                " ".join(cells["municipality"].lower().split())
            )
            if municipality is None:
                row.error(
                    self.label("municipality"),
                    _('Unknown municipality "%(value)s".')
                    % {"value": cells["municipality"]},
                )
        settlement = None
        if cells.get("ekatte"):
            settlement = self.lookups.by_ekatte.get(cells["ekatte"].strip().zfill(5))
            if settlement is None:
                row.error(
                    self.label("ekatte"),
                    _('Unknown EKATTE code "%(value)s".') % {"value": cells["ekatte"]},
                )
        elif cells.get("settlement") and municipality is not None:
            settlement = self.lookups.by_name.get(
                (municipality.pk, _settlement_name(cells["settlement"]))
            )
            if settlement is None:
                row.error(
                    self.label("settlement"),
                    _('There is no settlement "%(value)s" in %(municipality)s.')
                    % {"value": cells["settlement"], "municipality": municipality.name},
                )
        elif municipality is not None:
            row.error(
                self.label("settlement"), _("Give the settlement or its EKATTE code.")
            )
        if (
            settlement
            and municipality
            and settlement.municipality_id != municipality.pk
        ):
            row.error(
                self.label("settlement"),
                _("The settlement is not in the municipality %(municipality)s.")
                % {"municipality": municipality.name},
            )
        row.values["municipality"] = municipality
        row.values["settlement"] = settlement

    def _year(self, cells: dict[str, str], row: RowResult) -> None:
        if "founded_year" not in cells:
            return
        text = cells["founded_year"]
        if not text:
            row.values["founded_year"] = None
        elif text.isascii() and text.isdecimal() and 1800 <= int(text) <= 2100:
            row.values["founded_year"] = int(text)
        else:
            row.error(
                self.label("founded_year"),
                _('"%(value)s" is not a year.') % {"value": text},
            )

    def _coordinates(self, cells: dict[str, str], row: RowResult) -> None:
        for key, limit in (("latitude", 90), ("longitude", 180)):
            if key not in cells:
                continue
            if not cells[key]:
                row.values[key] = None
                continue
            try:
                number = Decimal(cells[key].replace(",", ".")).quantize(
                    Decimal("0.000001")
                )
                if not number.is_finite() or abs(number) > limit:
                    raise InvalidOperation
            except InvalidOperation:
                row.error(
                    self.label(key),
                    _('"%(value)s" is not a coordinate.') % {"value": cells[key]},
                )
            else:
                row.values[key] = number

    def _contacts(self, cells: dict[str, str], row: RowResult) -> None:
        checks = (
            ("email", validate_email, _('"%(value)s" is not an email address.')),
            (
                "website",
                URLValidator(schemes=["http", "https"]),
                _('"%(value)s" is not a web address.'),
            ),
        )
        for key, validator, message in checks:
            if key not in cells:
                continue
            value = cells[key]
            if value:
                try:
                    validator(value)
                except ValidationError:
                    row.error(self.label(key), message % {"value": value})
            row.values[key] = value


def _match(row: RowResult, lookups: _Lookups, parser: _RowParser) -> Library | None:
    """The library this row describes: by registration number, else by name and place."""
    found: dict[str, int] = {}
    for key in ("chitalishte_number", "register_number"):
        number = row.values.get(key)
        if number and number in lookups.by_number[key]:
            found[key] = lookups.by_number[key][number]
    ids = set(found.values())
    if len(ids) > 1:
        row.error(
            parser.label("register_number"),
            _("The two registration numbers belong to different libraries."),
        )
        return None
    if ids:
        library = lookups.by_id.get(ids.pop())
        if library is None:
            key = next(iter(found))
            row.error(
                parser.label(key),
                _('The number "%(value)s" belongs to a library of another district.')
                % {"value": row.values[key]},
            )
        return library
    if row.values.get("settlement") is not None and not (
        row.values.get("chitalishte_number") or row.values.get("register_number")
    ):
        return lookups.by_place_name.get(
            (row.values["settlement"].pk, (row.values.get("name") or "").lower())
        )
    return None


def _changes(library: Library, values: dict[str, Any]) -> dict[str, list[str]]:
    changes = {}
    for key, value in values.items():
        current = getattr(library, key)
        if isinstance(current, Decimal) and isinstance(value, Decimal):
            same = current == value
        elif isinstance(current, models.Model) or isinstance(value, models.Model):
            same = getattr(current, "pk", None) == getattr(value, "pk", None)
        else:
            same = (current or "") == (value or "")
        if not same:
            changes[key] = [str(current or ""), str(value or "")]
    return changes


def _flag_duplicates(results: list[RowResult], parser: _RowParser) -> None:
    """The same registration number on two rows: both rows are errors."""
    first_row: dict[tuple[str, str], RowResult] = {}
    for row in results:
        for key in ("chitalishte_number", "register_number"):
            number = row.values.get(key)
            if not number:
                continue
            first = first_row.setdefault((key, number), row)
            if first is not row:
                message = _('The number "%(value)s" is also in row %(row)s.')
                row.error(
                    parser.label(key), message % {"value": number, "row": first.number}
                )
                first.error(
                    parser.label(key), message % {"value": number, "row": row.number}
                )


def build_preview(
    *, district: District, table: Table, mapping: dict[str, str]
) -> list[RowResult]:
    """Check every row against the register; nothing is written."""
    lookups = _Lookups(district)
    parser = _RowParser(lookups, {key: header for header, key in mapping.items()})
    results = []
    for number, cells_list in zip(table.row_numbers, table.rows, strict=True):
        cells = {
            mapping[h]: _unescape(v)
            for h, v in zip(table.headers, cells_list, strict=True)
            if h in mapping
        }
        row = RowResult(number=number)
        parser.parse(cells, row)
        results.append(row)
    _flag_duplicates(results, parser)
    for row in results:
        existing = _match(row, lookups, parser)
        if (
            existing is None
            and row.action != "error"
            and not row.values.get("library_type")
        ):
            row.error(parser.label("library_type"), _("A new library needs its type."))
        if existing is not None and row.action != "error":
            row.library_id = existing.pk
            row.changes = _changes(existing, row.values)
            row.action = "update" if row.changes else "unchanged"
    return results


def summarise(results: list[RowResult]) -> dict[str, Any]:
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for row in results:
        counts[row.action] += 1
    return {"counts": counts, "rows": [row.as_json() for row in results]}


def _write_row(row: RowResult, *, actor: Any, reason: str) -> None:
    values = dict(row.values)
    status = values.pop("status", None)
    if row.action == "create":
        library = services.create_library(
            actor=actor, municipality=values.pop("municipality"), data=values
        )
    else:
        library = Library.objects.select_related("municipality").get(pk=row.library_id)
        data = {k: v for k, v in values.items() if k in row.changes and k != "status"}
        if data:
            library = services.update_library(library=library, actor=actor, data=data)
    if status and status != library.status:
        services.change_library_status(
            library=library,
            actor=actor,
            status=status,
            effective_date=timezone.localdate(),
            reason=reason,
        )


@transaction.atomic
def apply_import(
    *, register_import: RegisterImport, table: Table, actor: Any
) -> dict[str, int]:
    """Write a previewed import: all rows or, on any error, none.

    The preview is computed again on the locked import; if the register changed
    since the user looked at it, the user is asked to look again.
    """
    require_perm(actor, "libraries.library:import", register_import)
    locked = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
    if locked.state == RegisterImport.State.APPLIED:
        raise DomainError(_("This import has already been applied."))
    if locked.state != RegisterImport.State.PREVIEWED:
        raise DomainError(_("Check the preview before importing."))
    results = build_preview(
        district=locked.district, table=table, mapping=locked.mapping
    )
    summary = summarise(results)
    if summary["counts"]["error"]:
        raise DomainError(_("The file has errors. Correct them and upload it again."))
    if summary != locked.preview:
        raise DomainError(
            _(
                "The register changed since the preview. Check the new preview and confirm again."
            )
        )
    reason = _("Imported from %(file)s") % {"file": locked.original_name}
    try:
        with transaction.atomic():
            for row in results:
                if row.action in ("create", "update"):
                    _write_row(row, actor=actor, reason=reason)
    except ValidationError as exc:
        raise DomainError(
            _("Row %(row)s could not be written: %(error)s")
            % {"row": row.number, "error": " ".join(exc.messages)}
        ) from exc
    except IntegrityError as exc:
        raise DomainError(
            _(
                "Row %(row)s conflicts with a library saved meanwhile. Upload the file again."
            )
            % {"row": row.number}
        ) from exc
    locked.state, locked.applied_at = RegisterImport.State.APPLIED, timezone.now()
    locked.save(update_fields=["state", "applied_at"])
    audit(
        actor=actor,
        action="register_import.applied",
        obj=locked,
        changes={"rows": {"before": None, "after": summary["counts"]}},
    )
    return summary["counts"]


def read_stored_table(register_import: RegisterImport) -> Table:
    from django.conf import settings

    from methodica.core.spreadsheets import read_table

    with register_import.file.open("rb") as handle:
        return read_table(handle, max_bytes=settings.METHODICA_MAX_UPLOAD_BYTES)


@transaction.atomic
def start_register_import(
    *, actor: Any, district: District, upload: Any
) -> RegisterImport:
    """Check an uploaded spreadsheet and keep it for mapping; a bad file saves nothing."""
    from django.conf import settings

    from methodica.core.spreadsheets import read_table
    from methodica.libraries.register_columns import guess_mapping

    require_perm(actor, "libraries.library:import", district)
    table = read_table(upload, max_bytes=settings.METHODICA_MAX_UPLOAD_BYTES)
    if len(set(table.headers)) != len(table.headers):
        raise DomainError(
            _("Two columns have the same name. Give every column its own name.")
        )
    register_import = RegisterImport(
        district=district, headers=table.headers, mapping=guess_mapping(table.headers)
    )
    register_import.keep(upload, actor=actor, action="register_import.uploaded")
    return register_import


@transaction.atomic
def preview_register_import(
    *, register_import: RegisterImport, actor: Any, mapping: dict[str, str]
) -> dict[str, Any]:
    """Record the column mapping and what importing would do; still nothing is written."""
    require_perm(actor, "libraries.library:import", register_import)
    register_import = RegisterImport.objects.select_for_update().get(
        pk=register_import.pk
    )
    if register_import.state == RegisterImport.State.APPLIED:
        raise DomainError(_("This import has already been applied."))
    clean = {
        h: k
        for h, k in mapping.items()
        if h in register_import.headers and k in COLUMNS_BY_KEY
    }
    if len(set(clean.values())) != len(clean):
        raise DomainError(_("Two columns are mapped to the same field."))
    missing = [
        str(c.label) for c in COLUMNS if c.required and c.key not in clean.values()
    ]
    if missing:
        raise DomainError(
            _("Map a column to: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    table = read_stored_table(register_import)
    summary = summarise(
        build_preview(district=register_import.district, table=table, mapping=clean)
    )
    register_import.mapping, register_import.preview = clean, summary
    register_import.state = RegisterImport.State.PREVIEWED
    register_import.save(update_fields=["mapping", "preview", "state"])
    audit(
        actor=actor,
        action="register_import.previewed",
        obj=register_import,
        changes={"rows": {"before": None, "after": summary["counts"]}},
    )
    return summary
