"""axe-core over the pages of help, training, reach and local history, on the demo
district's year of records, as the administrator and as a library's reporter."""

from __future__ import annotations

import pytest

from methodica.libraries.demo import DEMO_PASSWORD, load_demo_district
from methodica.support.models import Consultation, Visit
from methodica.training.models import Enrolment, Programme, Session
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(without_reports):
    """The demo district without its annual reports (not needed here)."""
    load_demo_district()


def visit_all(page, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)


def test_every_help_training_and_reach_page_passes_axe(page, demo):
    visit = Visit.objects.filter(status=Visit.Status.DONE).first()
    question = Consultation.objects.filter(origin="request").first()
    held = Session.objects.filter(enrolments__attended=True).distinct().first()
    person = Enrolment.objects.filter(attended=True).first().staff
    programme = Programme.objects.first()
    sign_in(page, "demo-admin", DEMO_PASSWORD)
    visit_all(
        page,
        [
            "/help/",
            "/help/consultations/",
            "/help/consultations/new/",
            "/help/questions/",
            f"/help/questions/{question.pk}/",
            "/help/visits/",
            "/help/visits/new/",
            f"/help/visits/{visit.pk}/",
            f"/help/visits/{visit.pk}/record/",
            "/help/recommendations/",
            "/help/taxonomy/topics/",
            "/help/taxonomy/checklist/",
            "/training/",
            "/training/programmes/",
            f"/training/programmes/{programme.pk}/",
            f"/training/sessions/{held.pk}/",
            f"/training/sessions/{held.pk}/attendance/",
            f"/training/sessions/{held.pk}/invite/?without_qualification=on",
            f"/training/sessions/{held.pk}/results/",
            f"/training/sessions/{held.pk}/certificates/list/",
            "/training/people/",
            f"/training/people/{person.pk}/",
            "/training/surveys/",
            "/training/feedback/compare/",
            "/activity/",
            "/activity/records/?figure=consultations",
            "/activity/records/?figure=librarians_trained",
            "/heritage/",
            "/heritage/collections/",
            "/heritage/items/new/",
            "/heritage/preservation/",
            "/verify/",
        ],
    )


def test_a_reporters_help_and_training_pages_pass_axe(page, demo):
    sign_in(page, "demo-reporter", DEMO_PASSWORD)
    visit_all(
        page,
        [
            "/help/",
            "/help/ask/",
            "/help/my-questions/",
            "/training/",
            "/training/mine/",
            "/training/feedback/mine/",
        ],
    )
    page.get_by_role("link", name="Попълване на анкетата").first.click()
    assert_accessible(page)
