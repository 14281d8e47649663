"""Certificates of attendance: their codes, issuing and revoking, the PDF, and the
public verification.

A code is 12 characters from an alphabet without the look-alikes 0/O and 1/I,
grouped in fours (``ABCD-EFGH-JKL7``). Eleven are random (``secrets``); the twelfth
is a Luhn mod 32 check character, which catches every single mistyped character and
every swap of two neighbours but one (A and 9, the first and last of the alphabet),
so a typo is told apart from a forged code before the database is asked.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from methodica.core.audit import audit, created, diff, snapshot
from methodica.core.errors import DomainError
from methodica.core.permissions import has_perm, require_perm
from methodica.training.models import Certificate, Enrolment, Session

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32: no 0, O, 1 or I
LENGTH = 12
GROUP = 4
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")


# --- codes -------------------------------------------------------------------------


def check_character(payload: str) -> str:
    """The Luhn mod N check character of ``payload`` (characters of ALPHABET)."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for char in reversed(payload):
        addend = factor * ALPHABET.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def is_well_checked(code: str) -> bool:
    """Does the last character of a normalised code match the others?"""
    return check_character(code[:-1]) == code[-1]


def grouped(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def new_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH - 1))
    return grouped(payload + check_character(payload))


class CodeError(DomainError):
    """A code that cannot be any certificate's; the message says why."""


def normalise(raw: str) -> str:
    """``" abcd efgh-jkl7 "`` → ``"ABCD-EFGH-JKL7"``, or :class:`CodeError`."""
    code = _SEPARATORS.sub("", raw or "").upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        raise CodeError(
            _(
                "A verification code has 12 letters and digits, like ABCD-EFGH-JKLM "
                "(there is no 0, O, 1 or I in it)."
            )
        )
    if not is_well_checked(code):
        raise CodeError(
            _("The check character does not match: check the code for a typo.")
        )
    return grouped(code)


def find(raw: str) -> Certificate:
    """The certificate with this code, for the public page, or :class:`CodeError`."""
    code = normalise(raw)
    certificate = (
        Certificate.objects.select_related(
            "enrolment__session__course__programme__district"
        )
        .filter(code=code)
        .first()
    )
    if certificate is None:
        raise CodeError(_("No certificate has this code."))
    return certificate


# --- issuing and revoking ----------------------------------------------------------

_COPIED = ["code", "holder_name", "course_title", "programme_title", "hours"]


def _issue_one(enrolment: Enrolment, actor: Any) -> Certificate:
    """Issue one certificate, or return the one the enrolment already has (issued
    meanwhile by someone else). Only a clash of codes is tried again."""
    session = enrolment.session
    for _attempt in range(5):  # 32**11 codes: a clash is all but impossible
        code = new_code()
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    enrolment=enrolment,
                    code=code,
                    holder_name=enrolment.staff.full_name,
                    course_title=session.course.title,
                    programme_title=session.course.programme.title,
                    hours=session.hours,
                    session_date=timezone.localtime(session.starts_at).date(),
                    issued_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            existing = Certificate.objects.filter(enrolment=enrolment).first()
            if existing is not None:
                return existing
            if Certificate.objects.filter(code=code).exists():
                continue
            raise
        break
    else:
        raise DomainError(_("No free certificate code was found; try again."))
    audit(
        actor=actor,
        action="training.certificate.issued",
        obj=certificate,
        changes=created(certificate, [*_COPIED, "session_date"]),
    )
    return certificate


@transaction.atomic
def issue_certificates(*, session: Session, actor: Any) -> list[Certificate]:
    """A certificate for each participant who attended and has none yet.

    Idempotent: a second run issues only those marked as attended since.
    """
    require_perm(actor, "training.certificate:issue", session)
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise DomainError(_("The session was cancelled: nobody attended it."))
    if session.starts_at > timezone.now():
        raise DomainError(
            _("Certificates are issued once the session has taken place.")
        )
    enrolments = (
        Enrolment.objects.filter(session=session, attended=True, certificate=None)
        .select_related("staff__library__municipality", "session__course__programme")
        .order_by("staff__full_name", "id")
    )
    return [_issue_one(enrolment, actor) for enrolment in enrolments]


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, reason: str, actor: Any) -> None:
    """Revoke a certificate; the public page then says so. A reason is required."""
    require_perm(actor, "training.certificate:issue", certificate)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the certificate is revoked."), field="reason")
    if certificate.revoked_at is not None:
        raise DomainError(_("This certificate has already been revoked."))
    before = snapshot(certificate, ["revoked_at", "revoked_reason"])
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:300]
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    audit(
        actor=actor,
        action="training.certificate.revoked",
        obj=certificate,
        changes=diff(before, snapshot(certificate, ["revoked_at", "revoked_reason"])),
    )


def may_download(user: Any, certificate: Certificate) -> bool:
    """The holder (the account linked to the staff record) and whoever may read
    the person's training record."""
    if not getattr(user, "is_authenticated", False):
        return False
    holder = certificate.enrolment.staff.user_id
    return (holder is not None and holder == user.pk) or has_perm(
        user, "training.record:view", certificate
    )


# --- what the public may see -------------------------------------------------------


def issuer_of(district: Any) -> str:
    """The regional library of the district, if it has one, else the district."""
    from methodica.libraries.models import Library

    regional = (
        Library.objects.filter(
            municipality__district=district, library_type=Library.Type.REGIONAL
        )
        .order_by("id")
        .values_list("name", flat=True)
        .first()
    )
    return regional or district.name


@dataclass(frozen=True)
class PublicView:
    """The minimum a verification shows (the issue's privacy note)."""

    code: str
    holder_name: str
    course_title: str
    session_date: Any
    hours: Any
    issuer: str
    status: str  # valid, revoked or expired

    @property
    def status_label(self) -> str:
        return {
            "valid": _("valid"),
            "revoked": _("revoked"),
            "expired": _("expired"),
        }[self.status]


def public_view(certificate: Certificate) -> PublicView:
    if certificate.revoked_at is not None:
        status = "revoked"
    elif certificate.is_valid:
        status = "valid"
    else:
        status = "expired"
    return PublicView(
        code=certificate.code,
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        session_date=certificate.session_date,
        hours=certificate.hours,
        issuer=issuer_of(certificate.enrolment.session.course.programme.district),
        status=status,
    )


def verify_url(code: str, *, base: str) -> str:
    """The absolute address of the public page of ``code``."""
    return base.rstrip("/") + reverse("verify:certificate", args=[code])


# --- the PDF -----------------------------------------------------------------------


def qr_widget(url: str) -> Any:
    """The QR code that leads to the verification page."""
    from reportlab.graphics.barcode.qr import QrCodeWidget

    return QrCodeWidget(url, barLevel="M")


def _qr_drawing(url: str, size: float) -> Any:
    from reportlab.graphics.shapes import Drawing

    widget = qr_widget(url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    return drawing


def certificate_pdf(certificate: Certificate, *, verify: str) -> bytes:
    """A landscape A4 certificate in the current language, set in DejaVu Sans."""
    from django.utils.formats import date_format
    from reportlab.graphics import renderPDF
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from methodica.reporting.pdf import (
        BRAND,
        FONT,
        FONT_BOLD,
        MUTED,
        number,
        register_fonts,
    )

    register_fonts()
    view = public_view(certificate)
    width, height = landscape(A4)
    output = io.BytesIO()
    page = canvas.Canvas(output, pagesize=(width, height))
    page.setTitle(_("Certificate %(code)s") % {"code": certificate.code})
    page.setAuthor(view.issuer)
    page.setStrokeColor(colors.HexColor(BRAND))
    page.setLineWidth(3)
    page.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    centre = width / 2
    lines = [
        (FONT, 14, colors.HexColor(MUTED), view.issuer, 170),
        (FONT_BOLD, 34, colors.HexColor(BRAND), _("Certificate"), 150),
        (FONT, 14, colors.black, _("This certifies that"), 130),
        (FONT_BOLD, 26, colors.black, certificate.holder_name, 115),
        (FONT, 14, colors.black, _("took part in the course"), 100),
        (
            FONT_BOLD,
            18,
            colors.black,
            _("“%(course)s”") % {"course": certificate.course_title},
            88,
        ),
        (FONT, 12, colors.HexColor(MUTED), certificate.programme_title, 78),
        (
            FONT,
            13,
            colors.black,
            _("%(hours)s academic hours, %(date)s")
            % {
                "hours": number(certificate.hours),
                "date": date_format(certificate.session_date, "DATE_FORMAT"),
            },
            64,
        ),
    ]
    for font, size, colour, text, y in lines:
        page.setFont(font, size)
        page.setFillColor(colour)
        page.drawCentredString(centre, y * mm, text)
    page.setFillColor(colors.black)
    page.setFont(FONT, 10)
    page.drawString(
        25 * mm, 32 * mm, _("Verification code: %(code)s") % {"code": certificate.code}
    )
    page.drawString(25 * mm, 26 * mm, verify)
    page.drawString(
        25 * mm,
        20 * mm,
        _("An academic hour is 45 minutes."),
    )
    renderPDF.draw(_qr_drawing(verify, 32 * mm), page, width - 50 * mm, 18 * mm)
    page.showPage()
    page.save()
    return output.getvalue()
