"""Webhook work for the task worker. Tasks take ids; the delivery table, not the queue, is the source of truth.

Delivery tasks go to `WEBHOOKS_TASK_BACKEND`: the database queue drained by `run_worker` by default, the RQ
backend when REDIS_URL is set (any number of `rqworker` processes). The periodic sweep always runs from
`run_worker`, which every deployment has for Wagtail's scheduled publishing.
"""

from datetime import datetime

from django.conf import settings
from django_tasks import task

from integrations.webhooks import services


def enqueue(task_, *args, run_after: datetime | None = None):
    """Enqueue on the configured webhook backend (read at call time so settings changes apply)."""
    return task_.using(backend=settings.WEBHOOKS_TASK_BACKEND, run_after=run_after).enqueue(*args)


@task()
def drain() -> int:
    """Deliver whatever is runnable. Enqueued after each commit that wrote deliveries, for each retry (run_after),
    and by the sweep; surplus wake-ups find nothing to do and cost one query."""
    return services.deliveries_drain()


@task()
def sweep() -> dict:
    """Recover stuck and lost deliveries, prune the log. Enqueued by run_worker every --schedule-interval."""
    return {"recovered": services.deliveries_recover(), "pruned": services.delivery_log_prune()}
