"""/healthz: a JSON summary of the database, the task queue and media storage, 503 when any of them fails."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.tasks import abandoned_tasks_close, publish_scheduled_pages

pytestmark = pytest.mark.django_db

INTERNALS = ("Traceback", "Errno", 'File "', "/site-packages/", "SELECT", "django_tasks", "DBTaskResult")


def assert_no_internals(response, *secrets: str) -> None:
    body = response.content.decode()
    for text in (*INTERNALS, *secrets):
        assert text not in body, f"{text!r} leaked into /healthz output"


def unwritable_storages(tmp_path):
    """STORAGES whose default backend cannot write: its location lies under a regular file, which fails even
    for root (chmod does not stop root)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where the media directory should be")
    location = str(blocker / "media")
    return location, {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["task_queue"]["ok"] is True
    assert body["storage"]["ok"] is True
    assert body["task_queue"]["ready"] == 0
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_storage_check_leaves_no_files_behind(client, settings, tmp_path):
    media = tmp_path / "media"
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["storage"]["ok"] is True
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_unwritable_storage_is_503(client, tmp_path):
    location, storages = unwritable_storages(tmp_path)
    with override_settings(STORAGES=storages):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["storage"]["ok"] is False
    assert body["database"]["ok"] is True
    assert body["task_queue"]["ok"] is True
    assert_no_internals(response, location, str(tmp_path))


def test_healthy_again_once_storage_is_back(client, tmp_path):
    _, storages = unwritable_storages(tmp_path)
    with override_settings(STORAGES=storages):
        assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200


def backdate_oldest_ready(seconds: float) -> None:
    DBTaskResult.objects.ready().update(enqueued_at=timezone.now() - timedelta(seconds=seconds))


@override_settings(WORKER_STALL_SECONDS=60)
def test_recent_backlog_is_healthy(client):
    publish_scheduled_pages.enqueue()
    backdate_oldest_ready(30)

    response = client.get("/healthz")

    assert response.status_code == 200
    queue = response.json()["task_queue"]
    assert queue["ok"] is True
    assert queue["ready"] == 1
    assert 29 <= queue["oldest_ready_seconds"] <= 60


@override_settings(WORKER_STALL_SECONDS=60)
def test_stalled_worker_is_503(client):
    result = publish_scheduled_pages.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(seconds=120))

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["task_queue"]["ok"] is False
    assert "worker" in body["task_queue"]["error"]  # says what to look at
    assert body["database"]["ok"] is True
    assert body["storage"]["ok"] is True
    assert_no_internals(response, "cms.tasks", "publish_scheduled_pages", str(result.id))


@override_settings(WORKER_STALL_SECONDS=600)
def test_stall_threshold_comes_from_settings(client):
    publish_scheduled_pages.enqueue()
    backdate_oldest_ready(360)
    assert client.get("/healthz").status_code == 200
    backdate_oldest_ready(660)
    assert client.get("/healthz").status_code == 503


def test_post_is_not_allowed(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_other_write_methods_are_not_allowed(client):
    for method in (client.put, client.delete, client.patch):
        assert method("/healthz").status_code == 405


def running_since(seconds_ago: float) -> str:
    result = publish_scheduled_pages.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(seconds=seconds_ago), worker_ids=["killed"]
    )
    return result.id


@override_settings(TASK_ABANDONED_AFTER_SECONDS=3600)
def test_task_rows_a_killed_worker_left_running_are_closed_and_no_longer_counted(client):
    abandoned, busy = running_since(2 * 3600), running_since(60)
    assert client.get("/healthz").json()["task_queue"]["running"] == 2

    closed = abandoned_tasks_close.call()

    assert closed == 1
    assert DBTaskResult.objects.get(id=abandoned).status == "FAILED"
    assert "worker was killed" in DBTaskResult.objects.get(id=abandoned).traceback
    assert DBTaskResult.objects.get(id=busy).status == "RUNNING"  # a task still within its time keeps running
    assert client.get("/healthz").json()["task_queue"]["running"] == 1
