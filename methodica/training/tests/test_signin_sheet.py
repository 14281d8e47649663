"""The printable sign-in sheet."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from methodica.training.models import Enrolment
from methodica.training.tests.factories import EnrolmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_the_sheet_lists_the_enrolled_with_their_library(
    client_for, methodologist, upcoming_session, own_staff, colleague, library
):
    EnrolmentFactory(session=upcoming_session, staff=own_staff)
    EnrolmentFactory(
        session=upcoming_session, staff=colleague, status=Enrolment.Status.WAITING
    )
    response = client_for(methodologist).get(
        f"/training/sessions/{upcoming_session.pk}/sign-in.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert upcoming_session.course.title in text
    assert upcoming_session.trainer in text
    assert upcoming_session.place in text
    assert own_staff.full_name in text
    assert library.name in text
    assert colleague.full_name not in text  # waiting: no place, no signature


def test_reporter_cannot_print_the_sheet(client_for, reporter, upcoming_session):
    response = client_for(reporter).get(
        f"/training/sessions/{upcoming_session.pk}/sign-in.pdf"
    )
    assert response.status_code == 404


def test_a_course_title_with_markup_characters_is_printed_as_written(
    client_for, methodologist, upcoming_session
):
    course = upcoming_session.course
    course.title = "Права & задължения <по закон>"
    course.save(update_fields=["title"])
    response = client_for(methodologist).get(
        f"/training/sessions/{upcoming_session.pk}/sign-in.pdf"
    )
    assert response.status_code == 200
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Права & задължения <по закон>" in text
