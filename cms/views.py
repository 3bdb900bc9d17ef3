"""Operational endpoints."""

import uuid

from django.conf import settings
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


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check(_database), "task_queue": _check(_task_queue), "storage": _check(_storage)}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
