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
from django.db import transaction
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

_SETTLEMENT_PREFIXES = ("гр.", "с.", "град", "село", "t.", "v.")


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
        self.municipalities = {m.name.lower(): m for m in district.municipalities.all()}
        settlements = Settlement.objects.filter(municipality__district=district)
        self.by_ekatte = {s.ekatte: s for s in settlements}
        self.by_name = {(s.municipality_id, s.name.lower()): s for s in settlements}
        libraries = Library.objects.filter(
            municipality__district=district
        ).select_related("municipality", "settlement")
        self.by_chitalishte = {
            lib.chitalishte_number: lib for lib in libraries if lib.chitalishte_number
        }
        self.by_register = {
            lib.register_number: lib for lib in libraries if lib.register_number
        }
        self.by_place_name = {
            (lib.settlement_id, lib.name.lower()): lib for lib in libraries
        }


def _settlement_name(text: str) -> str:
    lowered = text.strip().lower()
    for prefix in _SETTLEMENT_PREFIXES:
        if lowered.startswith(prefix + " ") or lowered.startswith(prefix):
            lowered = lowered[len(prefix) :].strip()
            break
    return lowered


def _label(key: str, headers_by_key: dict[str, str]) -> str:
    return headers_by_key.get(key) or str(COLUMNS_BY_KEY[key].label)


def _parse_row(
    cells: dict[str, str], row: RowResult, lookups: _Lookups, labels: dict[str, str]
) -> None:
    values = row.values
    for key in (
        "name",
        "address",
        "postcode",
        "phone",
        "chitalishte_number",
        "register_number",
    ):
        if key in cells:
            values[key] = cells[key]
    row.name = cells.get("name", "")
    for column in COLUMNS:
        if column.required and not cells.get(column.key):
            row.error(_label(column.key, labels), _("This value is required."))
    if "library_type" in cells:
        kind = type_from_text(cells["library_type"]) if cells["library_type"] else None
        if kind is None:
            row.error(
                _label("library_type", labels),
                _('Unknown library type "%(value)s".')
                % {"value": cells["library_type"]},
            )
        values["library_type"] = kind
    if cells.get("status"):
        status = status_from_text(cells["status"])
        if status is None:
            row.error(
                _label("status", labels),
                _('Unknown status "%(value)s".') % {"value": cells["status"]},
            )
        values["status"] = status
    municipality = None
    if cells.get("municipality"):
        municipality = lookups.municipalities.get(cells["municipality"].strip().lower())
        if municipality is None:
            row.error(
                _label("municipality", labels),
                _('Unknown municipality "%(value)s".')
                % {"value": cells["municipality"]},
            )
    values["municipality"] = municipality
    settlement = None
    if cells.get("ekatte"):
        settlement = lookups.by_ekatte.get(cells["ekatte"].strip().zfill(5))
        if settlement is None:
            row.error(
                _label("ekatte", labels),
                _('Unknown EKATTE code "%(value)s".') % {"value": cells["ekatte"]},
            )
    elif cells.get("settlement") and municipality is not None:
        settlement = lookups.by_name.get(
            (municipality.pk, _settlement_name(cells["settlement"]))
        )
        if settlement is None:
            row.error(
                _label("settlement", labels),
                _('There is no settlement "%(value)s" in %(municipality)s.')
                % {"value": cells["settlement"], "municipality": municipality.name},
            )
    elif municipality is not None:
        row.error(
            _label("settlement", labels), _("Give the settlement or its EKATTE code.")
        )
    if (
        settlement is not None
        and municipality is not None
        and settlement.municipality_id != municipality.pk
    ):
        row.error(
            _label("settlement", labels),
            _("The settlement is not in the municipality %(municipality)s.")
            % {"municipality": municipality.name},
        )
    values["settlement"] = settlement
    _parse_typed(cells, row, labels)


def _parse_typed(cells: dict[str, str], row: RowResult, labels: dict[str, str]) -> None:
    values = row.values
    if cells.get("founded_year"):
        text = cells["founded_year"]
        if not text.isdigit() or not 1800 <= int(text) <= timezone.localdate().year:
            row.error(
                _label("founded_year", labels),
                _('"%(value)s" is not a year.') % {"value": text},
            )
        else:
            values["founded_year"] = int(text)
    elif "founded_year" in cells:
        values["founded_year"] = None
    for key, limit in (("latitude", 90), ("longitude", 180)):
        if cells.get(key):
            try:
                number = Decimal(cells[key].replace(",", ".")).quantize(
                    Decimal("0.000001")
                )
                if abs(number) > limit:
                    raise InvalidOperation
            except InvalidOperation:
                row.error(
                    _label(key, labels),
                    _('"%(value)s" is not a coordinate.') % {"value": cells[key]},
                )
            else:
                values[key] = number
        elif key in cells:
            values[key] = None
    if cells.get("email"):
        try:
            validate_email(cells["email"])
        except ValidationError:
            row.error(
                _label("email", labels),
                _('"%(value)s" is not an email address.') % {"value": cells["email"]},
            )
        values["email"] = cells["email"]
    elif "email" in cells:
        values["email"] = ""
    if cells.get("website"):
        try:
            URLValidator(schemes=["http", "https"])(cells["website"])
        except ValidationError:
            row.error(
                _label("website", labels),
                _('"%(value)s" is not a web address.') % {"value": cells["website"]},
            )
        values["website"] = cells["website"]
    elif "website" in cells:
        values["website"] = ""


def _match(row: RowResult, lookups: _Lookups, labels: dict[str, str]) -> Library | None:
    values = row.values
    by_chitalishte = lookups.by_chitalishte.get(values.get("chitalishte_number") or "")
    by_register = lookups.by_register.get(values.get("register_number") or "")
    if by_chitalishte and by_register and by_chitalishte.pk != by_register.pk:
        row.error(
            _label("register_number", labels),
            _(
                "The two registration numbers belong to different libraries: "
                "%(first)s and %(second)s."
            )
            % {"first": by_chitalishte.name, "second": by_register.name},
        )
        return None
    found = by_chitalishte or by_register
    if (
        found is None
        and values.get("settlement") is not None
        and not (values.get("chitalishte_number") or values.get("register_number"))
    ):
        found = lookups.by_place_name.get(
            (values["settlement"].pk, (values.get("name") or "").lower())
        )
    return found


def _changes(library: Library, values: dict[str, Any]) -> dict[str, list[str]]:
    changes = {}
    for key, value in values.items():
        current = getattr(library, key)
        if isinstance(current, Decimal) and isinstance(value, Decimal):
            same = current == value
        else:
            same = (current or "") == (value or "")
        if not same:
            changes[key] = [str(current or ""), str(value or "")]
    return changes


def build_preview(
    *, district: District, table: Table, mapping: dict[str, str]
) -> list[RowResult]:
    """Check every row against the register; nothing is written."""
    lookups = _Lookups(district)
    labels = {key: header for header, key in mapping.items()}
    seen: dict[str, RowResult] = {}
    results = []
    for number, cells_list in zip(table.row_numbers, table.rows, strict=True):
        cells = {
            mapping[h]: v
            for h, v in zip(table.headers, cells_list, strict=True)
            if h in mapping
        }
        row = RowResult(number=number)
        _parse_row(cells, row, lookups, labels)
        for key in ("chitalishte_number", "register_number"):
            number_value = row.values.get(key)
            if number_value:
                first = seen.get(f"{key}:{number_value}")
                if first is not None:
                    message = _('The number "%(value)s" is also in row %(row)s.')
                    row.error(
                        _label(key, labels),
                        message % {"value": number_value, "row": first.number},
                    )
                    first.error(
                        _label(key, labels),
                        message % {"value": number_value, "row": row.number},
                    )
                else:
                    seen[f"{key}:{number_value}"] = row
        existing = _match(row, lookups, labels)
        if existing is not None and row.action != "error":
            row.library_id = existing.pk
            row.changes = _changes(existing, row.values)
            row.action = "update" if row.changes else "unchanged"
        results.append(row)
    return results


def summarise(results: list[RowResult]) -> dict[str, Any]:
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    for row in results:
        counts[row.action] += 1
    return {"counts": counts, "rows": [row.as_json() for row in results]}


@transaction.atomic
def apply_import(
    *, register_import: RegisterImport, table: Table, actor: Any
) -> dict[str, int]:
    """Write a previewed import: all rows or, on any error, none."""
    require_perm(actor, "libraries.library:import", register_import)
    locked = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
    if locked.state == RegisterImport.State.APPLIED:
        raise DomainError(_("This import has already been applied."))
    results = build_preview(
        district=locked.district, table=table, mapping=locked.mapping
    )
    summary = summarise(results)
    if summary["counts"]["error"]:
        raise DomainError(_("The file has errors. Correct them and upload it again."))
    today = timezone.localdate()
    for row in results:
        values = dict(row.values)
        status = values.pop("status", None)
        if row.action == "create":
            municipality = values.pop("municipality")
            library = services.create_library(
                actor=actor, municipality=municipality, data=values
            )
        elif row.action == "update":
            library = Library.objects.select_related("municipality").get(
                pk=row.library_id
            )
            data = {
                k: v for k, v in values.items() if k in row.changes and k != "status"
            }
            if data:
                library = services.update_library(
                    library=library, actor=actor, data=data
                )
        else:
            continue
        if status and status != library.status:
            services.change_library_status(
                library=library,
                actor=actor,
                status=status,
                effective_date=today,
                reason=_("Imported from %(file)s") % {"file": locked.original_name},
            )
    locked.state, locked.applied_at, locked.preview = (
        RegisterImport.State.APPLIED,
        timezone.now(),
        summary,
    )
    locked.save(update_fields=["state", "applied_at", "preview"])
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
    upload.seek(0)
    register_import = RegisterImport(
        district=district,
        created_by=actor,
        original_name=upload.name[:255],
        headers=table.headers,
        mapping=guess_mapping(table.headers),
    )
    register_import.file.save(upload.name, upload, save=False)
    register_import.save()
    audit(
        actor=actor,
        action="register_import.uploaded",
        obj=register_import,
        changes={"file": {"before": None, "after": register_import.original_name}},
    )
    return register_import


@transaction.atomic
def preview_register_import(
    *, register_import: RegisterImport, actor: Any, mapping: dict[str, str]
) -> dict[str, Any]:
    """Record the column mapping and what importing would do; still nothing is written."""
    require_perm(actor, "libraries.library:import", register_import)
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
    return summary
