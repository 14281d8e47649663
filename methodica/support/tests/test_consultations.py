"""Logging consultations: the one-screen form, the list, editing, follow-ups, export."""

from __future__ import annotations

import datetime
import io

import pytest

from methodica.core.errors import DomainError
from methodica.core.models import AuditEntry
from methodica.support import services
from methodica.support.models import Consultation, Topic
from methodica.support.queries import parse_id
from methodica.support.tests.conftest import consultation_data
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db


def _post(lib, topic, **overrides):
    data = {
        "given_on": "2026-03-02",
        "library": lib.pk if lib else "",
        "person": "",
        "channel": "email",
        "topic": topic.pk if topic else "",
        "question": "Как се попълва дневникът?",
        "answer": "Ежедневно.",
        "minutes": "10",
        "read_level": "2",
    }
    data.update(overrides)
    return data


def test_ensure_defaults_seeds_topics_and_checklist_once(district):
    services.ensure_defaults(district)
    services.ensure_defaults(district)
    codes = list(Topic.objects.filter(district=district).values_list("code", flat=True))
    assert codes[:3] == ["cataloguing", "automation", "statistics"]
    assert len(codes) == 10
    assert district.visit_checklist.count() == 6
    topic = Topic.objects.get(district=district, code="statistics")
    assert topic.names["ru"] == "Статистика и отчёты"


def test_a_methodologist_logs_a_consultation_and_it_is_audited(
    client_for, methodologist, library, topics
):
    client = client_for(methodologist)
    response = client.post(
        "/help/consultations/new/", _post(library, topics["cataloguing"])
    )
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.library == library
    assert consultation.owner == methodologist
    assert consultation.channel == "email"
    entry = AuditEntry.objects.get(action="consultation.logged")
    assert entry.changes["minutes"]["after"] == 10


def test_the_form_remembers_the_last_channel_and_topic(
    client_for, methodologist, library, topics
):
    client = client_for(methodologist)
    response = client.post(
        "/help/consultations/new/",
        {**_post(library, topics["automation"], channel="social"), "another": "1"},
    )
    assert response.url == "/help/consultations/new/"
    form = client.get("/help/consultations/new/").context["form"]
    assert form.initial["channel"] == "social"
    assert form.initial["topic"] == topics["automation"].pk
    assert form.initial["given_on"] == datetime.date.today()


def test_a_consultation_for_a_person_is_logged_for_the_district(
    methodologist, district
):
    consultation = services.log_consultation(
        actor=methodologist,
        district=district,
        data=consultation_data(None, person="Студентка по библиотекознание"),
    )
    assert consultation.scope_ids().library_id is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minutes": "-5"}, "minutes"),
        ({"minutes": "100000"}, "minutes"),
        ({"question": "  "}, "question"),
        ({"library": "999999"}, "library"),
        ({"library": ""}, "library"),
    ],
)
def test_bad_input_gets_a_message_and_nothing_is_saved(
    client_for, methodologist, library, topics, overrides, field
):
    response = client_for(methodologist).post(
        "/help/consultations/new/", _post(library, topics["other"], **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Consultation.objects.exists()
    assert not AuditEntry.objects.filter(action="consultation.logged").exists()


def test_the_service_refuses_absurd_minutes_with_a_translated_message(
    methodologist, district, library
):
    with pytest.raises(DomainError) as refused:
        services.log_consultation(
            actor=methodologist,
            district=district,
            data=consultation_data(library, minutes=5000),
        )
    assert refused.value.field == "minutes"
    assert not Consultation.objects.exists()


def test_a_municipal_methodologist_cannot_log_for_another_municipality(
    municipal_methodologist, district, other_library
):
    with pytest.raises(DomainError) as refused:
        services.log_consultation(
            actor=municipal_methodologist,
            district=district,
            data=consultation_data(other_library),
        )
    assert refused.value.field == "library"
    assert not Consultation.objects.exists()


def test_a_municipal_methodologist_cannot_log_a_district_level_consultation(
    municipal_methodologist, district
):
    with pytest.raises(DomainError):
        services.log_consultation(
            actor=municipal_methodologist,
            district=district,
            data=consultation_data(None, person="Някой"),
        )


def test_a_reporter_cannot_log_consultations(client_for, reporter, library):
    assert client_for(reporter).get("/help/consultations/new/").status_code == 403


def test_editing_a_consultation_audits_the_diff(
    client_for, methodologist, consultation, library, topics
):
    response = client_for(methodologist).post(
        f"/help/consultations/{consultation.pk}/edit/",
        _post(library, topics["statistics"], minutes="45"),
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.minutes == 45
    entry = AuditEntry.objects.get(action="consultation.changed")
    assert entry.changes["minutes"] == {"before": 15, "after": 45}


def test_marking_a_follow_up_done(client_for, methodologist, district, library):
    consultation = services.log_consultation(
        actor=methodologist,
        district=district,
        data=consultation_data(library, follow_up=True),
    )
    client = client_for(methodologist)
    listing = client.get("/help/consultations/?pending=1")
    assert list(listing.context["page"]) == [consultation]
    client.post(f"/help/consultations/{consultation.pk}/followed-up/")
    consultation.refresh_from_db()
    assert consultation.follow_up_done_on == datetime.date.today()
    assert not list(client.get("/help/consultations/?pending=1").context["page"])
    with pytest.raises(DomainError):
        services.mark_follow_up_done(actor=methodologist, consultation=consultation)


def test_the_list_shows_counts_and_completeness(
    client_for, methodologist, district, library, consultation
):
    services.log_consultation(
        actor=methodologist, district=district, data=consultation_data(library)
    )
    response = client_for(methodologist).get("/help/consultations/")
    assert response.context["figures"] == {"total": 2, "complete": 1}
    assert "1 от 2 са с посочена тема и отделено време" in response.content.decode()


def test_the_list_filters_by_channel_and_municipality(
    client_for, methodologist, municipality, consultation, other_consultation
):
    client = client_for(methodologist)
    page = client.get(f"/help/consultations/?municipality={municipality.pk}")
    assert list(page.context["page"]) == [consultation]
    assert not list(client.get("/help/consultations/?channel=video").context["page"])


def test_a_reporter_sees_only_their_librarys_consultations(
    client_for,
    reporter,
    other_reporter,
    library,
    other_library,
    consultation,
    other_consultation,
):
    client = client_for(reporter)
    assert list(client.get("/help/consultations/").context["page"]) == [consultation]
    own = services.ask_question(actor=reporter, library=library, question="Наш?")
    other = services.ask_question(
        actor=other_reporter, library=other_library, question="Чужд?"
    )
    assert client.get(f"/help/questions/{own.pk}/").status_code == 200
    assert client.get(f"/help/questions/{other.pk}/").status_code == 404


def test_a_municipal_methodologist_sees_only_their_municipality(
    client_for, municipal_methodologist, district, consultation, other_consultation
):
    services.log_consultation(
        actor=consultation.owner,
        district=district,
        data=consultation_data(None, person="Читател"),
    )
    page = client_for(municipal_methodologist).get("/help/consultations/")
    assert list(page.context["page"]) == [consultation]


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, methodologist, district, library, other_library, topics
):
    client = client_for(methodologist)
    for lib in (library, other_library):
        services.log_consultation(
            actor=methodologist,
            district=district,
            data=consultation_data(lib, topic=topics["events"]),
        )
    client.get("/help/consultations/")
    with count_queries() as few:
        client.get("/help/consultations/")
    for _ in range(5):
        services.log_consultation(
            actor=methodologist,
            district=district,
            data=consultation_data(library, topic=topics["events"]),
        )
    with count_queries() as more:
        client.get("/help/consultations/")
    assert len(more) == len(few)


def test_the_filtered_list_exports_to_xlsx(
    client_for, methodologist, municipality, consultation, other_consultation
):
    import openpyxl

    response = client_for(methodologist).get(
        f"/help/consultations/export.xlsx?municipality={municipality.pk}"
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][2] == consultation.library.name


def test_a_reporter_cannot_export(client_for, reporter):
    assert (
        client_for(reporter).get("/help/consultations/export.xlsx").status_code == 403
    )


def _pending(methodologist, district, library):
    return services.log_consultation(
        actor=methodologist,
        district=district,
        data=consultation_data(library, follow_up=True),
    )


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("https://evil.example/steal", "/help/consultations/"),
        ("//evil.example/", "/help/consultations/"),
        ("foo", "/help/consultations/"),
        ("/help/consultations/?pending=1", "/help/consultations/?pending=1"),
        ("", "/help/consultations/"),
    ],
)
def test_marking_done_returns_only_to_an_address_on_this_site(
    client_for, methodologist, district, library, next_url, expected
):
    consultation = _pending(methodologist, district, library)
    response = client_for(methodologist).post(
        f"/help/consultations/{consultation.pk}/followed-up/", {"next": next_url}
    )
    assert response.status_code == 302
    assert response.url == expected


def test_unticking_the_follow_up_clears_its_date_and_audits_it(
    client_for, methodologist, district, library
):
    consultation = _pending(methodologist, district, library)
    services.mark_follow_up_done(actor=methodologist, consultation=consultation)
    services.update_consultation(
        actor=methodologist,
        consultation=consultation,
        data=consultation_data(library, follow_up=False),
    )
    consultation.refresh_from_db()
    assert consultation.follow_up_done_on is None
    entry = AuditEntry.objects.get(action="consultation.changed")
    assert entry.changes["follow_up_done_on"]["after"] is None
    assert entry.changes["follow_up"] == {"before": True, "after": False}


@pytest.mark.parametrize("days", [-400, 1])
def test_a_follow_up_date_before_the_consultation_or_in_the_future_is_refused(
    methodologist, district, library, days
):
    consultation = _pending(methodologist, district, library)
    with pytest.raises(DomainError) as refused:
        services.mark_follow_up_done(
            actor=methodologist,
            consultation=consultation,
            done_on=datetime.date.today() + datetime.timedelta(days=days),
        )
    assert refused.value.field == "done_on"
    consultation.refresh_from_db()
    assert consultation.follow_up_done_on is None
    assert not AuditEntry.objects.filter(action="consultation.followed_up").exists()


@pytest.mark.parametrize("value", ["²", "１２", "٣", "1²", "12345678901"])
def test_a_filter_id_in_other_digits_is_ignored(client_for, methodologist, value):
    assert parse_id(value) is None
    client = client_for(methodologist)
    for name in ("municipality", "library", "topic", "methodologist"):
        assert client.get(f"/help/consultations/?{name}={value}").status_code == 200
    for path in ("/help/visits/", "/help/recommendations/"):
        assert client.get(f"{path}?municipality={value}").status_code == 200


def test_text_starting_with_equals_is_exported_as_text(
    client_for, methodologist, district, library
):
    import openpyxl

    services.log_consultation(
        actor=methodologist,
        district=district,
        data=consultation_data(library, question='=HYPERLINK("http://x","y")'),
    )
    response = client_for(methodologist).get("/help/consultations/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=7)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'


def test_the_mark_done_buttons_have_distinct_accessible_names(
    client_for, methodologist, district, library, other_library
):
    _pending(methodologist, district, library)
    _pending(methodologist, district, other_library)
    page = client_for(methodologist).get("/help/consultations/").content.decode()
    hidden = '<span class="visually-hidden">: '
    labels = [part.split("</span>")[0] for part in page.split(hidden)[1:]]
    assert len(labels) == 2
    assert len(set(labels)) == 2
    assert library.name in labels[0] + labels[1]
    assert other_library.name in labels[0] + labels[1]


def test_a_reporter_opening_the_taxonomy_writes_nothing(client_for, reporter, district):
    from methodica.support.models import ChecklistItem

    assert client_for(reporter).get("/help/taxonomy/topics/").status_code == 403
    assert not Topic.objects.exists()
    assert not ChecklistItem.objects.exists()


def test_seeding_skips_codes_added_meanwhile(district):
    """Two first requests at once: the second insert of a code is skipped."""
    from unittest import mock

    Topic.objects.create(district=district, code="legal", names={"bg": "Право"})
    # The read sees no codes, as the second of two simultaneous first requests would.
    with mock.patch.object(Topic.objects, "filter") as read:
        read.return_value.values_list.return_value = []
        services.ensure_defaults(district)
    assert Topic.objects.filter(district=district, code="legal").count() == 1
    assert Topic.objects.get(code="legal").names == {"bg": "Право"}
