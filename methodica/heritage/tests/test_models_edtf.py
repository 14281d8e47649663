import datetime

import pytest

from methodica.core.errors import DomainError
from methodica.heritage import edtf, services
from methodica.heritage.models import Item

D = datetime.date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1878", D(1878, 1, 1), D(1878, 12, 31)),
        ("1878-05", D(1878, 5, 1), D(1878, 5, 31)),
        ("1878-05-12", D(1878, 5, 12), D(1878, 5, 12)),
        ("1878?", D(1878, 1, 1), D(1878, 12, 31)),
        ("1878~", D(1878, 1, 1), D(1878, 12, 31)),
        ("189X", D(1890, 1, 1), D(1899, 12, 31)),
        ("18XX", D(1800, 1, 1), D(1899, 12, 31)),
        ("1878/1885", D(1878, 1, 1), D(1885, 12, 31)),
        ("1878-05/1878-06", D(1878, 5, 1), D(1878, 6, 30)),
        ("1900-02", D(1900, 2, 1), D(1900, 2, 28)),
        ("../1885", None, D(1885, 12, 31)),
        ("1878/", D(1878, 1, 1), None),
    ],
)
def test_an_edtf_date_gives_the_span_it_covers(text, start, end):
    value = edtf.parse(text)
    assert (value.start, value.end) == (start, end)


def test_qualifiers_are_kept():
    assert edtf.parse("1878?").uncertain and not edtf.parse("1878?").approximate
    assert edtf.parse("1878~").approximate
    assert edtf.parse("1878%").uncertain and edtf.parse("1878%").approximate


@pytest.mark.parametrize(
    "text",
    [
        "",
        "78",
        "1878-13",
        "1878-02-30",
        "1885/1878",
        "189X-05",
        "1878//1879",
        "../..",
        "май 1878",
        "0000",
        "1878-5-1",
    ],
)
def test_a_date_that_is_not_edtf_is_refused(text):
    with pytest.raises(edtf.EDTFError):
        edtf.parse(text)


def test_an_item_stores_its_sortable_period(cataloguer, district):
    item = services.create_item(
        actor=cataloguer,
        district=district,
        identifier="issue-1",
        values={"kind": Item.Kind.NEWSPAPER_ISSUE, "title": "Брой 1", "date": "189X"},
    )
    item.refresh_from_db()
    assert (item.date_start, item.date_end) == (D(1890, 1, 1), D(1899, 12, 31))


def test_a_bad_date_is_refused_with_a_message_and_nothing_is_written(
    cataloguer, district
):
    with pytest.raises(DomainError) as refused:
        services.create_item(
            actor=cataloguer,
            district=district,
            identifier="bad",
            values={"kind": Item.Kind.BOOK, "title": "Книга", "date": "1885/1878"},
        )
    assert refused.value.field == "date"
    assert "ends before it begins" in refused.value.message
    assert not Item.objects.exists()


def test_editing_an_item_is_audited_and_logged_as_metadata_changed(
    cataloguer, public_item
):
    from methodica.core.models import AuditEntry

    services.update_item(
        actor=cataloguer, item=public_item, values={"title": "Площадът, 1931"}
    )
    entry = AuditEntry.objects.filter(action="heritage_item.changed").get()
    assert entry.changes["title"] == {
        "before": "Площадът, 1930",
        "after": "Площадът, 1931",
    }
    event = public_item.preservation_events.get(type="metadata_changed")
    assert event.detail == {"fields": ["title"]}


def test_the_preservation_log_is_append_only_even_in_sql(cataloguer, public_item):
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    services.delete_item(actor=cataloguer, item=public_item, reason="дубликат")
    event = public_item.preservation_events.get(type="deleted")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM heritage_preservationevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "UPDATE heritage_preservationevent SET outcome = 'failure' WHERE id = %s",
            [event.pk],
        )


def test_a_reporter_cannot_describe_items(reporter, district):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_item(
            actor=reporter,
            district=district,
            identifier="x",
            values={"kind": Item.Kind.BOOK, "title": "x"},
        )


def test_a_partial_edit_keeps_the_period_of_the_date(cataloguer, district):
    item = services.create_item(
        actor=cataloguer,
        district=district,
        identifier="d1",
        values={"kind": Item.Kind.BOOK, "title": "Книга", "date": "1878~"},
    )
    services.update_item(actor=cataloguer, item=item, values={"title": "Книга II"})
    item.refresh_from_db()
    assert item.date_start == D(1878, 1, 1)


def test_only_a_newspaper_issue_belongs_to_a_newspaper(cataloguer, district):
    from methodica.heritage.models import Title

    title = Title.objects.create(name="Искра")
    with pytest.raises(DomainError, match="newspaper"):
        services.create_item(
            actor=cataloguer,
            district=district,
            identifier="n1",
            values={"kind": Item.Kind.BOOK, "title": "К", "newspaper": title},
        )
    issue = services.create_item(
        actor=cataloguer,
        district=district,
        identifier="n2",
        values={"kind": Item.Kind.NEWSPAPER_ISSUE, "title": "бр. 1"},
    )
    services.update_item(actor=cataloguer, item=issue, values={"newspaper": title})
    assert title.issues.get() == issue
