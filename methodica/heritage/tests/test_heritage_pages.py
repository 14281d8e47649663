"""The staff pages: permission boundaries, forms, and a pinned query count."""

import pytest

from methodica.core.models import AuditEntry
from methodica.heritage.models import Collection, Item
from methodica.heritage.tests.conftest import make_item, png_bytes
from tests.querycount import count_queries


@pytest.mark.parametrize("who", ["outsider", "reporter", "methodologist"])
def test_only_cataloguers_open_the_catalogue(client_for, who, request):
    user = request.getfixturevalue(who)
    assert client_for(user).get("/heritage/").status_code == 403


def test_the_navigation_shows_local_history_to_cataloguers(
    client_for, cataloguer, reporter
):
    assert 'href="/heritage/"' in client_for(cataloguer).get("/libraries/").text
    assert 'href="/heritage/"' not in client_for(reporter).get("/libraries/").text


@pytest.mark.parametrize("who", ["outsider", "reporter", "other_reporter"])
def test_outsiders_and_reporters_never_see_restricted_items(
    client_for, who, request, staff_item, embargoed_item, unpublished_item, public_item
):
    client = client_for(request.getfixturevalue(who))
    for item in (staff_item, embargoed_item, unpublished_item):
        assert client.get(f"/heritage/items/{item.pk}/").status_code == 404
    assert client.get(f"/heritage/items/{public_item.pk}/").status_code == 200


def test_a_methodologist_may_see_a_staff_only_item_but_not_edit_it(
    client_for, methodologist, staff_item
):
    client = client_for(methodologist)
    assert client.get(f"/heritage/items/{staff_item.pk}/").status_code == 200
    assert client.get(f"/heritage/items/{staff_item.pk}/edit/").status_code == 404


def test_a_cataloguer_describes_an_item_through_the_form(
    client_for, cataloguer, district
):
    response = client_for(cataloguer).post(
        "/heritage/items/new/",
        {
            "identifier": "ms-chudomir-1",
            "kind": "manuscript",
            "title": "Писмо на Чудомир",
            "date": "1935~",
            "languages": ["bul"],
            "rights": "http://rightsstatements.org/vocab/InC/1.0/",
            "access": "staff_only",
        },
    )
    item = Item.objects.get(identifier="ms-chudomir-1")
    assert response.status_code == 302
    assert item.languages == ["bul"] and item.date_start.year == 1935
    assert AuditEntry.objects.filter(action="heritage_item.created").exists()


def test_a_bad_date_in_the_form_is_shown_and_nothing_is_saved(client_for, cataloguer):
    response = client_for(cataloguer).post(
        "/heritage/items/new/",
        {
            "identifier": "x",
            "kind": "book",
            "title": "К",
            "date": "през 1878",
            "rights": "http://rightsstatements.org/vocab/InC/1.0/",
            "access": "public",
        },
    )
    assert response.status_code == 200
    assert "is not a date such as" in response.text
    assert not Item.objects.exists()


def test_uploading_a_file_through_the_page(client_for, cataloguer, public_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(cataloguer)
    good = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    client.post(f"/heritage/items/{public_item.pk}/upload/", {"file": good})
    liar = SimpleUploadedFile("p.pdf", png_bytes(), content_type="application/pdf")
    response = client.post(
        f"/heritage/items/{public_item.pk}/upload/", {"file": liar}, follow=True
    )
    assert "its content is image/png" in response.text
    assert public_item.files.count() == 1
    page = client.get(f"/heritage/items/{public_item.pk}/")
    assert "p.png" in page.text and "Preservation log" in page.text


def test_deleting_an_item_through_the_page(client_for, cataloguer, public_item):
    client = client_for(cataloguer)
    assert (
        client.post(
            f"/heritage/items/{public_item.pk}/delete/", {"reason": ""}
        ).status_code
        == 200
    )
    client.post(f"/heritage/items/{public_item.pk}/delete/", {"reason": "дубликат"})
    public_item.refresh_from_db()
    assert public_item.deleted_at is not None
    assert AuditEntry.objects.filter(action="heritage_item.deleted").count() == 1
    assert public_item.preservation_events.filter(type="deleted").count() == 1
    assert client.get(f"/heritage/items/{public_item.pk}/").status_code == 404


def test_collections_nest_and_their_set_names_are_unique(client_for, cataloguer):
    client = client_for(cataloguer)
    client.post(
        "/heritage/collections/new/",
        {"title": "Печат", "set_spec": "press", "public": "on"},
    )
    press = Collection.objects.get()
    client.post(
        "/heritage/collections/new/",
        {"title": "Искра", "set_spec": "iskra", "parent": press.pk},
    )
    response = client.post(
        "/heritage/collections/new/", {"title": "Друг", "set_spec": "press"}
    )
    assert response.status_code == 200 and Collection.objects.count() == 2
    assert response.context["form"].errors["set_spec"]
    assert AuditEntry.objects.filter(action="heritage_collection.created").count() == 2
    assert Collection.objects.get(set_spec="iskra").oai_set_spec() == "press:iskra"
    assert "Искра" in client.get("/heritage/collections/").text


def test_a_reporter_cannot_manage_collections(client_for, reporter):
    assert client_for(reporter).get("/heritage/collections/").status_code == 403
    assert client_for(reporter).get("/heritage/collections/new/").status_code == 404


def test_the_item_list_filters_and_runs_a_fixed_number_of_queries(
    client_for, cataloguer, district
):
    client = client_for(cataloguer)
    make_item(cataloguer, district, "a", kind="map")
    with count_queries() as few:
        client.get("/heritage/")
    for n in range(15):
        make_item(cataloguer, district, f"b{n}", kind="book")
    with count_queries() as many:
        client.get("/heritage/")
    assert len(few) == len(many)
    filtered = client.get("/heritage/", {"kind": "map"})
    assert len(filtered.context["page"].object_list) == 1


def test_editing_creators_in_the_form_keeps_the_other_credits(
    client_for, cataloguer, public_item
):
    from methodica.heritage import services
    from methodica.heritage.models import Authority

    author = Authority.objects.create(kind="person", name="Автор")
    editor = Authority.objects.create(kind="person", name="Редактор")
    depicted = Authority.objects.create(kind="person", name="Изобразен")
    services.update_item(
        actor=cataloguer,
        item=public_item,
        values={},
        credits=[(author, "creator"), (editor, "editor"), (depicted, "subject")],
    )
    new_author = Authority.objects.create(kind="person", name="Друг автор")
    response = client_for(cataloguer).post(
        f"/heritage/items/{public_item.pk}/edit/",
        {
            "kind": public_item.kind,
            "title": public_item.title,
            "rights": public_item.rights,
            "access": public_item.access,
            "published": "on",
            "creators": [new_author.pk],
        },
    )
    assert response.status_code == 302
    assert sorted((c.authority.name, c.role) for c in public_item.credits.all()) == [
        ("Друг автор", "creator"),
        ("Изобразен", "subject"),
        ("Редактор", "editor"),
    ]
