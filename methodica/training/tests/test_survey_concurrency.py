"""One ticket sent twice at once (a double click, two tabs): one response is kept."""

from __future__ import annotations

import pytest

from methodica.core.errors import DomainError
from methodica.training import surveys
from methodica.training.models import Response, SurveyTicket
from methodica.training.tests.test_enrolment_concurrency import in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_english"),
]


def test_the_same_survey_answered_twice_at_once_is_kept_once(
    past_session, default_survey, attendees
):
    past_session.survey = default_survey
    past_session.save(update_fields=["survey"])
    _token, token_hash = surveys.new_token()
    ticket = SurveyTicket.objects.create(enrolment=attendees[0], token_hash=token_hash)
    question = default_survey.questions.first()

    results = in_threads(
        [
            lambda: surveys.submit_response(ticket=ticket, answers={question.pk: "5"}),
            lambda: surveys.submit_response(ticket=ticket, answers={question.pk: "1"}),
        ]
    )

    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    assert "already been answered" in refused[0].message
    assert Response.objects.count() == 1
