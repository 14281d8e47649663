"""Designing the feedback questionnaires: the default survey, editing, and what a
survey that has been answered may no longer change."""

from __future__ import annotations

import pytest

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.training import surveys
from methodica.training.models import Question, Response, Survey
from methodica.training.surveys import QuestionInput

pytestmark = pytest.mark.usefixtures("in_english")


def test_default_survey_has_the_four_standard_items_and_two_free_texts(district):
    survey = surveys.ensure_default_survey(district=district)

    kinds = list(survey.questions.values_list("kind", flat=True))
    assert kinds == ["likert"] * 4 + ["text"] * 2
    first = survey.questions.first()
    assert first.texts["en"] == "I learned something new."
    assert first.texts["bg"] and first.texts["ru"]
    assert survey.anonymous and survey.is_default


def test_default_survey_is_made_once(district):
    first = surveys.ensure_default_survey(district=district)
    again = surveys.ensure_default_survey(district=district)

    assert first.pk == again.pk
    assert Survey.objects.filter(district=district).count() == 1
    assert Question.objects.filter(survey=first).count() == 6


def _questions(survey):
    return [
        QuestionInput(
            pk=q.pk,
            kind=q.kind,
            texts=dict(q.texts),
            required=q.required,
            position=q.position,
        )
        for q in survey.questions.all()
    ]


def test_methodologist_creates_a_survey_and_it_is_audited(methodologist, district):
    survey = surveys.save_survey(
        actor=methodologist,
        district=district,
        survey=None,
        title="След семинара",
        anonymous=True,
        is_default=False,
        questions=[
            QuestionInput(kind="likert", texts={"bg": "Беше полезно."}, position=1)
        ],
    )

    assert survey.questions.get().text == "Беше полезно."
    entry = AuditEntry.objects.get(action="training.survey.created")
    assert entry.object_id == str(survey.pk)
    assert entry.actor == methodologist


def test_reporter_cannot_design_surveys(reporter, district, client_for):
    with pytest.raises(Exception) as refused:
        surveys.save_survey(
            actor=reporter,
            district=district,
            survey=None,
            title="x",
            anonymous=True,
            is_default=False,
            questions=[QuestionInput(kind="likert", texts={"bg": "x"})],
        )
    assert refused.type.__name__ == "PermissionDenied"
    assert client_for(reporter).get("/training/surveys/").status_code == 403


def test_question_without_bulgarian_text_is_refused_and_nothing_saved(
    methodologist, district
):
    with pytest.raises(DomainError, match="Bulgarian"):
        surveys.save_survey(
            actor=methodologist,
            district=district,
            survey=None,
            title="Нова",
            anonymous=True,
            is_default=False,
            questions=[QuestionInput(kind="likert", texts={"en": "Only English"})],
        )
    assert not Survey.objects.exists()


def _answered(survey, past_session):
    past_session.survey = survey
    past_session.save(update_fields=["survey"])
    Response.objects.create(session=past_session, survey=survey)


def test_answered_survey_cannot_reword_a_question(
    methodologist, district, default_survey, past_session
):
    _answered(default_survey, past_session)
    items = _questions(default_survey)
    items[0].texts["bg"] = "Нищо ново не научих."

    with pytest.raises(DomainError, match="cannot be removed or changed"):
        surveys.save_survey(
            actor=methodologist,
            district=district,
            survey=default_survey,
            title=default_survey.title,
            anonymous=True,
            is_default=True,
            questions=items,
        )
    assert default_survey.questions.first().texts["en"] == "I learned something new."


def test_answered_survey_cannot_lose_a_question(
    methodologist, district, default_survey, past_session
):
    _answered(default_survey, past_session)
    items = _questions(default_survey)
    items[-1].delete = True

    with pytest.raises(DomainError, match="cannot be removed or changed"):
        surveys.save_survey(
            actor=methodologist,
            district=district,
            survey=default_survey,
            title=default_survey.title,
            anonymous=True,
            is_default=True,
            questions=items,
        )
    assert default_survey.questions.count() == 6


def test_answered_survey_cannot_stop_being_anonymous(
    methodologist, district, default_survey, past_session
):
    _answered(default_survey, past_session)

    with pytest.raises(DomainError, match="anonymous"):
        surveys.save_survey(
            actor=methodologist,
            district=district,
            survey=default_survey,
            title=default_survey.title,
            anonymous=False,
            is_default=True,
            questions=_questions(default_survey),
        )
    default_survey.refresh_from_db()
    assert default_survey.anonymous


def test_answered_survey_may_get_a_new_question(
    methodologist, district, default_survey, past_session
):
    _answered(default_survey, past_session)
    items = [
        *_questions(default_survey),
        QuestionInput(kind="text", texts={"bg": "Друго?"}, position=9),
    ]

    surveys.save_survey(
        actor=methodologist,
        district=district,
        survey=default_survey,
        title=default_survey.title,
        anonymous=True,
        is_default=True,
        questions=items,
    )
    assert default_survey.questions.count() == 7


def test_survey_is_created_through_the_page(methodologist, district, client_for):
    client = client_for(methodologist)
    page = client.get("/training/surveys/new/")
    assert page.status_code == 200
    data = {
        "title": "Кратка анкета",
        "anonymous": "on",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-0-kind": "likert",
        "questions-0-text_bg": "Беше полезно.",
        "questions-0-position": "1",
        "questions-0-required": "on",
        "questions-1-kind": "likert",
        "questions-1-position": "",
    }

    response = client.post("/training/surveys/new/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    survey = Survey.objects.get(title="Кратка анкета")
    assert survey.questions.get().required


def test_survey_list_shows_the_districts_surveys(
    methodologist, default_survey, client_for
):
    page = client_for(methodologist).get("/training/surveys/")
    assert page.status_code == 200
    assert default_survey.title in page.content.decode()


def _edit_data(survey, **changes):
    data = {
        "title": survey.title,
        "anonymous": "on",
        "is_default": "on",
        "questions-TOTAL_FORMS": str(survey.questions.count()),
        "questions-INITIAL_FORMS": str(survey.questions.count()),
    }
    for i, q in enumerate(survey.questions.all()):
        data.update(
            {
                f"questions-{i}-question_id": str(q.pk),
                f"questions-{i}-kind": q.kind,
                f"questions-{i}-text_bg": q.texts["bg"],
                f"questions-{i}-text_ru": q.texts["ru"],
                f"questions-{i}-text_en": q.texts["en"],
                f"questions-{i}-position": str(q.position),
            }
        )
    data.update(changes)
    return data


def test_unanswered_survey_loses_a_question_through_the_page(
    methodologist, default_survey, client_for
):
    response = client_for(methodologist).post(
        f"/training/surveys/{default_survey.pk}/",
        _edit_data(default_survey, **{"questions-5-DELETE": "on"}),
    )
    assert response.status_code == 302
    assert default_survey.questions.count() == 5


def test_answered_survey_refuses_rewording_on_the_page_with_the_message(
    methodologist, default_survey, past_session, client_for
):
    _answered(default_survey, past_session)
    response = client_for(methodologist).post(
        f"/training/surveys/{default_survey.pk}/",
        _edit_data(default_survey, **{"questions-0-text_bg": "Друго"}),
    )
    assert response.status_code == 400
    assert "cannot be removed or changed" in response.content.decode()
    assert default_survey.questions.first().texts["bg"] == "Научих нещо ново."


def test_methodologist_cannot_open_another_districts_survey(
    methodologist, default_survey, client_for
):
    from tests.factories import DistrictFactory

    elsewhere = surveys.ensure_default_survey(
        district=DistrictFactory(code="PDV", name="Пловдив")
    )
    client = client_for(methodologist)
    assert client.get(f"/training/surveys/{elsewhere.pk}/").status_code == 404
    listed = client.get("/training/surveys/").content.decode()
    assert f"/training/surveys/{elsewhere.pk}/" not in listed
    assert client.get(f"/training/surveys/{default_survey.pk}/").status_code == 200


def _keep(survey):
    return [
        QuestionInput(pk=q.pk, kind=q.kind, texts=dict(q.texts), position=q.position)
        for q in survey.questions.all()
    ]


def test_survey_sent_out_but_unanswered_cannot_stop_being_anonymous(
    methodologist, district, default_survey, past_session
):
    from methodica.training.models import Enrolment, SurveyTicket
    from tests.factories import StaffFactory

    past_session.survey = default_survey
    past_session.save(update_fields=["survey"])
    enrolment = Enrolment.objects.create(
        session=past_session,
        staff=StaffFactory(),
        status=Enrolment.Status.ENROLLED,
        attended=True,
    )
    SurveyTicket.objects.create(enrolment=enrolment, token_hash="y" * 64)

    with pytest.raises(DomainError, match="gone out to participants"):
        surveys.save_survey(
            actor=methodologist,
            district=district,
            survey=default_survey,
            title=default_survey.title,
            anonymous=False,
            is_default=True,
            questions=_keep(default_survey),
        )
    default_survey.refresh_from_db()
    assert default_survey.anonymous


def test_new_default_survey_resets_the_old_one_and_audits_both(
    methodologist, district, default_survey
):
    survey = surveys.save_survey(
        actor=methodologist,
        district=district,
        survey=None,
        title="Нова",
        anonymous=True,
        is_default=True,
        questions=[QuestionInput(kind="likert", texts={"bg": "Полезно?"})],
    )

    default_survey.refresh_from_db()
    assert survey.is_default and not default_survey.is_default
    reset = AuditEntry.objects.get(
        action="training.survey.saved", object_id=str(default_survey.pk)
    )
    assert reset.changes["is_default"] == {"before": True, "after": False}


def test_survey_of_another_district_cannot_be_saved_into_this_one(
    methodologist, district, default_survey
):
    from tests.factories import DistrictFactory

    elsewhere = surveys.ensure_default_survey(
        district=DistrictFactory(code="PDV", name="Пловдив")
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises((PermissionDenied, DomainError)):
        surveys.save_survey(
            actor=methodologist,
            district=district,
            survey=elsewhere,
            title="Чужда",
            anonymous=True,
            is_default=False,
            questions=_keep(elsewhere),
        )
    elsewhere.refresh_from_db()
    assert elsewhere.title != "Чужда"
