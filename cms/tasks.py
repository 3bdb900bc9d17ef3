"""Project-wide background tasks and the state of the task queue."""

from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

ABANDONED = "Abandoned: still running after TASK_ABANDONED_AFTER_SECONDS; its worker was killed or lost."


@task()
def publish_scheduled_pages() -> None:
    """Publish pages whose go-live time has come and unpublish expired ones (Wagtail's own command)."""
    call_command("publish_scheduled", verbosity=0)


@task()
def abandoned_tasks_close() -> int:
    """Mark failed the task rows a killed worker left RUNNING for ever (SIGKILL gives it no chance to say so).

    Bookkeeping only: the work those tasks did is recorded elsewhere (the webhook delivery table, the page tree)
    and re-found by the sweeps; without this /healthz's `running` count would grow with every killed worker.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TASK_ABANDONED_AFTER_SECONDS)
    return (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .update(status=TaskResultStatus.FAILED, finished_at=timezone.now(), traceback=ABANDONED)
    )


def task_queue_state() -> dict:
    """Backlog figures for /healthz."""
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {
        "ready": ready.count(),
        "running": DBTaskResult.objects.running().count(),
        "oldest_ready_seconds": round(waited, 1),
    }
