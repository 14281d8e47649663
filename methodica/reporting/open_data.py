"""The open data of a closed year, as files: the accepted totals by municipality and
for the district with their coverage, and a data dictionary, in CSV, JSON and XLSX.

Only aggregates of accepted reports leave the system here: no single report, no
people, no e-mail addresses, no staff. The files are written to Django's default
storage by a task when a year is closed, by ``manage.py publish_open_data``, and on
demand when a download finds one missing. They are language-neutral: column names
are English identifiers and the dictionary carries every language's names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodica.core.errors import DomainError
from methodica.core.spreadsheets import csv_safe as safe_csv_text
from methodica.core.spreadsheets import plain_number
from methodica.reporting.consolidation import Consolidation, Total, consolidate
from methodica.reporting.models import Campaign, Indicator, Report

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LANGUAGES = ("bg", "ru", "en")

TOTAL_COLUMNS = [
    "year",
    "level",  # "district" or "municipality"
    "area_code",
    "area",
    "indicator",
    "unit",
    "total",
    "suppressed",  # true: a staff or money figure of fewer than 3 reports, withheld
    "reports_with_value",
    "reports_expected",
]
DICTIONARY_COLUMNS = [
    "indicator",
    "section",
    *[f"name_{language}" for language in LANGUAGES],
    "unit",
    "type",
    *[f"definition_{language}" for language in LANGUAGES],
    "replaces",
]


@dataclass(frozen=True)
class Kind:
    key: str
    pattern: str  # the file name, from the district code and the year
    content_type: str
    label: Any  # lazily translated, for the page


KINDS = [
    Kind(
        "csv",
        "library-statistics-{code}-{year}.csv",
        "text/csv; charset=utf-8",
        gettext_lazy("Totals, CSV"),
    ),
    Kind(
        "json",
        "library-statistics-{code}-{year}.json",
        "application/json",
        gettext_lazy("Totals, JSON"),
    ),
    Kind(
        "xlsx",
        "library-statistics-{code}-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        gettext_lazy("Totals and dictionary, Excel"),
    ),
    Kind(
        "dictionary",
        "data-dictionary-{code}-{year}.csv",
        "text/csv; charset=utf-8",
        gettext_lazy("Data dictionary, CSV"),
    ),
]


def file_name(campaign: Campaign, kind: Kind) -> str:
    return kind.pattern.format(
        code=campaign.form.district.code.lower(), year=campaign.form.year
    )


def storage_path(campaign: Campaign, kind: Kind) -> str:
    district = campaign.form.district.code.lower()
    return f"open-data/{district}/{campaign.form.year}/{file_name(campaign, kind)}"


def kind_of(campaign: Campaign, name: str) -> Kind | None:
    """The kind of file ``name`` is for ``campaign``, or None if it is none of them."""
    return next((k for k in KINDS if file_name(campaign, k) == name), None)


def closed_campaigns() -> QuerySet[Campaign]:
    """Every closed year of every district, with its coverage (one query)."""
    return (
        Campaign.objects.filter(state=Campaign.State.CLOSED)
        .select_related("form__district")
        .annotate(
            reports_expected=Count("reports"),
            reports_accepted=Count(
                "reports", filter=Q(reports__status=Report.Status.ACCEPTED)
            ),
        )
        .order_by("form__district__name", "-form__year")
    )


# --- the contents


# Statistical disclosure control. Staff and money figures of a place with fewer
# than this many reports behind them are one librarian's FTE or pay: they are
# published as suppressed (no number), as statistics offices do. Service figures
# (loans, visits) describe a public body and stay. The district total always stays.
SUPPRESS_BELOW = 3
DISCLOSIVE_SECTIONS = frozenset({"staff", "finance"})


def is_disclosive(indicator: Indicator, total: Total, *, district: bool) -> bool:
    """Whether ``total`` would reveal one or two libraries' staff or finances."""
    return (
        not district
        and indicator.section.code in DISCLOSIVE_SECTIONS
        and 0 < total.reported < SUPPRESS_BELOW
    )


def total_rows(consolidation: Consolidation) -> list[dict[str, Any]]:
    """Each numeric indicator's total for the district and every municipality."""
    form = consolidation.campaign.form
    places: list[tuple[int | None, str, str, str]] = [
        (None, "district", form.district.code, form.district.name)
    ]
    places += [
        (m.pk, "municipality", m.code, m.name) for m in consolidation.municipalities
    ]
    rows = []
    for place_id, level, code, name in places:
        for indicator in consolidation.indicators:
            total = consolidation.total(place_id, indicator.code)
            hidden = is_disclosive(indicator, total, district=place_id is None)
            rows.append(
                {
                    "year": form.year,
                    "level": level,
                    "area_code": code,
                    "area": name,
                    "indicator": indicator.code,
                    "unit": indicator.unit,
                    "total": "" if hidden else plain_number(total.value),
                    "suppressed": hidden,
                    "reports_with_value": total.reported,
                    "reports_expected": total.expected,
                }
            )
    return rows


def dictionary_rows(indicators: Iterable[Indicator]) -> list[dict[str, Any]]:
    """What each column of the totals means: names and definitions in every language."""
    rows = []
    for indicator in indicators:
        row: dict[str, Any] = {
            "indicator": indicator.code,
            "section": indicator.section.code,
        }
        row |= {f"name_{lang}": indicator.names.get(lang, "") for lang in LANGUAGES}
        row |= {"unit": indicator.unit, "type": indicator.value_type}
        row |= {
            f"definition_{lang}": (indicator.definitions or {}).get(lang, "")
            for lang in LANGUAGES
        }
        row["replaces"] = indicator.replaces.code if indicator.replaces else ""
        rows.append(row)
    return rows


def _about(campaign: Campaign, accepted: int, expected: int) -> dict[str, Any]:
    district = campaign.form.district
    return {
        "dataset": "library-statistics",
        "source": settings.SITE_NAME,
        "district": district.name,
        "district_code": district.code,
        "year": campaign.form.year,
        "reports_accepted": accepted,
        "reports_expected": expected,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "suppression": (
            f"Staff and finance totals of a municipality with fewer than "
            f"{SUPPRESS_BELOW} reports behind them are withheld (suppressed = true)."
        ),
        "api": reverse("api:open_data", args=[campaign.form.year])
        + f"?district={district.code}",
        "generated_at": timezone.now().isoformat(timespec="seconds"),
    }


def render_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Cyrillic); no cell can run as a formula."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_csv_text(row[column]) for column in columns])
    return buffer.getvalue().encode("utf-8")


def _json_number(text: str) -> int | float | None:
    if text == "":
        return None
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def render_json(
    about: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    dictionary: Sequence[dict[str, Any]],
) -> bytes:
    totals = [{**row, "total": _json_number(row["total"])} for row in rows]
    body = {**about, "dictionary": list(dictionary), "totals": totals}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def render_xlsx(
    about: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    dictionary: Sequence[dict[str, Any]],
) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)

    def cell(sheet: Any, value: Any, *, header: bool = False) -> Any:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        made = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value.startswith("="):
            made.data_type = "s"  # text, never a formula
        if header:
            made.font = bold
        return made

    totals = [{**row, "total": _json_number(row["total"])} for row in rows]
    for title, columns, content in (
        ("totals", TOTAL_COLUMNS, totals),
        ("dictionary", DICTIONARY_COLUMNS, dictionary),
    ):
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append([cell(sheet, column, header=True) for column in columns])
        for row in content:
            sheet.append([cell(sheet, row[column]) for column in columns])
    sheet = workbook.create_sheet("about")
    for key, value in about.items():
        sheet.append([cell(sheet, key, header=True), cell(sheet, value)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def contents(campaign: Campaign) -> dict[str, bytes]:
    """Every file of ``campaign``'s open data, by kind."""
    consolidation = consolidate(campaign)
    rows = total_rows(consolidation)
    numeric = {i.code for i in consolidation.indicators}
    indicators = [
        i
        for i in campaign.form.indicators.select_related("section", "replaces")
        if i.code in numeric
    ]
    dictionary = dictionary_rows(indicators)
    about = _about(
        campaign, consolidation.reports_accepted, consolidation.reports_expected
    )
    return {
        "csv": render_csv(rows, TOTAL_COLUMNS),
        "json": render_json(about, rows, dictionary),
        "xlsx": render_xlsx(about, rows, dictionary),
        "dictionary": render_csv(dictionary, DICTIONARY_COLUMNS),
    }


# --- the files


def publish(campaign: Campaign, *, unless_present: Kind | None = None) -> list[str]:
    """Write the open-data files of a closed year to the default storage.

    The campaign's row is locked meanwhile, so two publishers (the task, the
    command, downloads that found a file missing) never write the same files at
    once; a storage would otherwise keep both under different names. With
    ``unless_present``, nothing is written if that file exists once the lock is
    held: another publisher wrote it meanwhile.
    """
    with transaction.atomic():
        locked = (
            Campaign.objects.select_for_update()
            .select_related("form__district")
            .get(pk=campaign.pk)
        )
        if locked.state != Campaign.State.CLOSED:
            raise DomainError(
                _("Only a closed year is published as open data: %(year)s is open.")
                % {"year": locked.form.year}
            )
        if unless_present and default_storage.exists(
            storage_path(locked, unless_present)
        ):
            return []
        written = []
        for key, data in contents(locked).items():
            kind = next(k for k in KINDS if k.key == key)
            path = storage_path(locked, kind)
            if default_storage.exists(path):
                default_storage.delete(path)
            written.append(default_storage.save(path, ContentFile(data)))
        return written


def ensure_file(campaign: Campaign, kind: Kind) -> str:
    """The storage path of one file, writing the year's files first if it is missing."""
    path = storage_path(campaign, kind)
    if not default_storage.exists(path):
        publish(campaign, unless_present=kind)
    return path


@dataclass
class OpenFile:
    kind: Kind
    name: str
    url: str
    size: int | None  # None until the file is written


@dataclass
class OpenYear:
    campaign: Campaign
    files: list[OpenFile] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.campaign.form.year

    @property
    def district(self) -> Any:
        return self.campaign.form.district

    @property
    def api_url(self) -> str:
        return (
            reverse("api:open_data", args=[self.year])
            + f"?district={self.district.code}"
        )


def catalogue() -> list[OpenYear]:
    """Every closed year with its files and their sizes, newest first per district."""
    years = []
    for campaign in closed_campaigns():
        entry = OpenYear(campaign)
        for kind in KINDS:
            path = storage_path(campaign, kind)
            size = default_storage.size(path) if default_storage.exists(path) else None
            name = file_name(campaign, kind)
            url = reverse(
                "open_data:file",
                args=[campaign.form.district.code.lower(), campaign.form.year, name],
            )
            entry.files.append(OpenFile(kind, name, url, size))
        years.append(entry)
    return years
