"""The visit report PDF: Cyrillic text, findings, recommendations; sending it."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.support import services

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def test_the_report_pdf_carries_the_visit_in_cyrillic(client_for, methodologist, visit):
    response = client_for(methodologist).get(f"/help/visits/{visit.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Светлина" in text
    assert "Иванка Петрова" in text
    assert "Да се довърши електронният каталог." in text
    assert "Каталог" in text  # a checklist item


def test_a_reporter_downloads_their_librarys_report_only(
    client_for, reporter, visit, other_visit
):
    client = client_for(reporter)
    assert client.get(f"/help/visits/{visit.pk}/report.pdf").status_code == 200
    assert client.get(f"/help/visits/{other_visit.pk}/report.pdf").status_code == 404


def test_sending_the_report_emails_the_pdf_to_the_library(
    client_for, methodologist, visit, run_tasks, django_capture_on_commit_callbacks
):
    visit.library.email = "svetlina@example.bg"
    visit.library.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(methodologist).post(
            f"/help/visits/{visit.pk}/send-report/"
        )
    assert response.status_code == 302
    assert run_tasks() == 1
    message = mail.outbox[0]
    assert message.to == ["svetlina@example.bg"]
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    assert "Светлина" in _text(content)
    visit.refresh_from_db()
    assert visit.report_sent_at is not None


def test_a_library_without_an_email_gets_a_clear_message(methodologist, visit):
    with pytest.raises(DomainError) as refused:
        services.send_visit_report(actor=methodologist, visit=visit)
    assert "няма имейл адрес" in refused.value.message


def test_a_reporter_cannot_send_the_report(client_for, reporter, visit):
    assert (
        client_for(reporter).post(f"/help/visits/{visit.pk}/send-report/").status_code
        == 404
    )


def test_the_report_goes_to_the_library_and_its_municipality(
    client_for, methodologist, visit, run_tasks, django_capture_on_commit_callbacks
):
    visit.library.email = "svetlina@example.bg"
    visit.library.save(update_fields=["email"])
    municipality = visit.library.municipality
    municipality.email = "obshtina@example.bg"
    municipality.save(update_fields=["email"])
    client = client_for(methodologist)
    page = client.get(f"/help/visits/{visit.pk}/").content.decode()
    with translation.override("bg"):
        assert gettext("Send to the library and the municipality") in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/help/visits/{visit.pk}/send-report/")
    to = ["svetlina@example.bg", "obshtina@example.bg"]
    queued = AuditEntry.objects.get(action="visit.report_queued")
    assert queued.changes["to"]["after"] == to
    assert run_tasks() == 1
    assert mail.outbox[0].to == to
    sent = AuditEntry.objects.get(action="visit.report_sent")
    assert sent.changes["to"]["after"] == to


def test_a_municipality_address_alone_is_enough_to_send(methodologist, visit):
    municipality = visit.library.municipality
    municipality.email = "obshtina@example.bg"
    municipality.save(update_fields=["email"])
    services.send_visit_report(actor=methodologist, visit=visit)
    queued = AuditEntry.objects.get(action="visit.report_queued")
    assert queued.changes["to"]["after"] == ["obshtina@example.bg"]
