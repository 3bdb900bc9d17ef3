"""Project-wide background tasks and the state of the task queue."""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task()
def publish_scheduled_pages() -> None:
    """Publish pages whose go-live time has come and unpublish expired ones (Wagtail's own command)."""
    call_command("publish_scheduled", verbosity=0)


def task_queue_state() -> dict:
    """Backlog figures for /healthz; a backlog older than WORKER_STALL_SECONDS means no worker is running."""
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    stall_after = getattr(settings, "WORKER_STALL_SECONDS", 300)
    if waited > stall_after:
        raise TimeoutError(f"oldest ready task has waited {waited:.0f}s")
    return {
        "ready": ready.count(),
        "running": DBTaskResult.objects.running().count(),
        "oldest_ready_seconds": round(waited, 1),
    }


def scheduled_publishing_due(last_run, interval: timedelta) -> bool:
    return last_run is None or timezone.now() - last_run >= interval
