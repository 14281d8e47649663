"""Training's main flow in a real browser: invite a target group, enrol, mark
attendance, answer the survey, download and verify the certificate, count it all in
the year's activity report."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from methodica.training.models import (
    Answer,
    Certificate,
    Course,
    Enrolment,
    Invitation,
    Programme,
    Response,
    Session,
)
from methodica.training.surveys import ensure_default_survey
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def bg(text: str) -> str:
    """The Bulgarian of a msgid, as the page shows it."""
    with translation.override("bg"):
        return _(text)


def sign_out(page) -> None:
    page.get_by_role("button", name=bg("Sign out")).click()
    page.wait_for_url("**/accounts/login/**")


@pytest.fixture
def session(district):
    ensure_default_survey(district=district)
    programme = Programme.objects.create(
        district=district,
        title="Основи на библиотечната работа",
        audience="Библиотекари без професионално образование",
    )
    course = Course.objects.create(
        programme=programme,
        title="Каталогизация за начинаещи",
        hours=8,
        outcomes="Описва книга по стандарта",
    )
    start = timezone.now() + datetime.timedelta(days=5)
    return Session.objects.create(
        course=course,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        place="Регионална библиотека, зала 2",
        trainer="Мария Петрова",
        capacity=12,
        hours=8,
    )


def test_from_invitation_to_the_years_report(
    page, browser, live_server, session, methodologist, reporter, library
):
    me = StaffFactory(
        library=library,
        full_name="Гергана Илиева Стоянова",
        email="gergana@example.org",
        has_library_qualification=False,
        user=reporter,
    )
    StaffFactory(
        library=library, full_name="Петър Колев Димов", has_library_qualification=True
    )

    # 1. The methodologist invites the librarians without a qualification.
    sign_in(page, "methodologist", PASSWORD)
    page.goto(f"/training/sessions/{session.pk}/invite/")
    assert_accessible(page)
    page.get_by_label(bg("only staff without a library qualification")).check()
    page.get_by_role("button", name=bg("Preview")).click()
    page.get_by_role("cell", name=me.full_name).wait_for()
    assert page.get_by_role("cell", name="Петър Колев Димов").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name=bg("Send the invitations")).click()
    page.wait_for_url(f"**/training/sessions/{session.pk}/")
    assert list(Invitation.objects.values_list("staff_id", flat=True)) == [me.pk]
    sign_out(page)

    # 2. The reporter enrols themselves.
    sign_in(page, "reporter", PASSWORD)
    page.goto(f"/training/sessions/{session.pk}/")
    assert_accessible(page)
    page.locator("#enrol-staff").select_option(str(me.pk))
    page.locator("#enrol").get_by_role("button", name=bg("Enrol")).click()
    page.get_by_role("cell", name=me.full_name).first.wait_for()
    enrolment = Enrolment.objects.get(session=session, staff=me)
    assert enrolment.status == Enrolment.Status.ENROLLED
    sign_out(page)

    # The day of the session comes.
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(hours=1),
    )

    # 3. The methodologist marks attendance, sends the survey, issues certificates.
    sign_in(page, "methodologist", PASSWORD)
    page.goto(f"/training/sessions/{session.pk}/attendance/")
    assert_accessible(page)
    page.get_by_label(re.compile(me.full_name)).check()
    page.get_by_role("button", name=bg("Save attendance")).click()
    page.wait_for_url(f"**/training/sessions/{session.pk}/")
    enrolment.refresh_from_db()
    assert enrolment.attended is True
    page.get_by_role("button", name=bg("Send the feedback survey now")).click()
    page.get_by_role("button", name=bg("Issue certificates")).click()
    page.wait_for_load_state("load")
    certificate = Certificate.objects.get(enrolment=enrolment)
    sign_out(page)

    # 4. The reporter answers the survey and downloads the certificate.
    sign_in(page, "reporter", PASSWORD)
    page.goto("/training/feedback/mine/")
    assert_accessible(page)
    page.get_by_role("link", name=bg("Answer the survey")).click()
    assert_accessible(page)
    for group in page.locator("fieldset").all():
        group.locator("input[type=radio][value='5']").check()
    page.locator("textarea").first.fill("Много полезно, благодаря!")
    page.get_by_role("button", name=bg("Send my answers")).click()
    page.wait_for_load_state("load")
    assert Response.objects.filter(session=session).count() == 1
    assert Answer.objects.filter(text="Много полезно, благодаря!").exists()
    # The anonymous answer carries no trace of who gave it.
    assert Response.objects.get(session=session).enrolment_id is None
    page.goto("/training/feedback/mine/")
    assert bg("No survey is waiting for you.") in page.content()
    link = page.get_by_role("link", name=re.compile(re.escape(session.course.title)))
    answer = page.request.get(link.get_attribute("href"))
    assert answer.ok
    pdf = answer.body()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert me.full_name in text and certificate.code in text
    sign_out(page)

    # 5. Anyone verifies the certificate on the public page; a forged code is refused.
    public = browser.new_context(
        base_url=live_server.url, locale="bg-BG", reduced_motion="reduce"
    ).new_page()
    public.goto(f"/verify/{certificate.code}/")
    assert_accessible(public)
    assert me.full_name in public.content()
    assert session.course.title in public.content()
    assert me.email not in public.content()
    public.goto("/verify/")
    public.locator("input[name=code]").fill("AAAA-BBBB-CCCC")
    public.locator("input[name=code]").press("Enter")
    public.wait_for_load_state("load")
    assert me.full_name not in public.content()
    assert public.locator(".alert, .invalid-feedback, [role=alert]").count() > 0
    public.context.close()

    # 6. The year's activity report counts all of it.
    sign_in(page, "methodologist", PASSWORD)
    day = timezone.localdate(now)
    page.goto(f"/activity/?start={day:%Y}-01-01&end={day:%Y}-12-31")
    assert_accessible(page)
    trained = page.locator("a[href*='figure=librarians_trained']").first
    assert trained.inner_text().strip() == "1"
    link = page.get_by_role("link", name=re.compile(r"DOCX"))
    answer = page.request.get(link.get_attribute("href"))
    assert answer.ok
    import docx

    document = docx.Document(io.BytesIO(answer.body()))
    rows = [
        [cell.text.strip() for cell in row.cells]
        for table in document.tables
        for row in table.rows
    ]
    # The training table lists the session with its one participant from one library.
    session_rows = [row for row in rows if session.course.title in " ".join(row)]
    assert session_rows, rows
    assert session_rows[0].count("1") >= 2, session_rows[0]
    summary = "\n".join(p.text for p in document.paragraphs)
    assert session.course.programme.title in summary
