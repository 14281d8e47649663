"""Issuing and revoking certificates, the PDF, and who may download it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.libraries.models import Library
from methodica.training import certificates
from methodica.training.models import Certificate
from methodica.training.tests.factories import SessionFactory

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def issued(methodologist, past_session, attendees):
    return certificates.issue_certificates(session=past_session, actor=methodologist)


def test_one_certificate_for_each_participant_who_attended(
    issued, attendees, past_session
):
    assert len(issued) == 3
    mine = Certificate.objects.get(enrolment=attendees[0])
    assert mine.holder_name == "Йорданка Стоянова"
    assert mine.course_title == "Каталогизация"
    assert mine.programme_title == "Основи на библиотечната работа"
    assert mine.hours == past_session.hours
    assert AuditEntry.objects.filter(action="training.certificate.issued").count() == 3


def test_issuing_again_issues_nothing_new(methodologist, issued, past_session):
    again = certificates.issue_certificates(session=past_session, actor=methodologist)
    assert again == []
    assert Certificate.objects.count() == 3


def test_copied_details_do_not_change_with_the_course(issued, past_session, attendees):
    past_session.course.title = "Друго име"
    past_session.course.save(update_fields=["title"])
    assert (
        Certificate.objects.get(enrolment=attendees[0]).course_title == "Каталогизация"
    )


def test_reporter_cannot_issue_certificates(reporter, past_session, attendees):
    with pytest.raises(Exception) as refused:
        certificates.issue_certificates(session=past_session, actor=reporter)
    assert refused.type.__name__ == "PermissionDenied"
    assert not Certificate.objects.exists()


def test_certificates_of_a_session_not_yet_held_are_refused(methodologist, district):
    session = SessionFactory(course__programme__district=district)
    with pytest.raises(DomainError, match="taken place"):
        certificates.issue_certificates(session=session, actor=methodologist)


def test_revoking_needs_a_reason_and_is_audited(methodologist, issued):
    certificate = issued[0]
    with pytest.raises(DomainError, match="why"):
        certificates.revoke_certificate(
            certificate=certificate, reason=" ", actor=methodologist
        )
    certificates.revoke_certificate(
        certificate=certificate, reason="Издаден по грешка", actor=methodologist
    )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and not certificate.is_valid
    entry = AuditEntry.objects.get(action="training.certificate.revoked")
    assert entry.changes["revoked_reason"]["after"] == "Издаден по грешка"


def _pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_holder_downloads_their_certificate_with_cyrillic_name_and_code(
    reporter, client_for, issued, attendees
):
    mine = Certificate.objects.get(enrolment=attendees[0])

    response = client_for(reporter).get(f"/training/certificates/{mine.code}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    text = _pdf_text(response.content)
    assert "Йорданка Стоянова" in text
    assert mine.code in text
    assert "Каталогизация" in text


def test_holder_sees_their_certificates_on_their_page(
    reporter, client_for, issued, attendees
):
    mine = Certificate.objects.get(enrolment=attendees[0])
    html = client_for(reporter).get("/training/feedback/mine/").content.decode()
    assert f"/training/certificates/{mine.code}.pdf" in html
    other = Certificate.objects.get(enrolment=attendees[2])
    assert other.code not in html


def test_reporter_of_the_library_may_download_a_colleagues_certificate(
    reporter, client_for, issued, attendees
):
    colleague = Certificate.objects.get(enrolment=attendees[1])
    response = client_for(reporter).get(f"/training/certificates/{colleague.code}.pdf")
    assert response.status_code == 200


def test_another_librarys_reporter_cannot_download_a_certificate(
    other_reporter, client_for, issued, attendees
):
    colleague = Certificate.objects.get(enrolment=attendees[1])
    response = client_for(other_reporter).get(
        f"/training/certificates/{colleague.code}.pdf"
    )
    assert response.status_code == 404


def test_outsider_and_the_public_cannot_download(outsider, client, issued):
    code = issued[0].code
    assert client.get(f"/training/certificates/{code}.pdf").status_code == 302
    client.force_login(outsider)
    assert client.get(f"/training/certificates/{code}.pdf").status_code == 404


def test_qr_code_encodes_the_absolute_verify_address(issued):
    code = issued[0].code
    url = certificates.verify_url(code, base="https://methodica.example.bg/")

    widget = certificates.qr_widget(url)

    assert widget.value == f"https://methodica.example.bg/verify/{code}/"


def test_issuer_is_the_districts_regional_library(district, library):
    assert certificates.issuer_of(district) == district.name
    library.library_type = Library.Type.REGIONAL
    library.save(update_fields=["library_type"])
    assert certificates.issuer_of(district) == library.name


def test_issue_button_issues_and_another_role_is_refused(
    methodologist, reporter, client_for, past_session, attendees
):
    url = f"/training/sessions/{past_session.pk}/certificates/"
    assert client_for(reporter).post(url).status_code == 404
    assert client_for(methodologist).post(url).status_code == 302
    assert Certificate.objects.count() == 3


def test_holders_page_runs_the_same_queries_for_more_certificates(
    reporter, client_for, methodologist, past_session, attendees, own_staff
):
    from methodica.training.tests.conftest import attend
    from tests.querycount import count_queries

    certificates.issue_certificates(session=past_session, actor=methodologist)
    client = client_for(reporter)
    client.get("/training/feedback/mine/")
    with count_queries() as one:
        client.get("/training/feedback/mine/")
    for _i in range(3):
        later = SessionFactory(
            course=past_session.course,
            starts_at=past_session.starts_at,
            ends_at=past_session.ends_at,
        )
        attend(later, own_staff)
        certificates.issue_certificates(session=later, actor=methodologist)
    with count_queries() as four:
        page = client.get("/training/feedback/mine/")

    assert page.content.decode().count('.pdf"') == 4
    assert len(four) == len(one)


def test_revoke_button_needs_the_issue_permission(
    methodologist, reporter, client_for, issued
):
    code = issued[0].code
    url = f"/training/certificates/{code}/revoke/"
    assert client_for(reporter).post(url, {"reason": "x"}).status_code == 404
    assert Certificate.objects.get(code=code).revoked_at is None
    response = client_for(methodologist).post(url, {"reason": "Не е присъствал"})
    assert response.status_code == 302
    assert Certificate.objects.get(code=code).revoked_reason == "Не е присъствал"


def test_certificate_pdf_is_never_cached(reporter, client_for, issued, attendees):
    mine = Certificate.objects.get(enrolment=attendees[0])
    response = client_for(reporter).get(f"/training/certificates/{mine.code}.pdf")
    assert response["Cache-Control"] == "private, no-store"


def test_session_certificates_page_lists_them_with_revoke_forms(
    methodologist, reporter, client_for, issued, past_session
):
    url = f"/training/sessions/{past_session.pk}/certificates/list/"
    page = client_for(methodologist).get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Йорданка Стоянова" in html
    assert html.count('name="reason"') == 3
    assert f"/training/certificates/{issued[0].code}/revoke/" in html
    assert client_for(reporter).get(url).status_code == 404
    revoked = client_for(methodologist).post(
        f"/training/certificates/{issued[0].code}/revoke/", {"reason": "Грешка"}
    )
    assert revoked["Location"] == url


def test_person_with_a_certificate_cannot_be_marked_absent(
    methodologist, issued, attendees, past_session
):
    from methodica.training import services

    with pytest.raises(DomainError, match="revoke the certificate first"):
        services.mark_attendance(
            session=past_session,
            present_ids=[e.pk for e in attendees[1:]],
            actor=methodologist,
        )
    attendees[0].refresh_from_db()
    assert attendees[0].attended

    certificates.revoke_certificate(
        certificate=Certificate.objects.get(enrolment=attendees[0]),
        reason="Не е присъствала",
        actor=methodologist,
    )
    services.mark_attendance(
        session=past_session,
        present_ids=[e.pk for e in attendees[1:]],
        actor=methodologist,
    )
    attendees[0].refresh_from_db()
    assert not attendees[0].attended


def test_issuing_a_certificate_issued_meanwhile_returns_it(
    methodologist, issued, attendees
):
    """Another issuer won the race: the clash on the enrolment is not retried as
    if it were a clash of codes, and no second certificate appears."""
    from methodica.training.models import Enrolment

    enrolment = Enrolment.objects.select_related(
        "staff", "session__course__programme"
    ).get(pk=attendees[0].pk)

    again = certificates._issue_one(enrolment, methodologist)

    assert again == Certificate.objects.get(enrolment=attendees[0])
    assert Certificate.objects.count() == 3
