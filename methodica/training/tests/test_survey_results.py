"""Feedback results (survey_results.py): the computations (worked examples), one session's page, the
comparison across sessions and courses, and who may see them."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from methodica.training import survey_results
from methodica.training.models import Answer, Response
from methodica.training.tests.factories import SessionFactory
from tests.querycount import count_queries


def test_worked_example_mean_and_share_satisfied():
    summary = survey_results.likert_summary([5, 4, 4, 2, 1])

    assert summary.n == 5
    assert summary.mean == Decimal("3.2")
    assert summary.satisfied_percent == Decimal("60")
    assert summary.counts == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}


def test_mean_is_rounded_half_up_to_one_decimal():
    summary = survey_results.likert_summary([5, 5, 4])  # 4.666…
    assert summary.mean == Decimal("4.7")
    assert summary.satisfied_percent == Decimal("100")


def test_no_scores_give_no_mean():
    summary = survey_results.likert_summary([])
    assert summary.n == 0 and summary.mean is None


def test_anonymous_results_with_fewer_than_three_answers_are_withheld():
    assert survey_results.withheld(anonymous=True, responses=2)
    assert not survey_results.withheld(anonymous=True, responses=3)
    assert not survey_results.withheld(anonymous=False, responses=1)


def respond(session, survey, scores, comment=""):
    response = Response.objects.create(session=session, survey=survey)
    questions = list(survey.questions.all())
    for question, score in zip(
        [q for q in questions if q.kind == "likert"], scores, strict=False
    ):
        Answer.objects.create(response=response, question=question, score=score)
    if comment:
        text = next(q for q in questions if q.kind == "text")
        Answer.objects.create(response=response, question=text, text=comment)


CLOSED = datetime.timedelta(days=15)  # sent longer ago than FEEDBACK_DAYS (14)


@pytest.fixture
def surveyed(past_session, default_survey):
    """A session whose anonymous survey went out 15 days ago, and so has closed."""
    past_session.survey = default_survey
    past_session.feedback_sent_at = timezone.now() - CLOSED
    past_session.save(update_fields=["survey", "feedback_sent_at"])
    return past_session


def test_results_page_shows_distribution_mean_share_and_comments(
    methodologist, client_for, surveyed, default_survey
):
    for score, comment in zip([5, 4, 4, 2, 1], "абвгд", strict=True):
        respond(surveyed, default_survey, [score], comment=f"Коментар {comment}")

    client = client_for(methodologist)
    client.get(f"/training/sessions/{surveyed.pk}/results/")  # signed in, warm
    with count_queries() as queries:
        page = client.get(f"/training/sessions/{surveyed.pk}/results/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "3,2" in html  # Bulgarian decimal comma
    assert "60%" in html
    assert "Коментар д" in html
    assert '<th scope="col">' in html
    assert len(queries) <= 12


def test_results_with_two_anonymous_answers_say_why_they_are_hidden(
    methodologist, client_for, surveyed, default_survey, settings
):
    respond(surveyed, default_survey, [5], comment="Само аз")
    respond(surveyed, default_survey, [1])

    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/training/sessions/{surveyed.pk}/results/").content.decode()

    assert "Само аз" not in html
    assert "Too few answers to keep them anonymous" in html


def test_reporter_cannot_see_results(reporter, client_for, surveyed):
    page = client_for(reporter).get(f"/training/sessions/{surveyed.pk}/results/")
    assert page.status_code == 404
    assert client_for(reporter).get("/training/feedback/compare/").status_code == 403


def test_comparison_has_sessions_and_courses_against_the_items(
    methodologist, client_for, surveyed, default_survey
):
    second = SessionFactory(
        course=surveyed.course,
        starts_at=surveyed.starts_at - datetime.timedelta(hours=1),
        ends_at=surveyed.ends_at,
        survey=default_survey,
        feedback_sent_at=surveyed.feedback_sent_at,
    )
    for score in [5, 4, 4, 2, 1]:
        respond(surveyed, default_survey, [score])
    for score in [5, 5, 5]:
        respond(second, default_survey, [score])

    comparison = survey_results.compare(second.__class__.objects.all())

    assert len(comparison.columns) == 4
    sessions = [row for row in comparison.rows if row.kind == "session"]
    course = next(row for row in comparison.rows if row.kind == "course")
    assert sorted(row.cells[0].mean for row in sessions) == [
        Decimal("3.2"),
        Decimal("5.0"),
    ]
    assert course.responses == 8
    assert course.cells[0].mean == Decimal("3.9")  # 31 / 8
    assert course.cells[0].satisfied_percent == Decimal("75")
    # Nobody answered the second item: withheld (anonymous, fewer than three).
    assert course.cells[1] is None

    client = client_for(methodologist)
    client.get("/training/feedback/compare/")  # signed in, warm
    with count_queries() as queries:
        page = client.get("/training/feedback/compare/")
    assert page.status_code == 200
    assert "3,9" in page.content.decode()
    assert len(queries) <= 14


def test_comparison_exports_aggregates_to_xlsx(
    methodologist, client_for, surveyed, default_survey
):
    for score in [5, 4, 4, 2, 1]:
        respond(surveyed, default_survey, [score], comment="Тайна бележка")

    export = client_for(methodologist).get("/training/feedback/compare.xlsx")

    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][2] == 5  # responses
    assert values[1][3] == 3.2
    assert values[1][4] == 60
    flat = " ".join(str(v) for row in values for v in row)
    assert "Тайна бележка" not in flat


def test_comparison_filters_by_programme(
    methodologist, client_for, surveyed, default_survey, district
):
    other = SessionFactory(
        course__programme__district=district,
        course__title="Компютърни умения",
        starts_at=surveyed.starts_at,
        ends_at=surveyed.ends_at,
        survey=default_survey,
        feedback_sent_at=surveyed.feedback_sent_at,
    )
    for score in [5, 4, 4]:
        respond(other, default_survey, [score])
        respond(surveyed, default_survey, [score])

    page = client_for(methodologist).get(
        "/training/feedback/compare/",
        {"programme": surveyed.course.programme_id},
    )

    html = page.content.decode()
    assert "Каталогизация" in html
    assert "Компютърни умения" not in html


def test_withheld_session_is_left_out_of_the_course_totals(surveyed, default_survey):
    """A = 5 answers, B = 1: the course row must not be A plus B, or the course
    minus A would give away B's one answer."""
    second = SessionFactory(
        course=surveyed.course,
        starts_at=surveyed.starts_at - datetime.timedelta(hours=1),
        ends_at=surveyed.ends_at,
        survey=default_survey,
        feedback_sent_at=surveyed.feedback_sent_at,
    )
    for score in [5, 4, 4, 2, 1]:
        respond(surveyed, default_survey, [score])
    respond(second, default_survey, [1])

    comparison = survey_results.compare(second.__class__.objects.all())

    course = next(row for row in comparison.rows if row.kind == "course")
    sessions = [row for row in comparison.rows if row.kind == "session"]
    assert len(sessions) == 2
    withheld = next(row for row in sessions if not row.responses)
    assert withheld.responses is None and withheld.cells[0] is None
    assert course.responses == 5
    assert course.cells[0].n == 5 and course.cells[0].mean == Decimal("3.2")


def test_item_answered_by_two_is_withheld_on_the_results_page(
    methodologist, client_for, surveyed, default_survey, settings
):
    for scores in ([5, 2], [4, 1], [4], [3], [2]):  # the second item: two answers
        respond(surveyed, default_survey, scores)

    results = survey_results.session_results(surveyed)
    first, second = results.items[0], results.items[1]
    assert first.summary.n == 5 and not first.withheld
    assert second.withheld and second.summary is None

    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/training/sessions/{surveyed.pk}/results/").content.decode()
    assert "Fewer than 3 people answered this item" in html


def test_open_anonymous_survey_shows_no_results_and_no_count(
    methodologist, client_for, past_session, default_survey, attendees, settings, rf
):
    from django.template.loader import render_to_string

    from methodica.training.models import SurveyTicket

    past_session.survey = default_survey
    past_session.feedback_sent_at = timezone.now()
    past_session.save(update_fields=["survey", "feedback_sent_at"])
    for score in [5, 4, 4, 2]:
        respond(past_session, default_survey, [score], comment="Рано")
    # One participant has not answered yet: the survey is still taking answers.
    SurveyTicket.objects.create(enrolment=attendees[0], token_hash="x" * 64)

    client = client_for(methodologist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/training/sessions/{past_session.pk}/results/").content.decode()
    assert "still open" in html
    assert "Рано" not in html and "4 responses" not in html
    assert (
        survey_results.compare(past_session.__class__.objects.all()).rows[0].responses
        is None
    )
    request = rf.get("/")
    request.user = methodologist
    panel = render_to_string(
        "training/feedback/_session_panel.html",
        {"session": past_session, "request": request},
        request=request,
    )
    assert "survey responses" not in panel and "shown once it closes" in panel

    past_session.feedback_sent_at = timezone.now() - CLOSED
    past_session.save(update_fields=["feedback_sent_at"])
    html = client.get(f"/training/sessions/{past_session.pk}/results/").content.decode()
    assert "Рано" in html


def test_xlsx_never_holds_a_formula_from_a_course_title(
    methodologist, client_for, surveyed, default_survey
):
    course = surveyed.course
    course.title = '=HYPERLINK("http://evil.example","click")'
    course.save(update_fields=["title"])
    for score in [5, 4, 4]:
        respond(surveyed, default_survey, [score])

    export = client_for(methodologist).get("/training/feedback/compare.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    titled = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert titled and all(c.data_type == "s" for c in titled)
    assert not any(c.data_type == "f" for c in cells)


def test_session_answered_under_an_anonymous_survey_stays_anonymous(
    surveyed, default_survey, district
):
    """Its survey switched to a named one later: the two anonymous scores given
    before still count as anonymous, and are withheld."""
    from methodica.training.models import Survey

    named = Survey.objects.create(district=district, title="Поименна", anonymous=False)
    respond(surveyed, default_survey, [5])
    respond(surveyed, default_survey, [1])
    surveyed.survey = named
    surveyed.save(update_fields=["survey"])
    respond(surveyed, named, [])

    comparison = survey_results.compare(surveyed.__class__.objects.all())

    assert comparison.rows[0].cells[0] is None  # two anonymous scores: withheld
    results = survey_results.session_results(surveyed)
    assert results.survey == default_survey
    assert results.items[0].withheld
