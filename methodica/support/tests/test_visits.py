"""Visits: planning, recording (all or nothing), cancelling, following recommendations."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.support import services
from methodica.support.models import ChecklistItem, Finding, Recommendation, Visit
from methodica.support.visits import FindingInput, RecommendationInput
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db


def _record_post(checklist, **overrides):
    data = {
        "visited_on": "2026-03-10",
        "met_with": "Директор",
        "summary": "Добре",
        "finding-TOTAL_FORMS": str(len(checklist)),
        "finding-INITIAL_FORMS": str(len(checklist)),
        "rec-TOTAL_FORMS": "3",
        "rec-INITIAL_FORMS": "0",
        "rec-0-text": "Да се обнови каталогът",
        "rec-0-due_on": "2026-05-01",
    }
    for n, item in enumerate(checklist):
        data[f"finding-{n}-item"] = str(item.pk)
        data[f"finding-{n}-rating"] = "attention" if n == 0 else "good"
        data[f"finding-{n}-note"] = ""
    data.update(overrides)
    return data


def test_a_methodologist_plans_a_visit(client_for, methodologist, library):
    response = client_for(methodologist).post(
        "/help/visits/new/",
        {"library": library.pk, "planned_for": "2026-04-02", "purpose": "Отчет"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.status, visit.methodologist) == ("planned", methodologist)
    assert AuditEntry.objects.filter(action="visit.planned").exists()


def test_a_municipal_methodologist_cannot_plan_outside_their_municipality(
    client_for, municipal_methodologist, other_library
):
    response = client_for(municipal_methodologist).post(
        "/help/visits/new/", {"library": other_library.pk, "planned_for": "2026-04-02"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["library"]
    assert not Visit.objects.exists()


def test_recording_a_visit_saves_findings_and_recommendations(
    client_for, methodologist, planned_visit, checklist
):
    response = client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/record/", _record_post(checklist)
    )
    assert response.status_code == 302
    planned_visit.refresh_from_db()
    assert planned_visit.status == "done"
    assert planned_visit.visited_on == datetime.date(2026, 3, 10)
    assert Finding.objects.filter(visit=planned_visit).count() == len(checklist)
    assert Finding.objects.get(visit=planned_visit, item=checklist[0]).rating == (
        "attention"
    )
    recommendation = Recommendation.objects.get()
    assert recommendation.library_id == planned_visit.library_id
    entry = AuditEntry.objects.get(action="visit.recorded")
    assert entry.changes["status"] == {"before": "planned", "after": "done"}
    assert len(entry.changes["recommendations"]["after"]) == 1


def test_a_recommendation_due_before_the_visit_is_refused_and_nothing_is_saved(
    client_for, methodologist, planned_visit, checklist
):
    response = client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/record/",
        _record_post(checklist, **{"rec-0-due_on": "2026-03-01"}),
    )
    assert response.status_code == 200
    assert "не може да е преди посещението" in str(response.context["form"].errors)
    planned_visit.refresh_from_db()
    assert planned_visit.status == "planned"
    assert not Finding.objects.exists()
    assert not Recommendation.objects.exists()


def test_a_recommendation_without_a_due_date_is_refused(
    client_for, methodologist, planned_visit, checklist
):
    response = client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/record/",
        _record_post(checklist, **{"rec-0-due_on": ""}),
    )
    assert response.status_code == 200
    assert not Finding.objects.exists()


def test_a_visit_cannot_be_recorded_in_the_future(methodologist, planned_visit):
    with pytest.raises(DomainError):
        services.record_visit(
            actor=methodologist,
            visit=planned_visit,
            visited_on=datetime.date.today() + datetime.timedelta(days=3),
            met_with="",
            summary="",
            findings=[],
            recommendations=[],
        )


def test_cancelling_a_planned_visit(client_for, methodologist, planned_visit):
    client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/cancel/", {"reason": "Болест"}
    )
    planned_visit.refresh_from_db()
    assert planned_visit.status == "cancelled"
    with pytest.raises(DomainError):
        services.cancel_visit(actor=methodologist, visit=planned_visit)


def test_closing_a_recommendation_records_when_and_by_whom(
    client_for, methodologist, visit
):
    recommendation = visit.recommendations.first()
    client_for(methodologist).post(
        f"/help/recommendations/{recommendation.pk}/",
        {"status": "done", "progress_note": "Каталогът е готов."},
    )
    recommendation.refresh_from_db()
    assert recommendation.closed_on == datetime.date.today()
    assert recommendation.closed_by == methodologist
    services.update_recommendation(
        actor=methodologist,
        recommendation=recommendation,
        status="in_progress",
        progress_note="Отново",
    )
    recommendation.refresh_from_db()
    assert recommendation.closed_on is None
    assert AuditEntry.objects.filter(action="recommendation.changed").count() == 2


def test_the_follow_up_page_lists_open_and_overdue_recommendations(
    client_for, methodologist, visit
):
    later = services.record_visit(
        actor=methodologist,
        visit=visit,
        visited_on=visit.visited_on,
        met_with=visit.met_with,
        summary=visit.summary,
        findings=[],
        recommendations=[
            RecommendationInput(text="Нещо за 2099", due_on=datetime.date(2099, 1, 1))
        ],
    )
    client = client_for(methodologist)
    assert len(client.get("/help/recommendations/").context["page"]) == 3
    overdue = client.get("/help/recommendations/?overdue=1").context["page"]
    assert "Нещо за 2099" not in [r.text for r in overdue]
    assert later.recommendations.count() == 3


def test_the_visit_list_counts_overdue_recommendations(
    client_for, methodologist, library
):
    today = datetime.date.today()
    days = datetime.timedelta
    visit = services.plan_visit(
        actor=methodologist, library=library, planned_for=today - days(30)
    )
    services.record_visit(
        actor=methodologist,
        visit=visit,
        visited_on=today - days(30),
        met_with="",
        summary="",
        findings=[],
        recommendations=[
            RecommendationInput(text="Просрочена 1", due_on=today - days(10)),
            RecommendationInput(text="Просрочена 2", due_on=today - days(5)),
            RecommendationInput(text="Предстои", due_on=today + days(30)),
        ],
    )
    services.update_recommendation(
        actor=methodologist,
        recommendation=Recommendation.objects.get(text="Просрочена 1"),
        status="done",
        progress_note="",
    )
    response = client_for(methodologist).get("/help/visits/?status=done")
    assert list(response.context["page"]) == [visit]
    assert response.context["overdue"] == 1


def test_a_reporter_sees_their_visits_but_cannot_edit_them(
    client_for, reporter, visit, other_visit
):
    client = client_for(reporter)
    assert list(client.get("/help/visits/").context["page"]) == [visit]
    assert client.get(f"/help/visits/{visit.pk}/").status_code == 200
    assert client.get(f"/help/visits/{other_visit.pk}/").status_code == 404
    assert client.get(f"/help/visits/{visit.pk}/record/").status_code == 404
    assert client.get("/help/visits/new/").status_code == 403
    recommendation = visit.recommendations.first()
    assert client.get(f"/help/recommendations/{recommendation.pk}/").status_code == 404
    texts = [r.text for r in client.get("/help/recommendations/").context["page"]]
    assert "Чужда препоръка" not in texts


def test_the_service_refuses_a_reporter(reporter, visit):
    with pytest.raises(PermissionDenied):
        services.record_visit(
            actor=reporter,
            visit=visit,
            visited_on=visit.visited_on,
            met_with="",
            summary="",
            findings=[],
            recommendations=[
                RecommendationInput(text="x", due_on=datetime.date(2027, 1, 1))
            ],
        )
    assert visit.recommendations.count() == 2


def test_the_visit_list_runs_a_fixed_number_of_queries(
    client_for, methodologist, library, other_library
):
    client = client_for(methodologist)
    services.plan_visit(
        actor=methodologist, library=library, planned_for=datetime.date(2026, 5, 1)
    )
    client.get("/help/visits/")
    with count_queries() as few:
        client.get("/help/visits/")
    for lib in (library, other_library, other_library):
        services.plan_visit(
            actor=methodologist, library=lib, planned_for=datetime.date(2026, 5, 2)
        )
    with count_queries() as more:
        client.get("/help/visits/")
    assert len(more) == len(few)


def test_the_home_page_shows_what_matters(client_for, methodologist, reporter, visit):
    assert client_for(methodologist).get("/help/").status_code == 200
    response = client_for(reporter).get("/help/")
    assert response.status_code == 200
    assert response.context["open_recommendations"]


def test_the_taxonomy_pages_edit_topics(
    client_for, district_admin, methodologist, topics
):
    client = client_for(district_admin)
    topic = topics["events"]
    response = client.post(
        f"/help/taxonomy/topics/{topic.pk}/",
        {
            "code": "events",
            "name_bg": "Събития и изложби",
            "name_ru": "",
            "name_en": "Events and exhibitions",
            "position": "3",
            "active": "",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.names == {"bg": "Събития и изложби", "en": "Events and exhibitions"}
    assert not topic.active
    assert AuditEntry.objects.filter(action="topic.changed").exists()
    assert client_for(methodologist).get("/help/taxonomy/topics/").status_code == 403


def test_a_topic_code_in_use_is_refused(client_for, district_admin, topics):
    response = client_for(district_admin).post(
        "/help/taxonomy/checklist/",
        {"code": "catalogue", "name_bg": "Дубликат", "position": "9", "active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_the_recommendations_page_runs_a_fixed_number_of_queries(
    client_for, methodologist, visit, other_visit
):
    client = client_for(methodologist)
    client.get("/help/recommendations/")
    with count_queries() as few:
        client.get("/help/recommendations/")
    services.record_visit(
        actor=methodologist,
        visit=other_visit,
        visited_on=other_visit.visited_on,
        met_with="",
        summary="",
        findings=[],
        recommendations=[
            RecommendationInput(text=f"Още {n}", due_on=datetime.date(2099, 1, n + 1))
            for n in range(4)
        ],
    )
    with count_queries() as more:
        client.get("/help/recommendations/")
    assert len(more) == len(few)


def test_a_municipal_methodologist_sees_only_their_municipalitys_visits(
    client_for, municipal_methodologist, visit, other_visit
):
    client = client_for(municipal_methodologist)
    assert list(client.get("/help/visits/").context["page"]) == [visit]
    assert client.get(f"/help/visits/{other_visit.pk}/").status_code == 404


def test_a_checklist_item_posted_twice_is_refused_and_nothing_is_saved(
    client_for, methodologist, planned_visit, checklist
):
    data = _record_post(checklist, **{"finding-1-item": str(checklist[0].pk)})
    response = client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/record/", data
    )
    assert response.status_code == 200
    errors = response.context["findings_formset"].non_form_errors().as_data()
    assert [e.code for e in errors] == ["duplicate_item"]
    planned_visit.refresh_from_db()
    assert planned_visit.status == "planned"
    assert not Finding.objects.exists()
    assert not Recommendation.objects.exists()


def test_the_service_refuses_a_checklist_item_given_twice(
    methodologist, planned_visit, checklist
):
    with pytest.raises(DomainError) as refused:
        services.record_visit(
            actor=methodologist,
            visit=planned_visit,
            visited_on=datetime.date(2026, 3, 10),
            met_with="",
            summary="",
            findings=[
                FindingInput(item=checklist[0], rating="good"),
                FindingInput(item=checklist[0], rating="poor"),
            ],
            recommendations=[],
        )
    assert checklist[0].name in refused.value.message
    planned_visit.refresh_from_db()
    assert planned_visit.status == "planned"
    assert not Finding.objects.exists()


@pytest.mark.parametrize("item", ["99999999999999", "999999", "-1"])
def test_an_unknown_checklist_item_is_refused_not_dropped(
    client_for, methodologist, planned_visit, checklist, item
):
    data = _record_post(checklist, **{"finding-0-item": item})
    response = client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/record/", data
    )
    assert response.status_code == 200
    formset = response.context["findings_formset"]
    assert formset.errors[0] or formset.non_form_errors()
    assert not Finding.objects.exists()
    planned_visit.refresh_from_db()
    assert planned_visit.status == "planned"


def test_another_districts_checklist_item_is_refused(
    client_for, methodologist, planned_visit, checklist
):
    from tests.factories import DistrictFactory

    foreign = ChecklistItem.objects.create(
        district=DistrictFactory(code="HKV", name="Хасково"),
        code="foreign",
        names={"bg": "Чужда"},
    )
    data = _record_post(checklist, **{"finding-0-item": str(foreign.pk)})
    response = client_for(methodologist).post(
        f"/help/visits/{planned_visit.pk}/record/", data
    )
    assert response.status_code == 200
    errors = response.context["findings_formset"].non_form_errors().as_data()
    assert [e.code for e in errors] == ["unknown_item"]
    assert not Finding.objects.exists()


def test_a_later_date_is_refused_while_a_recommendation_is_due_before_it(
    methodologist, visit
):
    with pytest.raises(DomainError) as refused:
        services.record_visit(
            actor=methodologist,
            visit=visit,
            visited_on=datetime.date(2026, 4, 15),
            met_with="",
            summary="",
            findings=[],
            recommendations=[],
        )
    assert refused.value.field == "visited_on"
    assert "Да се подменят два компютъра." in refused.value.message
    visit.refresh_from_db()
    assert visit.visited_on == datetime.date(2026, 3, 10)
    assert visit.findings.count() == 6


def test_re_recording_removes_the_findings_not_posted_and_audits_it(
    methodologist, visit, checklist
):
    services.record_visit(
        actor=methodologist,
        visit=visit,
        visited_on=visit.visited_on,
        met_with=visit.met_with,
        summary=visit.summary,
        findings=[FindingInput(item=item, rating="poor") for item in checklist[:2]],
        recommendations=[],
    )
    assert {f.item_id: f.rating for f in visit.findings.all()} == {
        checklist[0].pk: "poor",
        checklist[1].pk: "poor",
    }
    entry = AuditEntry.objects.filter(action="visit.recorded").latest("id")
    assert entry.changes["findings_removed"]["before"] == sorted(
        item.code for item in checklist[2:]
    )


def test_a_retired_checklist_item_keeps_its_finding_when_the_record_is_corrected(
    client_for, methodologist, visit, checklist
):
    retired = checklist[-1]
    ChecklistItem.objects.filter(pk=retired.pk).update(active=False)
    client = client_for(methodologist)
    response = client.get(f"/help/visits/{visit.pk}/record/")
    rows = response.context["findings_formset"].initial
    assert retired.pk in [row["item"] for row in rows]


def test_a_recommendation_saved_unchanged_is_not_audited(methodologist, visit):
    recommendation = visit.recommendations.first()
    services.update_recommendation(
        actor=methodologist,
        recommendation=recommendation,
        status=recommendation.status,
        progress_note=recommendation.progress_note,
    )
    assert not AuditEntry.objects.filter(action="recommendation.changed").exists()


def test_a_planned_or_cancelled_visit_has_no_report(
    client_for, methodologist, planned_visit
):
    client = client_for(methodologist)
    assert client.get(f"/help/visits/{planned_visit.pk}/report.pdf").status_code == 404
    services.cancel_visit(actor=methodologist, visit=planned_visit)
    assert client.get(f"/help/visits/{planned_visit.pk}/report.pdf").status_code == 404


def test_the_visit_tables_have_captions(client_for, methodologist, visit):
    client = client_for(methodologist)
    detail = client.get(f"/help/visits/{visit.pk}/").content.decode()
    assert detail.count("<caption") == 2
    assert "<caption" in client.get("/help/visits/").content.decode()
    assert "<caption" in client.get("/help/recommendations/").content.decode()
