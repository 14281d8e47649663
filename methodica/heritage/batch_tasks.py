"""The worker's side of batch ingest (see :mod:`methodica.heritage.batches`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_batch(batch_id: int) -> None:
    """Make the items of a batch, row by row; a stop is resumed later."""
    from methodica.heritage.batches import process_batch

    process_batch(batch_id)
