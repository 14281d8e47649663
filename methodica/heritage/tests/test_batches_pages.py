"""Batch ingest pages: upload, the report, run, progress and roll back over HTTP."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from methodica.heritage import batches
from methodica.heritage.models import IngestBatch, Item
from methodica.heritage.tests import test_batches
from methodica.heritage.tests.conftest import jpeg_bytes
from methodica.heritage.tests.test_batches import clean_zip, row, upload, zip_bytes
from tests.querycount import count_queries

# The same fixtures as the services' tests.
batch_storage = test_batches.batch_storage
vocabulary = test_batches.vocabulary


def post_zip(client, data):
    return client.post(
        reverse("heritage:batch_new"),
        {"archive": SimpleUploadedFile("scans.zip", data)},
    )


def test_cataloguer_uploads_a_zip_and_sees_a_clean_report(
    client_for, cataloguer, vocabulary
):
    client = client_for(cataloguer)
    assert client.get(reverse("heritage:batch_new")).status_code == 200
    response = post_zip(client, clean_zip(2))
    batch = IngestBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("heritage:batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Run the batch" in page
    assert "master files are preservation copies" not in page  # nothing to roll back
    assert Item.objects.count() == 0


def test_an_invalid_batch_shows_each_cells_message_and_offers_to_skip(
    client_for, cataloguer, vocabulary
):
    client = client_for(cataloguer)
    rows = [row("ph-1"), row("ph-2", kind="statue")]
    files = {"scans/ph-1.jpg": jpeg_bytes(), "scans/ph-2.jpg": jpeg_bytes()}
    post_zip(client, zip_bytes(files, rows))
    batch = IngestBatch.objects.get()
    page = client.get(reverse("heritage:batch", args=[batch.pk])).content.decode()
    assert "Unknown kind “statue”" in page
    assert "skip the invalid ones" in page
    assert "Run the batch</button>" not in page


def test_a_zip_bomb_upload_is_refused_with_a_message(client_for, cataloguer, district):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.jpg", b"\0" * (10 * 1024 * 1024))
    response = post_zip(client_for(cataloguer), buffer.getvalue())
    assert response.status_code == 200
    assert "zip bomb" in response.content.decode()
    assert IngestBatch.objects.count() == 0


def test_running_queues_the_batch_and_progress_is_polled(
    client_for, cataloguer, district, vocabulary, django_capture_on_commit_callbacks
):
    batch = upload(cataloguer, district, clean_zip(2))
    client = client_for(cataloguer)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("heritage:batch_run", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == IngestBatch.Status.RUNNING
    progress = client.get(reverse("heritage:batch_progress", args=[batch.pk]))
    assert 'hx-trigger="every 3s"' in progress.content.decode()
    assert "0 of 2 rows done" in progress.content.decode()
    batches.process_batch(batch.pk)
    progress = client.get(reverse("heritage:batch_progress", args=[batch.pk]))
    assert "2 of 2 rows done" in progress.content.decode()
    assert progress["HX-Refresh"] == "true"


def test_roll_back_through_the_page_says_masters_are_kept(
    client_for, cataloguer, district, vocabulary
):
    batch = upload(cataloguer, district, clean_zip(2))
    batches.start_batch(actor=cataloguer, batch=batch)
    batches.process_batch(batch.pk)
    client = client_for(cataloguer)
    page = client.get(reverse("heritage:batch", args=[batch.pk])).content.decode()
    assert "master files are preservation copies" in page
    response = client.post(
        reverse("heritage:batch_roll_back", args=[batch.pk]), follow=True
    )
    assert "2 items withdrawn; their master files are kept." in (
        response.content.decode()
    )
    assert Item.objects.live().count() == 0


@pytest.mark.parametrize("who", ["reporter", "outsider"])
def test_reporter_and_outsider_cannot_open_or_run_a_batch(
    request, client_for, cataloguer, district, vocabulary, who
):
    batch = upload(cataloguer, district, clean_zip(1))
    client = client_for(request.getfixturevalue(who))
    for name in ("batches", "batch_new"):
        assert client.get(reverse(f"heritage:{name}")).status_code == 404
    for name in ("batch", "batch_progress"):
        url = reverse(f"heritage:{name}", args=[batch.pk])
        assert client.get(url).status_code == 404
    for name in ("batch_run", "batch_roll_back"):
        url = reverse(f"heritage:{name}", args=[batch.pk])
        assert client.post(url).status_code == 404
    batch.refresh_from_db()
    assert batch.status == IngestBatch.Status.CHECKED


def test_the_batch_page_runs_a_fixed_number_of_queries(
    client_for, cataloguer, district, vocabulary
):
    client = client_for(cataloguer)
    counts = []
    for size in (1, 6):
        batch = upload(cataloguer, district, clean_zip(size))
        with count_queries() as queries:
            client.get(reverse("heritage:batch", args=[batch.pk]))
        counts.append(len(queries))
        Item.objects.all().delete()
    assert counts[0] == counts[1]
    with count_queries() as queries:
        client.get(reverse("heritage:batches"))
    assert len(queries) <= 8
