"""Named actors, so that tests read as sentences.

The district has two municipalities with one library each: ``library`` (in
``municipality``) and ``other_library`` (in ``other_municipality``).
"""

from __future__ import annotations

import datetime

import pytest

from methodica.core.permissions import Role
from methodica.reporting import services as reporting_services
from methodica.reporting.models import Report
from tests.factories import (
    DistrictFactory,
    LibraryFactory,
    MunicipalityFactory,
    SettlementFactory,
    UserFactory,
    member,
)


@pytest.fixture(autouse=True, scope="session")
def _heritage_files_in_a_temporary_folder(tmp_path_factory):
    """No test writes masters, derivatives or batches into the real media folder
    (loading the demo district stores its local-history scans, for example)."""
    from django.core.files.storage import FileSystemStorage, storages
    from django.db.models import FileField

    from methodica.heritage import models as heritage

    storage = FileSystemStorage(location=tmp_path_factory.mktemp("heritage"))
    storages._storages["heritage"] = storage
    for model in (heritage.MasterFile, heritage.Page, heritage.IngestBatch):
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                field.storage = storage
    return storage


@pytest.fixture
def without_reports(monkeypatch):
    """The demo loader without its ten years of annual reports, which the demo's
    help, training and local history do not use: they cost minutes a load."""
    from methodica.libraries.demo import load as demo_load
    from methodica.reporting.demo import load_demo_reports

    monkeypatch.setattr(
        demo_load,
        "DEMO_EXTENSIONS",
        [e for e in demo_load.DEMO_EXTENSIONS if e is not load_demo_reports],
    )


@pytest.fixture
def district(db):
    return DistrictFactory()


@pytest.fixture
def municipality(district):
    return MunicipalityFactory(district=district, name="Казанлък")


@pytest.fixture
def other_municipality(district):
    return MunicipalityFactory(district=district, name="Чирпан")


@pytest.fixture
def library(municipality):
    settlement = SettlementFactory(municipality=municipality, name="Шейново")
    return LibraryFactory(settlement=settlement, name="НЧ „Светлина – 1902“")


@pytest.fixture
def other_library(other_municipality):
    settlement = SettlementFactory(municipality=other_municipality, name="Спасово")
    return LibraryFactory(settlement=settlement, name="НЧ „Пробуда – 1927“")


@pytest.fixture
def district_admin(district):
    return member(
        UserFactory(username="admin", first_name="Мария"), Role.DISTRICT_ADMIN, district
    )


@pytest.fixture
def methodologist(district):
    return member(UserFactory(username="methodologist"), Role.METHODOLOGIST, district)


@pytest.fixture
def municipal_methodologist(municipality):
    return member(UserFactory(username="kazanlak"), Role.METHODOLOGIST, municipality)


@pytest.fixture
def cataloguer(district):
    return member(UserFactory(username="cataloguer"), Role.CATALOGUER, district)


@pytest.fixture
def reporter(library):
    return member(UserFactory(username="reporter"), Role.REPORTER, library)


@pytest.fixture
def other_reporter(other_library):
    return member(UserFactory(username="other_reporter"), Role.REPORTER, other_library)


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client, signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- annual reports: the 2025 form, its open campaign, and the two libraries' reports


@pytest.fixture
def form(district_admin, district, library, other_library):
    return reporting_services.create_default_form(
        actor=district_admin, district=district, year=2025
    )


@pytest.fixture
def campaign(form, district_admin):
    return reporting_services.open_campaign(
        actor=district_admin, form=form, deadline=datetime.date(2099, 1, 31)
    )


@pytest.fixture
def report(campaign, library):
    return Report.objects.get(campaign=campaign, library=library)


@pytest.fixture
def other_report(campaign, other_library):
    return Report.objects.get(campaign=campaign, library=other_library)
