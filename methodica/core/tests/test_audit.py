from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from methodica.core.models import AuditEntry
from methodica.libraries import services


@pytest.mark.django_db
def test_a_change_records_who_when_and_before_and_after(methodologist, library):
    services.update_library(
        library=library, actor=methodologist, data={"phone": "0431 12345"}
    )
    entry = AuditEntry.objects.for_object(library).get()
    assert entry.actor == methodologist
    assert entry.action == "library.changed"
    assert entry.changes == {"phone": {"before": "", "after": "0431 12345"}}
    assert entry.library_id == library.pk
    assert entry.at is not None


@pytest.mark.django_db
def test_saving_without_a_change_records_nothing(methodologist, library):
    services.update_library(
        library=library, actor=methodologist, data={"phone": library.phone}
    )
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted_through_the_model(
    methodologist, library
):
    services.update_library(library=library, actor=methodologist, data={"phone": "1"})
    entry = AuditEntry.objects.get()
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.django_db
def test_the_database_refuses_to_rewrite_history(methodologist, library):
    services.update_library(library=library, actor=methodologist, data={"phone": "1"})
    for sql in (
        "UPDATE core_auditentry SET action = 'forged'",
        "DELETE FROM core_auditentry",
    ):
        with (
            pytest.raises(DatabaseError, match="audit entries cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEntry.objects.get().action == "library.changed"


@pytest.mark.django_db
def test_a_methodologist_reads_the_library_history_page(
    client_for, methodologist, library
):
    services.update_library(
        library=library, actor=methodologist, data={"phone": "0431 1"}
    )
    response = client_for(methodologist).get(f"/libraries/{library.pk}/history/")
    assert response.status_code == 200
    assert "0431 1" in response.content.decode()


@pytest.mark.django_db
def test_a_reporter_cannot_read_the_audit_log(client_for, reporter):
    assert client_for(reporter).get("/audit/").status_code == 403


@pytest.mark.django_db
def test_a_municipal_methodologist_reads_only_their_libraries_changes(
    client_for, municipal_methodologist, methodologist, library, other_library
):
    services.update_library(
        library=library, actor=methodologist, data={"phone": "111-home"}
    )
    services.update_library(
        library=other_library, actor=methodologist, data={"phone": "222-away"}
    )
    page = client_for(municipal_methodologist).get("/audit/").content.decode()
    assert "111-home" in page
    assert "222-away" not in page
