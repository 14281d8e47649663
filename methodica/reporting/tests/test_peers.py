from __future__ import annotations

import pytest

from methodica.reporting import services
from methodica.reporting.models import Report
from methodica.reporting.peers import peer_flags, size_class
from tests.factories import LibraryFactory, SettlementFactory
from tests.report_data import cells


def test_size_classes():
    assert [size_class(n) for n in (None, 499, 500, 1999, 2000, 10000)] == [
        0,
        0,
        1,
        1,
        2,
        3,
    ]


@pytest.mark.django_db
def test_a_report_far_from_comparable_libraries_is_flagged_for_the_reviewer(
    district_admin, methodologist, campaign, report, municipality, client_for
):
    settlement = SettlementFactory(municipality=municipality)
    for n in range(6):  # six comparable chitalishta with ~25 loans per user
        library = LibraryFactory(settlement=settlement)
        peer = Report.objects.create(campaign=campaign, library=library)
        services.save_report(
            report=peer,
            actor=district_admin,
            revision=0,
            cells=cells(
                {"loans_total": str(5200 + n * 40), "loans_books": str(4700 + n * 40)}
            ),
        )
        services.submit_report(report=peer, actor=district_admin, justifications={})
    # ours: the same library size, but 52,000 loans for 210 users
    services.save_report(
        report=report,
        actor=district_admin,
        revision=0,
        cells=cells(
            {"loans_total": "52000", "loans_books": "51500", "loans_children": "1500"}
        ),
    )
    services.submit_report(
        report=report, actor=district_admin, justifications={"change:loans_total": "—"}
    )
    flags = peer_flags(report)
    assert [flag.code for flag in flags] == ["loans_per_user", "turnover"]
    assert flags[0].peers == 7
    page = client_for(methodologist).get(f"/reports/{report.pk}/").content.decode()
    assert "Далеч от сходните библиотеки" in page
