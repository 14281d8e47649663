"""Answering the feedback survey: by the emailed link without signing in, or signed
in from /training/feedback/mine/; bad input; and anonymity that holds everywhere."""

from __future__ import annotations

import io
import json
import uuid

import openpyxl
import pytest

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.training import surveys
from methodica.training.models import Answer, Response, Survey, SurveyTicket

pytestmark = pytest.mark.usefixtures("in_english")


def ticket(enrolment):
    token, token_hash = surveys.new_token()
    return token, SurveyTicket.objects.create(
        enrolment=enrolment, token_hash=token_hash
    )


@pytest.fixture
def surveyed(past_session, default_survey, attendees):
    past_session.survey = default_survey
    past_session.save(update_fields=["survey"])
    return past_session


def likert(survey):
    return list(survey.questions.filter(kind="likert"))


def texts(survey):
    return list(survey.questions.filter(kind="text"))


def form_data(survey, scores, comment=""):
    data = {f"q{q.pk}": str(s) for q, s in zip(likert(survey), scores, strict=False)}
    data[f"q{texts(survey)[0].pk}"] = comment
    return data


def test_participant_answers_by_the_emailed_link_without_signing_in(
    client, surveyed, attendees, default_survey
):
    token, used = ticket(attendees[0])

    page = client.get(f"/training/feedback/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<fieldset" in html and "<legend" in html
    assert 'type="radio"' in html
    response = client.post(
        f"/training/feedback/{token}/", form_data(default_survey, [5, 4, 4, 2], "Добре")
    )

    assert response.status_code == 200
    used.refresh_from_db()
    assert used.used
    answers = Answer.objects.filter(response__session=surveyed)
    assert sorted(a.score for a in answers if a.score) == [2, 4, 4, 5]
    assert answers.get(text="Добре")


def test_survey_answered_twice_is_refused_with_a_message(
    client, surveyed, attendees, default_survey
):
    token, _ticket = ticket(attendees[0])
    client.post(f"/training/feedback/{token}/", form_data(default_survey, [5]))

    again = client.get(f"/training/feedback/{token}/")
    assert "already been answered" in again.content.decode()
    client.post(f"/training/feedback/{token}/", form_data(default_survey, [1]))
    assert Response.objects.count() == 1

    with pytest.raises(DomainError, match="already been answered"):
        surveys.submit_response(ticket=_ticket, answers={})
    assert Response.objects.count() == 1


def test_unknown_token_is_refused_with_a_message(client, surveyed):
    page = client.get("/training/feedback/not-a-real-token/")
    assert page.status_code == 404
    assert "not valid" in page.content.decode()


def test_score_of_seven_is_refused_and_nothing_saved(
    client, surveyed, attendees, default_survey
):
    token, unused = ticket(attendees[0])

    page = client.post(
        f"/training/feedback/{token}/", form_data(default_survey, [7, 4, 4, 4])
    )

    assert page.status_code == 400
    assert "choose a score from 1 to 5" in page.content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()
    unused.refresh_from_db()
    assert not unused.used


def test_missing_required_answer_is_refused_and_nothing_saved(
    surveyed, attendees, default_survey
):
    question = likert(default_survey)[1]
    question.required = True
    question.save(update_fields=["required"])
    _token, unused = ticket(attendees[0])

    with pytest.raises(DomainError, match="please answer this question"):
        surveys.submit_response(
            ticket=unused, answers={likert(default_survey)[0].pk: "5"}
        )
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_long_text_is_refused(surveyed, attendees, default_survey):
    _token, unused = ticket(attendees[0])
    with pytest.raises(DomainError, match="at most"):
        surveys.submit_response(
            ticket=unused, answers={texts(default_survey)[0].pk: "х" * 2001}
        )
    assert not Response.objects.exists()


def test_reporter_answers_from_their_page_without_the_link(
    reporter, client_for, surveyed, attendees, default_survey
):
    client = client_for(reporter)
    mine = client.get("/training/feedback/mine/")
    assert "Каталогизация" in mine.content.decode()
    own = attendees[0]
    page = client.get(f"/training/feedback/mine/{own.pk}/").content.decode()
    assert 'action="/training/feedback/mine/answer/"' in page

    # The answers go to an address without the enrolment id: access logs keep
    # addresses, and an id there would tie the time of the answer to the person.
    client.post(
        "/training/feedback/mine/answer/",
        {"enrolment": own.pk, **form_data(default_survey, [4, 4, 4, 4])},
    )

    assert Response.objects.count() == 1
    assert SurveyTicket.objects.get(enrolment=own).used
    assert (
        "Answer the survey"
        not in client.get("/training/feedback/mine/").content.decode()
    )


def test_reporter_cannot_answer_for_a_colleague(
    reporter, client_for, surveyed, attendees, default_survey
):
    colleague = attendees[1]  # same library, no account of theirs
    client = client_for(reporter)
    response = client.post(
        "/training/feedback/mine/answer/",
        {"enrolment": colleague.pk, **form_data(default_survey, [1])},
    )
    assert response.status_code == 404
    assert client.get(f"/training/feedback/mine/{colleague.pk}/").status_code == 404
    assert not Response.objects.exists()


def _answer_all(surveyed, attendees, default_survey):
    for enrolment, scores in zip(attendees, ([5, 5], [1, 2], [3, 3]), strict=True):
        _token, t = ticket(enrolment)
        surveys.submit_response(
            ticket=t,
            answers={
                **{
                    q.pk: s
                    for q, s in zip(likert(default_survey), scores, strict=False)
                },
                texts(default_survey)[0].pk: f"Коментар {scores[0]}",
            },
        )


def test_anonymous_answers_cannot_be_traced_to_a_person(
    methodologist, client_for, surveyed, attendees, default_survey
):
    _answer_all(surveyed, attendees, default_survey)

    people = set()
    for enrolment in attendees:
        people |= {
            ("enrolment", enrolment.pk),
            ("staff", enrolment.staff_id),
            ("user", enrolment.staff.user_id),
        }
    assert not Response.objects.exclude(enrolment=None).exists()
    rows = [
        *Response.objects.values(),
        *Answer.objects.values(),
    ]
    for row in rows:
        # Random keys: no sequence that would tell the order of the answers.
        key = row.pop("id")
        assert isinstance(key, uuid.UUID) and key.version == 4
        assert set(row) <= {
            "session_id",
            "survey_id",
            "submitted_on",
            "enrolment_id",
            "response_id",
            "question_id",
            "score",
            "text",
        }
        assert row.get("enrolment_id") is None
        held = {
            (kind, row[f"{kind}_id"])
            for kind in ("enrolment", "staff", "user")
            if row.get(f"{kind}_id") is not None
        }
        assert held.isdisjoint(people)
    # The audit trail says nothing about the answers: no entry about a response,
    # an answer or a ticket's use.
    for entry in AuditEntry.objects.all():
        assert entry.content_type.model not in ("response", "answer", "surveyticket")
        dumped = json.dumps(entry.changes)
        for enrolment in attendees:
            assert enrolment.staff.full_name not in dumped
    results = client_for(methodologist).get(
        f"/training/sessions/{surveyed.pk}/results/"
    )
    html = results.content.decode()
    assert "Коментар 5" in html
    for enrolment in attendees:
        assert enrolment.staff.full_name not in html
    export = client_for(methodologist).get("/training/feedback/compare.xlsx")
    assert export.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(export.content))
    values = [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("Каталогизация" in value for value in values)  # the scan reads cells
    for enrolment in attendees:
        assert not any(enrolment.staff.full_name in value for value in values)


def test_named_survey_keeps_the_enrolment_and_is_audited(
    district, past_session, attendees
):
    survey = Survey.objects.create(district=district, title="Поименна", anonymous=False)
    question = survey.questions.create(kind="likert", texts={"bg": "Полезно?"})
    past_session.survey = survey
    past_session.save(update_fields=["survey"])
    _token, t = ticket(attendees[0])

    surveys.submit_response(ticket=t, answers={question.pk: "4"})

    response = Response.objects.get()
    assert response.enrolment == attendees[0]
    assert AuditEntry.objects.filter(action="training.response.submitted").count() == 1


def test_answering_signed_in_makes_every_participants_ticket_at_once(
    reporter, client_for, surveyed, attendees
):
    """One ticket made as each person opens the survey would line up ticket ids
    with response ids, and so with who answered what."""
    client_for(reporter).get(f"/training/feedback/mine/{attendees[0].pk}/")

    assert SurveyTicket.objects.filter(enrolment__in=attendees).count() == 3
    assert not SurveyTicket.objects.exclude(sent_at=None).exists()


def test_comment_with_a_nul_character_is_refused_on_its_field(
    client, surveyed, attendees, default_survey
):
    token, unused = ticket(attendees[0])

    page = client.post(
        f"/training/feedback/{token}/",
        form_data(default_survey, [4], comment="Добре\x00"),
    )

    assert page.status_code == 400
    assert "cannot be saved" in page.content.decode()
    assert 'aria-invalid="true"' in page.content.decode()
    assert not Response.objects.exists() and not Answer.objects.exists()
    unused.refresh_from_db()
    assert not unused.used


def test_participant_marked_absent_since_cannot_answer(surveyed, attendees):
    _token, t = ticket(attendees[0])
    attendees[0].attended = False
    attendees[0].save(update_fields=["attended"])

    with pytest.raises(DomainError, match="those who attended"):
        surveys.submit_response(ticket=t, answers={})
    assert not Response.objects.exists()


def test_ticket_stops_working_once_the_survey_has_closed(
    client, surveyed, attendees, default_survey
):
    import datetime

    from django.utils import timezone

    surveyed.feedback_sent_at = timezone.now() - datetime.timedelta(days=15)
    surveyed.save(update_fields=["feedback_sent_at"])
    token, t = ticket(attendees[0])

    page = client.get(f"/training/feedback/{token}/")
    assert page.status_code == 410
    assert "closed on" in page.content.decode()
    with pytest.raises(DomainError, match="closed on"):
        surveys.submit_response(ticket=t, answers={})
    assert not Response.objects.exists()


def test_every_answer_page_sends_no_referrer(client, surveyed, attendees):
    token, _t = ticket(attendees[0])
    assert client.get(f"/training/feedback/{token}/")["Referrer-Policy"] == (
        "no-referrer"
    )
    invalid = client.get("/training/feedback/not-a-real-token/")
    assert invalid["Referrer-Policy"] == "no-referrer"
    surveys.submit_response(ticket=_t, answers={})
    used = client.get(f"/training/feedback/{token}/")
    assert used.status_code == 410 and used["Referrer-Policy"] == "no-referrer"


def test_required_item_is_marked_for_assistive_technology(
    client, surveyed, attendees, default_survey
):
    question = likert(default_survey)[0]
    question.required = True
    question.save(update_fields=["required"])
    token, _t = ticket(attendees[0])

    page = client.post(f"/training/feedback/{token}/", {})

    html = page.content.decode()
    assert 'aria-required="true"' in html
    assert 'id="answer-errors" tabindex="-1"' in html
    assert f'href="#id_q{question.pk}_0"' in html
