"""The consolidation as a PDF summary for a methodologist to send on.

A title page (district, year, coverage, date), the key figures beside last year,
charts drawn with ReportLab's own graphics (a time series of key indicators and a bar
chart by municipality), the totals by municipality with their coverage, the
performance indicators and the libraries not yet accepted; page numbers and a footer.

Built from a ``Consolidation`` of any set of libraries, in the current language. The
text is set in DejaVu Sans (Cyrillic) from the npm package ``dejavu-fonts-ttf``.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format
from django.utils.numberformat import format as format_number
from django.utils.translation import gettext as _

from methodica.reporting.consolidation import Consolidation, district_series
from methodica.reporting.performance import INDICATORS

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
FONT_NARROW = "DejaVuSansCondensed-Bold"  # table headers: long Bulgarian words fit
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_NARROW: "DejaVuSansCondensed-Bold.ttf",
}

# The figures a methodologist quotes first, in this order (those the form has).
KEY_FIGURES = [
    # (code, indented: a part of the figure above it)
    ("population_served", False),
    ("users_total", False),
    ("users_children", True),
    ("visits_physical", False),
    ("visits_virtual", False),
    ("loans_total", False),
    ("loans_children", True),
    ("collection_end", False),
    ("acquired_total", False),
    ("events_count", False),
    ("events_attendance", False),
    ("staff_fte", False),
    ("expenditure_total", False),
]
HEADLINE = ["users_total", "visits_physical", "loans_total"]
SERIES = ["users_total", "visits_physical", "loans_total", "acquired_total"]
# The columns of the totals by municipality (a landscape page).
BY_MUNICIPALITY = [
    "population_served",
    "users_total",
    "visits_physical",
    "loans_total",
    "collection_end",
    "acquired_total",
    "staff_fte",
    "expenditure_total",
]
BAR_CHART = "loans_per_capita"  # a performance indicator: comparable across sizes

MARGIN_MM = 20
LANDSCAPE_WIDTH = (297 - 2 * MARGIN_MM) * 2.834645669  # in points

BRAND = "#1f4e79"  # the site's navigation colour
LIGHT = "#e8eef5"
MUTED = "#5a6570"


class FontsMissing(Exception):
    """The DejaVu fonts are not installed: no PDF can be set in Cyrillic."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder  # for the log; users are not told the server's paths
        self.message = _(
            "The PDF cannot be made: the DejaVu fonts are not installed. Ask the "
            "administrator to install the front-end packages (npm ci)."
        )
        super().__init__(f"DejaVu fonts missing from {folder}")


def font_folder() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "dejavu-fonts-ttf" / "ttf"


def register_fonts() -> None:
    """Register DejaVu Sans with ReportLab once; fail clearly when it is missing."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = font_folder()
    # Checked every time, not only at the first registration: a deployment that lost
    # node_modules must say so, not print boxes instead of Cyrillic.
    if not all((folder / name).is_file() for name in _FONT_FILES.values()):
        raise FontsMissing(folder)
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, file in _FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, FONT_BOLD if bold else FONT)


def number(value: Decimal | float | int | None, places: int | None = None) -> str:
    """``value`` for the current language: 12 345,6 in Bulgarian, 12,345.6 in English.

    Whole numbers get no decimals unless ``places`` says so.
    """
    if value is None:
        return "—"
    exact = Decimal(str(value))
    if places is None:
        places = 0 if exact == exact.to_integral_value() else 2
    # Django's formatting cuts decimals off; a report rounds them (half up), and
    # never shows "-0,0".
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_number(
        rounded if rounded else abs(rounded),
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=get_format("NUMBER_GROUPING"),
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def places_for(*values: Decimal | None) -> int:
    """Decimals for numbers shown together: two if any has a fraction, else none."""
    fractional = any(v is not None and v != v.to_integral_value() for v in values)
    return 2 if fractional else 0


def percent(value: Decimal | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    text = number(value, 1)
    if signed and value > 0:
        text = "+" + text
    return text + "%"


def _styles() -> dict[str, Any]:
    """The paragraph styles: name -> (font, size, leading, colour, extra)."""
    from reportlab.lib.styles import ParagraphStyle

    white = "#ffffff"
    specs: dict[str, tuple[str, float, float, str, dict[str, Any]]] = {
        "body": (FONT, 9, 12, "#000000", {}),
        "small": (FONT, 7.5, 9.5, MUTED, {}),
        "cell": (FONT, 7.5, 9, "#000000", {}),
        "sub": (FONT, 7.5, 9, "#000000", {"leftIndent": 10}),  # a part of the above
        "head": (FONT_NARROW, 7, 8.5, white, {}),
        "head_number": (FONT_NARROW, 7, 8.5, white, {"alignment": 2}),  # right
        "h1": (FONT_BOLD, 15, 19, BRAND, {"spaceBefore": 6, "spaceAfter": 8}),
        "h2": (FONT_BOLD, 10.5, 14, BRAND, {"spaceBefore": 8, "spaceAfter": 4}),
        "title": (FONT_BOLD, 24, 30, BRAND, {}),
        "subtitle": (FONT, 14, 20, MUTED, {}),
        "figure": (FONT_BOLD, 30, 36, BRAND, {}),
        "headline": (FONT_BOLD, 17, 22, BRAND, {}),
    }
    return {
        name: ParagraphStyle(
            name,
            fontName=font,
            fontSize=size,
            leading=leading,
            textColor=colour,
            **extra,
        )
        for name, (font, size, leading, colour, extra) in specs.items()
    }


class _Report:
    """The pieces of one PDF: styles, the consolidation and what is derived from it."""

    def __init__(
        self,
        consolidation: Consolidation,
        series: dict[str, list[tuple[int, Decimal]]],
    ) -> None:
        self.c = consolidation
        self.year = consolidation.campaign.form.year
        self.district = consolidation.campaign.form.district.name
        self.series = {
            code: [(year, total) for year, total in points if year <= self.year]
            for code, points in series.items()
        }
        self.by_code = {i.code: i for i in consolidation.indicators}
        missing = Counter(r.library.municipality_id for r in consolidation.missing)
        self.accepted = {
            m.pk: consolidation.expected.get(m.pk, 0) - missing[m.pk]
            for m in consolidation.municipalities
        }
        self.styles = _styles()

    @property
    def title(self) -> str:
        return _("Annual statistics of the library network, %(year)s") % {
            "year": self.year
        }

    def p(self, text: str, style: str = "body") -> Any:
        from reportlab.lib.utils import escapeOnce
        from reportlab.platypus import Paragraph

        return Paragraph(escapeOnce(text), self.styles[style])

    def coverage(self) -> str:
        expected = self.c.reports_expected
        share = Decimal(self.c.reports_accepted) / expected * 100 if expected else None
        return _(
            "%(accepted)s of %(expected)s expected reports accepted (%(share)s)"
        ) % {
            "accepted": number(self.c.reports_accepted),
            "expected": number(expected),
            "share": percent(share),
        }


def _table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    numeric_from: int = 1,
    total_row: bool = False,
) -> Any:
    """A table in the report's house style; the first row is the header."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(list(rows), colWidths=list(widths), repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BRAND)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(LIGHT)]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.HexColor(BRAND)),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total_row:
        style += [
            ("FONT", (0, -1), (-1, -1), FONT_BOLD, 7.5),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor(BRAND)),
            ("BACKGROUND", (0, -1), (-1, -1), colors.white),
        ]
    table.setStyle(TableStyle(style))
    return table


def _headline(r: _Report) -> list[Any]:
    """Three figures on the title page, each with its change from last year."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    boxes = []
    for code in HEADLINE:
        indicator = r.by_code.get(code)
        if indicator is None:
            continue
        change = r.c.change(code)
        boxes.append(
            [
                r.p(indicator.name, "small"),
                r.p(number(r.c.district(code).value), "headline"),
                r.p(
                    _("%(change)s from %(year)s")
                    % {"change": percent(change, signed=True), "year": r.year - 1}
                    if change is not None
                    else _("no figure for %(year)s") % {"year": r.year - 1},
                    "small",
                ),
            ]
        )
    if not boxes:
        return []
    # one row each for the labels, the figures and the changes, so that they line
    # up across the boxes whatever the length of the labels
    table = Table(
        [list(row) for row in zip(*boxes, strict=True)],
        colWidths=[170 * mm / len(boxes)] * len(boxes),
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(LIGHT)),
                ("LINEBEFORE", (1, 0), (-1, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("TOPPADDING", (0, 1), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -2), 1),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [table]


def _title_page(r: _Report) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer

    state = (
        _("The year is closed: these are its final figures.")
        if r.c.campaign.state == "closed"
        else _("The collection is still open: the figures may change.")
    )
    return [
        Spacer(1, 45 * mm),
        r.p(r.title, "title"),
        Spacer(1, 4 * mm),
        r.p(_("%(district)s district") % {"district": r.district}, "subtitle"),
        *(
            [r.p(_("Libraries: %(set)s") % {"set": described}, "subtitle")]
            if (described := r.c.selection.describe(r.c.municipalities))
            else []
        ),
        Spacer(1, 22 * mm),
        r.p(_("Reports accepted"), "small"),
        r.p(
            f"{number(r.c.reports_accepted)} / {number(r.c.reports_expected)}",
            "figure",
        ),
        r.p(r.coverage()),
        Spacer(1, 3 * mm),
        r.p(state),
        Spacer(1, 12 * mm),
        *_headline(r),
        Spacer(1, 12 * mm),
        r.p(
            _(
                "Totals add up the accepted reports only. Cells marked not "
                "applicable, unknown or library closed are never added; each "
                "total says how many reports stand behind it."
            ),
            "small",
        ),
        Spacer(1, 3 * mm),
        r.p(
            _("Prepared on %(date)s") % {"date": date_format(timezone.localdate())},
            "small",
        ),
        PageBreak(),
    ]


def _key_figures(r: _Report) -> list[Any]:
    from reportlab.lib.units import mm

    header = [
        r.p(_("Indicator"), "head"),
        r.p(str(r.year), "head_number"),
        r.p(str(r.year - 1), "head_number"),
        r.p(_("Change"), "head_number"),
    ]
    rows: list[list[Any]] = [header]
    for code, part in KEY_FIGURES:
        indicator = r.by_code.get(code)
        if indicator is None:
            continue
        now = r.c.district(code).value
        before = r.c.previous.get(code)
        was = before.value if before else None
        places = places_for(now, was)
        rows.append(
            [
                r.p(indicator.name, "sub" if part else "cell"),
                number(now, places),
                number(was, places),
                percent(r.c.change(code), signed=True),
            ]
        )
    return [
        r.p(_("Key figures"), "h1"),
        r.p(_("Totals of the accepted reports, beside last year."), "small"),
        _table(rows, [86 * mm, 30 * mm, 30 * mm, 24 * mm]),
    ]


def _axis_labels(value: float) -> str:
    return number(Decimal(str(value)).quantize(Decimal(1)))


def _line_chart(r: _Report, code: str, width: float, height: float) -> Any:
    from reportlab.graphics.charts.lineplots import LinePlot
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    indicator = r.by_code[code]
    points = [(year, float(total)) for year, total in r.series.get(code, [])]
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, indicator.name, fontName=FONT_BOLD, fontSize=8))
    if len(points) < 2:
        drawing.add(
            String(
                0,
                height / 2,
                _("Fewer than two years: no trend to draw."),
                fontName=FONT,
                fontSize=7.5,
                fillColor=colors.HexColor(MUTED),
            )
        )
        return drawing
    plot = LinePlot()
    plot.x, plot.y = 42, 18
    plot.width, plot.height = width - 52, height - 38
    plot.data = [points]
    plot.lines[0].strokeColor = colors.HexColor(BRAND)
    plot.lines[0].strokeWidth = 1.5
    plot.lines[0].symbol = makeMarker("FilledCircle", size=3)
    years = [year for year, _total in points]
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = years[0], years[-1]
    plot.xValueAxis.valueSteps = years
    plot.xValueAxis.labelTextFormat = lambda year: f"’{int(year) % 100:02d}"
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.labelTextFormat = _axis_labels
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#d5dce4")
    plot.yValueAxis.gridStrokeWidth = 0.4
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = FONT, 6.5
        axis.strokeColor = colors.HexColor(MUTED)
    drawing.add(plot)
    return drawing


def _series(r: _Report) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    codes = [code for code in SERIES if code in r.by_code]
    if not codes:
        return []
    width, height = 84 * mm, 58 * mm
    charts = [_line_chart(r, code, width, height) for code in codes]
    grid = [charts[i : i + 2] for i in range(0, len(charts), 2)]
    if len(grid[-1]) < 2:
        grid[-1].append("")
    table = Table(grid, colWidths=[width + 4 * mm] * 2)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    years = sorted({year for code in codes for year, _t in r.series.get(code, [])})
    note = (
        _("Totals of the accepted reports, %(first)s–%(last)s.")
        % {"first": years[0], "last": years[-1]}
        if years
        else ""
    )
    return [r.p(_("Over the years"), "h2"), r.p(note, "small"), table]


def _bar_chart(r: _Report) -> list[Any]:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    measure = next(p for p in INDICATORS if p.code == BAR_CHART)
    values = [(m.name, r.c.performance(m.pk)[measure.code]) for m in r.c.municipalities]
    known = sorted(
        ((name, value) for name, value in values if value is not None),
        key=lambda pair: pair[1],
    )  # the chart draws the first category at the bottom: the largest ends on top
    heading = [r.p(_("%(measure)s by municipality") % {"measure": measure.name}, "h2")]
    if not known:
        return [*heading, r.p(_("No municipality has the figures yet."), "small")]
    width, row = 170 * mm, 7 * mm
    drawing = Drawing(width, row * len(known) + 14 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 6 * mm
    chart.width, chart.height = width - 60 * mm, row * len(known)
    chart.data = [[float(value) for _name, value in known]]
    chart.categoryAxis.categoryNames = [name for name, _value in known]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = colors.HexColor(MUTED)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = FONT, 6.5
    chart.valueAxis.labelTextFormat = lambda v: number(Decimal(str(v)), 1)
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#d5dce4")
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.bars[0].fillColor = colors.HexColor(BRAND)
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: number(Decimal(str(v)), measure.places)
    chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.groupSpacing = 3
    drawing.add(chart)
    district = r.c.performance(None)[measure.code]
    note = _(
        "%(total)s: %(value)s. Municipalities without the figures are left out."
    ) % {
        "total": r.c.total_label,
        "value": number(district, measure.places) if district is not None else "—",
    }
    return [*heading, r.p(note, "small"), drawing]


def _by_municipality(r: _Report) -> list[Any]:
    """The totals by municipality, on a landscape page of their own."""
    from reportlab.lib.units import mm

    codes = [code for code in BY_MUNICIPALITY if code in r.by_code]
    places = {
        code: places_for(
            r.c.district(code).value,
            *[r.c.total(m.pk, code).value for m in r.c.municipalities],
        )
        for code in codes
    }
    header = [r.p(_("Municipality"), "head")]
    header += [r.p(r.by_code[code].name, "head_number") for code in codes]
    header.append(r.p(_("Reports accepted"), "head_number"))
    rows: list[list[Any]] = [header]
    for m in r.c.municipalities:
        rows.append(
            [
                r.p(m.name, "cell"),
                *[number(r.c.total(m.pk, code).value, places[code]) for code in codes],
                _("%(accepted)s of %(expected)s")
                % {
                    "accepted": number(r.accepted[m.pk]),
                    "expected": number(r.c.expected.get(m.pk, 0)),
                },
            ]
        )
    rows.append(
        [
            r.c.total_label,
            *[number(r.c.district(code).value, places[code]) for code in codes],
            _("%(accepted)s of %(expected)s")
            % {
                "accepted": number(r.c.reports_accepted),
                "expected": number(r.c.reports_expected),
            },
        ]
    )
    name, coverage = 32 * mm, 18 * mm
    numeric = (LANDSCAPE_WIDTH - name - coverage) / max(len(codes), 1)
    return [
        r.p(_("Totals by municipality"), "h1"),
        r.p(
            _(
                "Totals of the accepted reports; the last column is the coverage: "
                "reports accepted out of reports expected."
            ),
            "small",
        ),
        _table(rows, [name, *[numeric] * len(codes), coverage], total_row=True),
    ]


def _performance(r: _Report) -> list[Any]:
    from reportlab.lib.units import mm

    now, before = r.c.performance(None), r.c.previous_performance()
    places = [r.c.performance(m.pk) for m in r.c.municipalities]
    header = [
        r.p(_("Indicator"), "head"),
        r.p(str(r.year), "head_number"),
        r.p(str(r.year - 1), "head_number"),
        r.p(_("Lowest – highest municipality"), "head_number"),
    ]
    rows: list[list[Any]] = [header]
    for measure in INDICATORS:
        spread = [v for p in places if (v := p[measure.code]) is not None]
        low_high = (
            f"{number(min(spread), measure.places)} – "
            f"{number(max(spread), measure.places)}"
            if spread
            else "—"
        )
        rows.append(
            [
                r.p(measure.name, "cell"),
                number(now[measure.code], measure.places),
                number(before[measure.code], measure.places),
                low_high,
            ]
        )
    return [
        r.p(_("Performance indicators"), "h2"),
        r.p(
            _(
                "Ratios of the totals; the population is the reported population "
                "served."
            ),
            "small",
        ),
        _table(rows, [80 * mm, 26 * mm, 26 * mm, 38 * mm]),
    ]


def _missing(r: _Report) -> list[Any]:
    from reportlab.lib.units import mm

    heading = [r.p(_("Libraries not yet accepted"), "h2")]
    if not r.c.missing:
        return [*heading, r.p(_("Every expected report is accepted."))]
    rows: list[list[Any]] = [
        [
            r.p(_("Library"), "head"),
            r.p(_("Municipality"), "head"),
            r.p(_("Status"), "head"),
        ]
    ]
    for report in r.c.missing:
        rows.append(
            [
                r.p(report.library.name, "cell"),
                r.p(report.library.municipality.name, "cell"),
                report.get_status_display(),
            ]
        )
    statuses = Counter(report.get_status_display() for report in r.c.missing)
    count = "; ".join(
        _("%(status)s: %(count)s") % {"status": status, "count": number(count)}
        for status, count in statuses.most_common()
    )
    return [
        *heading,
        r.p(count, "small"),
        _table(rows, [92 * mm, 44 * mm, 34 * mm], numeric_from=3),
    ]


def _page_decorations(r: _Report) -> Callable[[Any, Any], None]:
    """The footer on every page, and the running head after the title page."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    footer = " · ".join([settings.SITE_NAME, r.district, str(r.year)])
    margin = MARGIN_MM * mm

    def draw(canvas: Any, document: Any) -> None:
        width, height = canvas._pagesize  # this page's: some are landscape
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor(BRAND))
        canvas.setLineWidth(0.5)
        if document.page == 1:
            canvas.setFillColor(colors.HexColor(BRAND))
            canvas.rect(0, height - 28 * mm, width, 28 * mm, stroke=0, fill=1)
            canvas.setFillColor(colors.white)
            canvas.setFont(FONT_BOLD, 11)
            canvas.drawString(margin, height - 16 * mm, settings.SITE_NAME)
        else:
            canvas.setFillColor(colors.HexColor(MUTED))
            canvas.setFont(FONT, 7.5)
            canvas.line(margin, height - 14 * mm, width - margin, height - 14 * mm)
            canvas.drawString(margin, height - 12.5 * mm, r.title)
        canvas.setFillColor(colors.HexColor(MUTED))
        canvas.setFont(FONT, 7.5)
        canvas.line(margin, 14 * mm, width - margin, 14 * mm)
        canvas.drawString(margin, 10 * mm, footer)
        canvas.restoreState()

    return draw


def _numbered_canvas() -> type:
    """A canvas that writes "page N of M" once the number of pages is known."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                label = _("Page %(page)s of %(pages)s") % {
                    "page": self._pageNumber,
                    "pages": total,
                }
                self.setFont(FONT, 7.5)
                self.setFillColorRGB(0.35, 0.4, 0.44)
                self.drawRightString(self._pagesize[0] - MARGIN_MM * mm, 10 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas


def consolidation_pdf(consolidation: Consolidation) -> bytes:
    """The PDF summary of ``consolidation``, in the current language; its charts over
    the years follow the consolidation's own set of libraries."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        KeepTogether,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
    )

    register_fonts()
    series = district_series(
        consolidation.campaign.form.district_id, consolidation.selection
    )
    r = _Report(consolidation, series)
    output = io.BytesIO()
    margin = MARGIN_MM * mm
    decorate = _page_decorations(r)
    templates = [
        PageTemplate(
            id=name,
            pagesize=size,
            frames=[Frame(margin, margin, size[0] - 2 * margin, size[1] - 2 * margin)],
            onPage=decorate,
        )
        for name, size in (("portrait", A4), ("landscape", landscape(A4)))
    ]
    document = BaseDocTemplate(
        output,
        pagesize=A4,
        pageTemplates=templates,
        title=r.title,
        author=settings.SITE_NAME,
        subject=r.district,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )
    story = [
        *_title_page(r),
        *_key_figures(r),
        KeepTogether(_series(r)),
        NextPageTemplate("landscape"),
        PageBreak(),
        *_by_municipality(r),
        NextPageTemplate("portrait"),
        PageBreak(),
        KeepTogether(_bar_chart(r)),
        KeepTogether(_performance(r)),
        *_missing(r),
    ]
    document.build(story, canvasmaker=_numbered_canvas())
    return output.getvalue()
