"""Webhook work for the task worker. Tasks take ids; the delivery table, not the queue, is the source of truth.

Delivery tasks go to `WEBHOOKS_TASK_BACKEND`: the database queue drained by `run_worker` by default, the RQ
backend when REDIS_URL is set (any number of `rqworker` processes). The periodic sweep always runs from
`run_worker`, which every deployment has for Wagtail's scheduled publishing.
"""

import logging
from datetime import datetime

from django.conf import settings
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task

from integrations.webhooks import services

logger = logging.getLogger(__name__)


def enqueue(task_, *args, run_after: datetime | None = None):
    """Enqueue on the configured webhook backend (read at call time so settings changes apply); never raises.

    Every webhook task is a wake-up call for work already recorded in the delivery table, so a backend that cannot
    take it (Redis down) must not fail the publish that committed that work: the task falls back to the database
    queue (run_worker drains it), and failing that is dropped with a warning: the sweep finds the work anyway.
    """
    backend = settings.WEBHOOKS_TASK_BACKEND
    try:
        return task_.using(backend=backend, run_after=run_after).enqueue(*args)
    except Exception:
        logger.warning("could not enqueue %s on the %r task backend", task_.name, backend, exc_info=True)
    if backend != DEFAULT_TASK_BACKEND_ALIAS:
        try:
            return task_.using(backend=DEFAULT_TASK_BACKEND_ALIAS, run_after=run_after).enqueue(*args)
        except Exception:
            logger.warning("could not enqueue %s on the default task backend either", task_.name, exc_info=True)
    return None


@task()
def drain() -> int:
    """Deliver whatever is runnable. Enqueued after each commit that wrote deliveries, for each retry (run_after),
    and by the sweep; surplus wake-ups find nothing to do and cost one query."""
    return services.deliveries_drain()


@task()
def sweep() -> dict:
    """Recover stuck and lost deliveries, prune the log. Enqueued by run_worker every --schedule-interval."""
    return {"recovered": services.deliveries_recover(), "pruned": services.delivery_log_prune()}
