"""The visit report as a PDF: who visited whom and when, what was found, what to do.

Set in DejaVu Sans (Cyrillic) with the fonts and table style of the consolidation
PDF (:mod:`methodica.reporting.pdf`), in the current language.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from methodica.libraries.models import Library
from methodica.reporting.pdf import _styles, _table, register_fonts
from methodica.support.models import Visit


def filename(visit: Visit) -> str:
    day = visit.visited_on or visit.planned_for
    return f"visit-{visit.pk}-{day.isoformat()}.pdf"


def _date(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def regional_library(visit: Visit) -> str:
    """The regional library of the visit's district: the report's sender."""
    district = visit.library.municipality.district
    regional = (
        Library.objects.filter(
            municipality__district=district, library_type=Library.Type.REGIONAL
        )
        .order_by("pk")
        .values_list("name", flat=True)
        .first()
    )
    return regional or district.name


def _story(visit: Visit, styles: dict[str, Any]) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.lib.utils import escapeOnce
    from reportlab.platypus import Paragraph, Spacer

    def p(text: str, style: str = "body") -> Any:
        return Paragraph(escapeOnce(text), styles[style])

    methodologist = visit.methodologist
    who = (
        (methodologist.get_full_name() or methodologist.username)
        if methodologist
        else ""
    )
    story = [
        p(regional_library(visit), "subtitle"),
        p(_("Report of a methodological visit"), "h1"),
        p(_("Library: %(library)s") % {"library": visit.library.name}),
        p(_("Municipality: %(name)s") % {"name": visit.library.municipality.name}),
        p(_("Date of the visit: %(date)s") % {"date": _date(visit.visited_on)}),
        p(_("Methodologist: %(name)s") % {"name": who}),
    ]
    if visit.met_with:
        story.append(p(_("Met with: %(people)s") % {"people": visit.met_with}))
    if visit.purpose:
        story.append(p(_("Purpose: %(purpose)s") % {"purpose": visit.purpose}))
    if visit.summary:
        story += [p(_("Summary"), "h2"), p(visit.summary)]
    width = 170 * mm
    findings = list(visit.findings.select_related("item"))
    story.append(p(_("Findings"), "h2"))
    rows = [
        [p(_("Checklist item"), "head"), p(_("Rating"), "head"), p(_("Note"), "head")]
    ]
    rows += [
        [p(f.item.name, "cell"), p(f.get_rating_display(), "cell"), p(f.note, "cell")]
        for f in findings
    ]
    story.append(_table(rows, [width * 0.3, width * 0.2, width * 0.5], numeric_from=3))
    recommendations = list(visit.recommendations.all())
    story.append(p(_("Recommendations"), "h2"))
    if recommendations:
        rows = [[p(_("Recommendation"), "head"), p(_("Due"), "head")]]
        rows += [
            [p(r.text, "cell"), p(_date(r.due_on), "cell")] for r in recommendations
        ]
        story.append(_table(rows, [width * 0.8, width * 0.2], numeric_from=2))
    else:
        story.append(p(_("No recommendations.")))
    story += [Spacer(1, 8 * mm), p(settings.SITE_NAME, "small")]
    return story


def visit_report(visit: Visit) -> bytes:
    """The PDF report of a recorded visit, in the current language."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("Report of a methodological visit"),
        author=settings.SITE_NAME,
        subject=visit.library.name,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )
    document.build(_story(visit, _styles()))
    return output.getvalue()
