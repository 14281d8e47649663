from __future__ import annotations

import pytest

from methodica.core.models import AuditEntry
from methodica.libraries.models import Library
from tests.factories import LibraryFactory, SettlementFactory, StaffFactory
from tests.querycount import count_queries


@pytest.mark.django_db
def test_a_methodologist_sees_every_library_of_the_district(
    client_for, methodologist, library, other_library
):
    page = client_for(methodologist).get("/libraries/").content.decode()
    assert library.name in page and other_library.name in page


@pytest.mark.django_db
def test_a_reporter_sees_only_their_own_library(
    client_for, reporter, library, other_library
):
    page = client_for(reporter).get("/libraries/").content.decode()
    assert library.name in page
    assert other_library.name not in page


@pytest.mark.django_db
def test_a_reporter_cannot_open_another_librarys_page(
    client_for, reporter, other_library
):
    client = client_for(reporter)
    assert client.get(f"/libraries/{other_library.pk}/").status_code == 404
    assert client.get(f"/libraries/{other_library.pk}/edit/").status_code == 404
    response = client.post(f"/libraries/{other_library.pk}/edit/", {"phone": "hacked"})
    assert response.status_code == 404
    other_library.refresh_from_db()
    assert other_library.phone != "hacked"


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, library):
    response = client.get(f"/libraries/{library.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_register_filters_by_municipality_type_status_and_search(
    client_for, methodologist, library, other_library, municipality
):
    client = client_for(methodologist)
    page = client.get("/libraries/", {"municipality": municipality.pk}).content.decode()
    assert library.name in page and other_library.name not in page
    Library.objects.filter(pk=other_library.pk).update(status=Library.Status.CLOSED)
    page = client.get("/libraries/", {"status": "closed"}).content.decode()
    assert other_library.name in page and library.name not in page
    page = client.get("/libraries/", {"q": "Шейново"}).content.decode()
    assert library.name in page and other_library.name not in page
    page = client.get(
        "/libraries/", {"q": other_library.chitalishte_number}
    ).content.decode()
    assert other_library.name in page and library.name not in page
    page = client.get("/libraries/", {"type": "school"}).content.decode()
    assert library.name not in page and other_library.name not in page


@pytest.mark.django_db
def test_the_register_sorts_by_name_both_ways(
    client_for, methodologist, library, other_library
):
    client = client_for(methodologist)
    up = client.get("/libraries/", {"sort": "name"}).content.decode()
    down = client.get("/libraries/", {"sort": "-name"}).content.decode()
    assert up.index(other_library.name) < up.index(library.name)  # „П“ before „С“
    assert down.index(library.name) < down.index(other_library.name)


@pytest.mark.django_db
def test_htmx_asks_get_only_the_table(client_for, methodologist, library):
    response = client_for(methodologist).get("/libraries/", HTTP_HX_REQUEST="true")
    assert (
        b"<html" not in response.content and library.name.encode() in response.content
    )


@pytest.mark.django_db
def test_the_list_page_runs_the_same_number_of_queries_whatever_the_page_size(
    client_for, methodologist, municipality
):
    client = client_for(methodologist)
    settlement = SettlementFactory(municipality=municipality)
    LibraryFactory.create_batch(5, settlement=settlement)
    with count_queries() as few:
        assert client.get("/libraries/", {"size": 25}).status_code == 200
    LibraryFactory.create_batch(60, settlement=settlement)
    with count_queries() as many:
        assert client.get("/libraries/", {"size": 100}).status_code == 200
    assert len(few) > 0
    assert len(many) == len(few), many.statements


@pytest.mark.django_db
def test_a_methodologist_edits_a_library_and_the_change_is_audited(
    client_for, methodologist, library
):
    response = client_for(methodologist).post(
        f"/libraries/{library.pk}/edit/",
        {
            "name": "НЧ „Светлина – 1902“ (ново)",
            "library_type": "chitalishte",
            "municipality": library.municipality_id,
            "settlement": library.settlement_id,
            "chitalishte_number": library.chitalishte_number,
            "register_number": library.register_number,
            "phone": "0431 62 222",
            "email": "svetlina@example.org",
            "hours_mon": "09:00-17:00",
        },
    )
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.name.endswith("(ново)") and library.opening_hours == {
        "mon": "09:00-17:00"
    }
    entry = AuditEntry.objects.for_object(library).get()
    assert entry.changes["phone"] == {"before": "", "after": "0431 62 222"}


@pytest.mark.django_db
def test_wrong_opening_hours_are_refused_with_a_message_and_nothing_changes(
    client_for, methodologist, library
):
    response = client_for(methodologist).post(
        f"/libraries/{library.pk}/edit/",
        {
            "name": library.name,
            "library_type": "chitalishte",
            "municipality": library.municipality_id,
            "settlement": library.settlement_id,
            "phone": "0431 1",
            "hours_tue": "17:00-09:00",
        },
    )
    assert response.status_code == 200
    assert "17:00-09:00" in response.content.decode()
    library.refresh_from_db()
    assert library.phone == "" and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_reporter_edits_contacts_but_not_the_identity(client_for, reporter, library):
    client = client_for(reporter)
    form_page = client.get(f"/libraries/{library.pk}/edit/").content.decode()
    assert 'name="phone"' in form_page and 'name="register_number"' not in form_page
    response = client.post(
        f"/libraries/{library.pk}/edit/",
        {
            "phone": "0888 000 111",
            "register_number": "FORGED",
            "name": "Renamed",
        },
    )
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.phone == "0888 000 111"
    assert library.register_number != "FORGED" and library.name != "Renamed"


@pytest.mark.django_db
def test_staff_are_personal_data(
    client_for, methodologist, reporter, other_reporter, cataloguer, library
):
    StaffFactory(
        library=library, full_name="Демо Иванова", has_library_qualification=False
    )
    assert (
        "Демо Иванова"
        in client_for(methodologist).get(f"/libraries/{library.pk}/").content.decode()
    )
    assert (
        "Демо Иванова"
        in client_for(reporter).get(f"/libraries/{library.pk}/").content.decode()
    )
    assert (
        "Демо Иванова"
        not in client_for(cataloguer).get(f"/libraries/{library.pk}/").content.decode()
    )
    assert (
        client_for(other_reporter).get(f"/libraries/{library.pk}/").status_code == 404
    )


@pytest.mark.django_db
def test_a_reporter_adds_a_staff_member_to_their_library(client_for, reporter, library):
    response = client_for(reporter).post(
        f"/libraries/{library.pk}/staff/new/",
        {
            "full_name": "Демо Петрова",
            "position": "библиотекар",
            "fte": "0.5",
        },
    )
    assert response.status_code == 302
    member = library.staff.get()
    assert member.fte == pytest.approx(0.5) and not member.has_library_qualification
    assert AuditEntry.objects.filter(
        action="staff.created", library_id=library.pk
    ).exists()


@pytest.mark.django_db
def test_a_status_change_keeps_its_history(client_for, methodologist, library):
    client = client_for(methodologist)
    response = client.post(
        f"/libraries/{library.pk}/status/",
        {
            "status": "suspended",
            "effective_date": "2026-03-01",
            "reason": "ремонт на сградата",
        },
    )
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.status == "suspended"
    assert library.status_changes.first().reason == "ремонт на сградата"
    page = client.get(f"/libraries/{library.pk}/").content.decode()
    assert "ремонт на сградата" in page


@pytest.mark.django_db
def test_a_reporter_cannot_change_the_status(client_for, reporter, library):
    response = client_for(reporter).post(
        f"/libraries/{library.pk}/status/",
        {"status": "closed", "effective_date": "2026-03-01"},
    )
    assert response.status_code == 404
    library.refresh_from_db()
    assert library.status == "active"


@pytest.mark.django_db
def test_the_map_data_has_the_visible_libraries_only(
    client_for, reporter, library, other_library
):
    data = client_for(reporter).get("/libraries/map/libraries.geojson").json()
    assert [f["properties"]["id"] for f in data["features"]] == [library.pk]


@pytest.mark.django_db
def test_the_map_page_fetches_no_tile_when_none_is_configured(
    client_for, methodologist, settings
):
    settings.MAP_TILE_URL = ""
    page = client_for(methodologist).get("/libraries/map/").content.decode()
    assert 'data-tiles=""' in page and "leaflet.js" in page


@pytest.mark.django_db
def test_an_administrator_adds_a_library(client_for, district_admin, municipality):
    settlement = SettlementFactory(municipality=municipality, name="Бузовград")
    response = client_for(district_admin).post(
        "/libraries/new/",
        {
            "name": "НЧ „Развитие – 1907“",
            "library_type": "chitalishte",
            "municipality": municipality.pk,
            "settlement": settlement.pk,
            "chitalishte_number": "D-9999",
            "hours_wed": "10:00-12:00",
        },
    )
    assert response.status_code == 302
    library = Library.objects.get(chitalishte_number="D-9999")
    assert library.status == "active" and library.status_changes.count() == 1


@pytest.mark.django_db
def test_a_methodologist_cannot_add_a_library(client_for, methodologist):
    assert client_for(methodologist).get("/libraries/new/").status_code == 403


@pytest.mark.django_db
def test_a_settlement_of_another_municipality_is_refused(
    client_for, district_admin, municipality, other_library
):
    response = client_for(district_admin).post(
        "/libraries/new/",
        {
            "name": "X",
            "library_type": "chitalishte",
            "municipality": municipality.pk,
            "settlement": other_library.settlement_id,
        },
    )
    assert response.status_code == 200
    assert not Library.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_a_library_cannot_become_a_branch_of_its_own_branch(
    district_admin, library, other_library
):
    from django.core.exceptions import ValidationError

    from methodica.libraries import services

    Library.objects.filter(pk__in=[library.pk, other_library.pk]).update(
        library_type=Library.Type.MUNICIPAL
    )
    services.update_library(
        library=other_library, actor=district_admin, data={"parent": library}
    )
    with pytest.raises(ValidationError) as refused:
        services.update_library(
            library=library, actor=district_admin, data={"parent": other_library}
        )
    assert "parent" in refused.value.message_dict
    library.refresh_from_db()
    assert library.parent_id is None


@pytest.mark.django_db
def test_renaming_the_settlement_to_a_namesake_is_saved_and_audited(
    methodologist, library, municipality
):
    from methodica.libraries import services

    namesake = SettlementFactory(
        municipality=municipality, name=library.settlement.name
    )
    services.update_library(
        library=library, actor=methodologist, data={"settlement": namesake}
    )
    library.refresh_from_db()
    assert library.settlement_id == namesake.pk
    change = AuditEntry.objects.get().changes["settlement"]
    assert change["before"]["id"] != change["after"]["id"]
