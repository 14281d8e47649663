"""Public verification of a certificate: the page and the API show the minimum, and a
forged or mistyped code gets a clear message."""

from __future__ import annotations

import pytest

from methodica.training import certificates
from methodica.training.certificates import ALPHABET

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def certificate(methodologist, past_session, attendees):
    issued = certificates.issue_certificates(session=past_session, actor=methodologist)
    return next(c for c in issued if c.enrolment == attendees[0])


def _forged():
    return certificates.new_code()  # well formed, but nobody's


def _mistyped(code):
    last = code[-1]
    return code[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)]


def test_public_page_shows_only_the_minimum_without_signing_in(
    client, certificate, district
):
    page = client.get(f"/verify/{certificate.code}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Йорданка Стоянова" in html
    assert "Каталогизация" in html
    assert district.name in html
    assert 'name="robots" content="noindex' in html
    assert "noindex" in page["X-Robots-Tag"]
    staff = certificate.enrolment.staff
    assert staff.email not in html
    assert staff.library.name not in html
    assert certificate.programme_title not in html


def test_code_typed_in_lower_case_with_spaces_is_found(client, certificate):
    typed = certificate.code.lower().replace("-", " ")
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.code}/"


def test_forged_code_is_told_that_no_certificate_has_it(client, certificate):
    page = client.get(f"/verify/{_forged()}/")
    assert page.status_code == 404
    assert "No certificate has this code" in page.content.decode()


def test_mistyped_code_is_told_to_check_for_a_typo(client, certificate):
    page = client.get("/verify/", {"code": _mistyped(certificate.code)})
    assert page.status_code == 400
    assert "check character does not match" in page.content.decode()


def test_revoked_certificate_says_so(client, certificate, methodologist):
    certificates.revoke_certificate(
        certificate=certificate, reason="Грешка", actor=methodologist
    )
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "This certificate has been revoked." in html
    assert "Грешка" not in html


def test_api_verifies_a_certificate_anonymously(client, certificate, district):
    response = client.get(f"/api/v1/certificates/{certificate.code}/")

    assert response.status_code == 200
    assert response.json() == {
        "code": certificate.code,
        "holder_name": "Йорданка Стоянова",
        "course_title": "Каталогизация",
        "session_date": certificate.session_date.isoformat(),
        "hours": str(certificate.hours),
        "issuer": district.name,
        "status": "valid",
    }


def test_api_answers_404_for_a_forged_or_mistyped_code(client, certificate):
    forged = client.get(f"/api/v1/certificates/{_forged()}/")
    assert forged.status_code == 404
    assert "No certificate" in forged.json()["detail"]
    mistyped = client.get(f"/api/v1/certificates/{_mistyped(certificate.code)}/")
    assert mistyped.status_code == 404
    assert "check character" in mistyped.json()["detail"]


def test_verification_api_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/certificates/{code}/" in schema.content
