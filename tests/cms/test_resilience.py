"""The product fixes the fault suite (tests/faults) drove, each checked here without its services, in `make test`."""

import errno
import json

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django_tasks import task_backends
from redis.exceptions import ConnectionError as RedisConnectionError

from cms.cache import TolerantRedisCache
from cms.middleware import MESSAGE, AtomicWritesMiddleware, DatabaseUnavailableMiddleware
from cms.ratelimit import increment, window_hit
from integrations.webhooks import tasks
from media_library.storage import LocalStorage
from tests.helpers import free_port


def dead_redis_cache() -> TolerantRedisCache:
    return TolerantRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
    )


def test_redis_cache_down_falls_back_to_process_memory():
    cache = dead_redis_cache()
    assert cache.add("graphql:rate:ip:1", 0)
    assert cache.incr("graphql:rate:ip:1") == 1  # the rate limiter still counts
    cache.set("k", "v")
    assert cache.get("k") == "v"
    with pytest.raises(RedisConnectionError):  # /healthz sees the outage the others do not
        cache.ping()


def test_redis_cache_leaves_a_dead_redis_alone_for_a_while(monkeypatch):
    cache = dead_redis_cache()
    calls = []
    original = cache._cache.get_client
    monkeypatch.setattr(cache._cache, "get_client", lambda *a, **kw: calls.append(1) or original(*a, **kw))
    for _ in range(5):
        cache.get("k")
    assert len(calls) == 1  # one refused connection, then the local cache until BREAK_SECONDS pass


@pytest.mark.django_db
def test_healthz_is_degraded_not_down_without_the_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"] == {"ok": False, "error": "ConnectionError"}
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_webhook_wake_up_falls_back_to_the_database_queue(settings):
    settings.TASKS = settings.TASKS | {"webhooks": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/0"}}
    settings.WEBHOOKS_TASK_BACKEND = "webhooks"
    result = tasks.enqueue(tasks.drain)
    assert result is not None
    assert result.backend == "default"
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


def test_database_outage_is_a_clean_503():
    request = RequestFactory().get("/graphql/")
    response = DatabaseUnavailableMiddleware(lambda r: None).process_exception(
        request, OperationalError('connection to server at "127.0.0.1" failed: server closed the connection')
    )
    assert response.status_code == 503
    assert response["Retry-After"]
    assert json.loads(response.content) == {"errors": [{"message": MESSAGE}]}


@pytest.mark.django_db(transaction=True)
def test_a_failed_writing_request_leaves_no_writes(django_user_model):
    def view(request):
        django_user_model.objects.create(username="half-done")
        return HttpResponse(status=500)  # what an exception below the middleware becomes

    AtomicWritesMiddleware(view)(RequestFactory().post("/admin/pages/1/unpublish/"))
    assert not django_user_model.objects.filter(username="half-done").exists()


def test_a_full_disk_leaves_no_partial_file(tmp_path):
    storage = LocalStorage(location=str(tmp_path))

    class DiskFull(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"x" * 1024
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        storage.save("documents/report.csv", DiskFull(b"x" * 4096))
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_rate_counter_counts_from_one_in_each_window():
    cache.clear()
    assert [increment("test:counter", 60) for _ in range(3)] == [1, 2, 3]
    count, retry_after = window_hit("test:window", 86400)
    assert count == 1
    assert 1 <= retry_after <= 86400
    assert window_hit("test:window", 86400)[0] == 2
