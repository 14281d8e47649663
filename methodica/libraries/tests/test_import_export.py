"""Register export and import, including every kind of bad file."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from methodica.core.models import AuditEntry
from methodica.libraries.models import Library, RegisterImport
from tests.factories import SettlementFactory

HEADERS = [
    "Наименование",
    "Тип",
    "Община",
    "Населено място",
    "Рег. номер на читалището",
    "Телефон",
    "Година на основаване",
]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("register.xlsx", buffer.getvalue())


def upload_and_preview(client, upload):
    response = client.post("/libraries/import/", {"file": upload})
    if response.status_code != 302:
        return response, None
    register_import = RegisterImport.objects.latest("created_at")
    mapping = {
        f"col_{i}": key
        for i, key in enumerate(
            register_import.mapping.get(h, "") for h in register_import.headers
        )
    }
    response = client.post(f"/libraries/import/{register_import.pk}/mapping/", mapping)
    return response, register_import


@pytest.fixture
def villages(municipality, other_municipality):
    SettlementFactory(municipality=municipality, name="Енина", kind="village")
    SettlementFactory(municipality=other_municipality, name="Зетьово", kind="village")


@pytest.mark.django_db
def test_a_clean_file_is_previewed_then_written_on_confirmation(
    client_for, district_admin, villages
):
    client = client_for(district_admin)
    upload = xlsx(
        [
            [
                "НЧ „Искра – 1880“",
                "читалищна",
                "Казанлък",
                "с. Енина",
                "D-500",
                "0431 1",
                1880,
            ],
            ["НЧ „Зора – 1904“", "читалищна", "Чирпан", "Зетьово", "D-501", "", ""],
        ]
    )
    response, register_import = upload_and_preview(client, upload)
    assert response.status_code == 302
    register_import.refresh_from_db()
    assert register_import.preview["counts"] == {
        "create": 2,
        "update": 0,
        "unchanged": 0,
        "error": 0,
    }
    assert not Library.objects.filter(
        chitalishte_number__in=["D-500", "D-501"]
    ).exists()
    response = client.post(f"/libraries/import/{register_import.pk}/apply/")
    assert response.status_code == 302
    iskra = Library.objects.get(chitalishte_number="D-500")
    assert iskra.settlement.name == "Енина" and iskra.founded_year == 1880
    assert AuditEntry.objects.filter(action="library.created").count() == 2


@pytest.mark.django_db
def test_the_register_number_finds_the_library_to_update(
    client_for, district_admin, library
):
    upload = xlsx(
        [
            [
                library.name,
                "читалищна",
                "Казанлък",
                "Шейново",
                library.chitalishte_number,
                "0431 99 999",
                "",
            ]
        ]
    )
    client = client_for(district_admin)
    _response, register_import = upload_and_preview(client, upload)
    register_import.refresh_from_db()
    assert register_import.preview["counts"]["update"] == 1
    assert register_import.preview["rows"][0]["changes"]["phone"] == ["", "0431 99 999"]
    client.post(f"/libraries/import/{register_import.pk}/apply/")
    library.refresh_from_db()
    assert library.phone == "0431 99 999"
    assert Library.objects.count() == 1


@pytest.mark.django_db
def test_an_exported_register_imports_back_unchanged(
    client_for, district_admin, library, other_library
):
    client = client_for(district_admin)
    exported = client.get("/libraries/export.xlsx")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = SimpleUploadedFile("export.xlsx", exported.content)
    _response, register_import = upload_and_preview(client, upload)
    register_import.refresh_from_db()
    assert register_import.preview["counts"] == {
        "create": 0,
        "update": 0,
        "unchanged": 2,
        "error": 0,
    }


@pytest.mark.django_db
def test_bad_rows_are_listed_by_row_and_cell_and_nothing_is_written(
    client_for, district_admin, villages
):
    client = client_for(district_admin)
    before = Library.objects.count()
    upload = xlsx(
        [
            ["НЧ „Добър – 1900“", "читалищна", "Казанлък", "Енина", "D-1", "", ""],
            ["", "читалищна", "Казанлък", "Енина", "D-2", "", ""],
            ["НЧ „Ред 4“", "космическа", "Казанлък", "Енина", "D-3", "", "deset"],
            ["НЧ „Ред 5“", "читалищна", "Атлантида", "Енина", "D-4", "", ""],
            ["НЧ „Ред 6“", "читалищна", "Казанлък", "Енина", "D-1", "", ""],
            ["НЧ „Ред 7“", "читалищна", "Казанлък", "Зетьово", "D-7", "", ""],
        ]
    )
    _response, register_import = upload_and_preview(client, upload)
    register_import.refresh_from_db()
    rows = {row["number"]: row for row in register_import.preview["rows"]}
    assert (
        rows[3]["errors"]
        == [{"column": "Наименование", "message": "Стойността е задължителна."}]
        or rows[3]["errors"][0]["column"] == "Наименование"
    )
    columns_4 = {error["column"] for error in rows[4]["errors"]}
    assert columns_4 == {"Тип", "Година на основаване"}
    assert (
        rows[5]["errors"][0]["column"] == "Община"
        and "Атлантида" in rows[5]["errors"][0]["message"]
    )
    assert (
        rows[2]["action"] == rows[6]["action"] == "error"
    )  # the duplicate D-1, both rows
    assert rows[7]["errors"][0]["column"] == "Населено място"
    page = client.get(
        f"/libraries/import/{register_import.pk}/preview/"
    ).content.decode()
    assert (
        "Атлантида" in page
        and "apply" not in page.split("<main")[1].split("</form>")[0]
    )
    response = client.post(f"/libraries/import/{register_import.pk}/apply/")
    assert response.status_code == 302
    assert Library.objects.count() == before


@pytest.mark.django_db
def test_missing_required_columns_are_named(client_for, district_admin):
    client = client_for(district_admin)
    _response, register_import = upload_and_preview(
        client, xlsx([["НЧ"]], headers=["Наименование"])
    )
    response = client.post(
        f"/libraries/import/{register_import.pk}/mapping/", {"col_0": "name"}
    )
    assert response.status_code == 200
    assert "Община" in response.content.decode()
    register_import.refresh_from_db()
    assert register_import.state == "uploaded"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("register.xlsx", b"%PDF-1.4 not a spreadsheet \x00\x01\x02", "не е таблица"),
        ("register.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        ("register.xlsx", b"", "празен"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(
    client_for, district_admin, name, content, message
):
    response = client_for(district_admin).post(
        "/libraries/import/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RegisterImport.objects.exists()


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(client_for, district_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    response = client_for(district_admin).post(
        "/libraries/import/", {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue())}
    )
    assert "zip" in response.content.decode()
    assert not RegisterImport.objects.exists()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_unpacked(client_for, district_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (120 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    response = client_for(district_admin).post(
        "/libraries/import/",
        {"file": SimpleUploadedFile("bomb.xlsx", buffer.getvalue())},
    )
    assert "100 MB" in response.content.decode()
    assert not RegisterImport.objects.exists()


@pytest.mark.django_db
def test_an_oversized_upload_is_refused(client_for, district_admin, settings):
    settings.METHODICA_MAX_UPLOAD_BYTES = 2048
    response = client_for(district_admin).post(
        "/libraries/import/", {"file": SimpleUploadedFile("big.csv", b"a,b\n" * 2000)}
    )
    assert "MB" in response.content.decode()
    assert not RegisterImport.objects.exists()


def _with_entity(workbook: bytes, part: str, secret) -> bytes:
    """The workbook with ``part`` declaring and using an external entity."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                doctype = f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
                if data.startswith(b"<?xml"):
                    end = data.index(b"?>") + 2
                    data = data[:end] + doctype.encode() + data[end:]
                else:
                    data = doctype.encode() + data
                data = data.replace(b"XXE-HERE", b"&e;", 1)
            archive.writestr(item, data)
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_an_external_entity_in_the_workbook_is_refused(
    client_for, district_admin, tmp_path, part
):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Наименование", "Община"])
    if part.endswith("sheet1.xml"):
        from openpyxl.cell.rich_text import (
            CellRichText,
        )  # inline strings, no sharedStrings

        sheet.append([CellRichText("XXE-HERE"), "Казанлък"])
    else:
        sheet.append(["XXE-HERE", "Казанлък"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    hostile = _with_entity(buffer.getvalue(), part, secret)
    changed = zipfile.ZipFile(io.BytesIO(hostile)).read(part)
    assert changed.startswith(b"<!DOCTYPE x [<!ENTITY e SYSTEM")
    if part.endswith("sheet1.xml"):
        assert b"<t>&e;</t>" in changed
    response = client_for(district_admin).post(
        "/libraries/import/", {"file": SimpleUploadedFile("xxe.xlsx", hostile)}
    )
    page = response.content.decode()
    assert "TOP-SECRET" not in page
    assert "не може да бъде прочетена" in page or "could not be read" in page
    assert not RegisterImport.objects.exists()


@pytest.mark.django_db
def test_a_csv_in_windows_1251_with_semicolons_is_read(
    client_for, district_admin, villages
):
    text = (
        "Наименование;Тип;Община;Населено място\nНЧ „Искра“;читалищна;Казанлък;Енина\n"
    )
    _response, register_import = upload_and_preview(
        client_for(district_admin), SimpleUploadedFile("r.csv", text.encode("cp1251"))
    )
    register_import.refresh_from_db()
    assert register_import.preview["counts"]["create"] == 1


@pytest.mark.django_db
def test_only_an_administrator_imports(client_for, methodologist, reporter):
    assert client_for(methodologist).get("/libraries/import/").status_code == 403
    assert client_for(reporter).get("/libraries/import/").status_code == 403


@pytest.mark.django_db
def test_the_csv_export_cannot_smuggle_formulas(client_for, methodologist, library):
    Library.objects.filter(pk=library.pk).update(
        address='=HYPERLINK("http://evil")', phone="+359 431 62 222"
    )
    body = b"".join(
        client_for(methodologist).get("/libraries/export.csv").streaming_content
    )
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Адрес"] == '\'=HYPERLINK("http://evil")'
    assert cells["Телефон"] == "+359 431 62 222"  # a phone number is left alone


@pytest.mark.django_db
def test_an_exported_csv_imports_back_unchanged(client_for, district_admin, library):
    Library.objects.filter(pk=library.pk).update(
        address="=1+1", phone="+359 431 1", website="https://example.org/"
    )
    client = client_for(district_admin)
    body = b"".join(client.get("/libraries/export.csv").streaming_content)
    _response, register_import = upload_and_preview(
        client, SimpleUploadedFile("export.csv", body)
    )
    register_import.refresh_from_db()
    assert register_import.preview["counts"] == {
        "create": 0,
        "update": 0,
        "unchanged": 1,
        "error": 0,
    }


@pytest.mark.django_db
def test_apply_without_a_preview_is_refused(client_for, district_admin, villages):
    client = client_for(district_admin)
    client.post(
        "/libraries/import/",
        {
            "file": xlsx(
                [["НЧ „Искра“", "читалищна", "Казанлък", "Енина", "D-1", "", ""]]
            )
        },
    )
    register_import = RegisterImport.objects.get()
    response = client.post(
        f"/libraries/import/{register_import.pk}/apply/", follow=True
    )
    assert (
        "Прегледайте" in response.content.decode()
        or "preview" in response.content.decode()
    )
    assert not Library.objects.filter(chitalishte_number="D-1").exists()


@pytest.mark.django_db
def test_over_long_values_are_caught_in_the_preview(
    client_for, district_admin, villages
):
    _response, register_import = upload_and_preview(
        client_for(district_admin),
        xlsx(
            [["НЧ " + "Я" * 400, "читалищна", "Казанлък", "Енина", "D-1", "0" * 60, ""]]
        ),
    )
    register_import.refresh_from_db()
    errors = register_import.preview["rows"][0]["errors"]
    assert {error["column"] for error in errors} == {"Наименование", "Телефон"}


@pytest.mark.django_db
def test_a_new_library_needs_its_type(client_for, district_admin, villages):
    _response, register_import = upload_and_preview(
        client_for(district_admin),
        xlsx([["НЧ „Искра“", "", "Казанлък", "Енина", "D-1", "", ""]]),
    )
    register_import.refresh_from_db()
    assert register_import.preview["rows"][0]["errors"][0]["column"] == "Тип"


@pytest.mark.django_db
def test_a_number_of_another_district_is_refused(client_for, district_admin, villages):
    from tests.factories import DistrictFactory, LibraryFactory, MunicipalityFactory

    elsewhere = MunicipalityFactory(
        district=DistrictFactory(name="Хасково", code="HKV")
    )
    LibraryFactory(
        settlement=SettlementFactory(municipality=elsewhere), chitalishte_number="D-1"
    )
    _response, register_import = upload_and_preview(
        client_for(district_admin),
        xlsx([["НЧ „Искра“", "читалищна", "Казанлък", "Енина", "D-1", "", ""]]),
    )
    register_import.refresh_from_db()
    assert register_import.preview["counts"]["error"] == 1


@pytest.mark.django_db
def test_a_register_changed_since_the_preview_asks_for_a_new_look(
    client_for, district_admin, library
):
    client = client_for(district_admin)
    _response, register_import = upload_and_preview(
        client,
        xlsx(
            [
                [
                    library.name,
                    "читалищна",
                    "Казанлък",
                    "Шейново",
                    library.chitalishte_number,
                    "0431 1",
                    "",
                ]
            ]
        ),
    )
    Library.objects.filter(pk=library.pk).update(phone="0431 1")
    client.post(f"/libraries/import/{register_import.pk}/apply/")
    register_import.refresh_from_db()
    assert register_import.state == "previewed"


@pytest.mark.django_db
def test_settlement_prefixes_are_only_words(district, municipality):
    from methodica.libraries.importing import _settlement_name

    assert _settlement_name("Градина") == "градина"
    assert _settlement_name("гр. Казанлък") == "казанлък"
    assert _settlement_name("с.Енина") == "енина"
    assert _settlement_name("село Енина") == "енина"


@pytest.mark.django_db
def test_a_reporter_exports_nothing(client_for, reporter):
    assert client_for(reporter).get("/libraries/export.csv").status_code == 403
