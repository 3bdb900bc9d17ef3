"""Operational endpoints."""

import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from cms.tasks import task_queue_state


class Unhealthy(Exception):
    """A problem the probe understood; its message is safe to show."""


def _check(probe) -> dict:
    try:
        return {"ok": True, **probe()}
    except Unhealthy as problem:
        return {"ok": False, "error": str(problem)}
    except Exception as exc:  # any other failure is the answer too: report its kind, never its internals
        return {"ok": False, "error": type(exc).__name__}


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _task_queue() -> dict:
    state = task_queue_state()
    if state["oldest_ready_seconds"] > settings.WORKER_STALL_SECONDS:
        raise Unhealthy(f"the oldest queued task has waited {state['oldest_ready_seconds']:.0f}s: is a worker running?")
    return {"backend": type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__, **state}


def _storage() -> dict:
    # A write + read + delete round trip: `exists()` alone passes on a read-only or full disk.
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned different bytes")
    finally:
        default_storage.delete(name)
    return {"backend": type(storages["default"]).__name__}


def _cache() -> dict:
    backend = caches["default"]
    if hasattr(backend, "ping"):  # cms.cache.TolerantRedisCache hides an outage from its callers, not from us
        backend.ping()
    else:
        key = f"healthz:{uuid.uuid4().hex}"
        backend.set(key, "ok", timeout=10)
        if backend.get(key) != "ok":
            raise Unhealthy("the cache did not keep a value")
        backend.delete(key)
    return {"backend": type(backend).__name__}


# Without these nothing works: a load balancer should stop sending traffic (503). Without the cache (Redis) the
# API keeps answering, only less protected and slower: "degraded", still 200, so the instance stays in rotation.
ESSENTIAL = ("database", "task_queue", "storage")


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _check(_database),
        "task_queue": _check(_task_queue),
        "storage": _check(_storage),
        "cache": _check(_cache),
    }
    if not all(checks[name]["ok"] for name in ESSENTIAL):
        status, code = "unavailable", 503
    elif not all(check["ok"] for check in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)
