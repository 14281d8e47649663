from __future__ import annotations

import pytest
from django.utils import timezone

from methodica.core.worker import beat


@pytest.mark.django_db
def test_healthz_reports_the_database_and_no_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "ok"
    assert response.json()["worker"]["status"] == "down"


@pytest.mark.django_db
def test_healthz_sees_a_worker_that_beat_recently(client):
    beat("worker-1", timezone.now())
    worker = client.get("/healthz").json()["worker"]
    assert worker["status"] == "ok"
    assert worker["workers"] == 1


@pytest.mark.django_db
def test_a_missing_page_is_explained_in_bulgarian(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b'lang="bg"' in response.content and b"<main" in response.content
