"""The task worker: Django Tasks' database worker plus the periodic work Wagtail expects a cron for.

django-tasks-db has no periodic tasks, and Wagtail's scheduled publishing (go-live / expiry) needs
`publish_scheduled` to run regularly, so this loop enqueues it every `--schedule-interval` seconds and then
drains the queue with the stock worker. The same beat enqueues the webhook sweep (stuck and lost deliveries, log
pruning), closes task rows a killed worker left running and enqueues the apps' own sweeps named in
WORKER_PERIODIC_TASKS (the platform imports no content app). Several workers may run: the queue hands each task
to one of them.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker

from cms.tasks import abandoned_tasks_close, publish_scheduled_pages
from integrations.webhooks.tasks import sweep as webhooks_sweep


class Command(BaseCommand):
    help = "Run background tasks and scheduled publishing until stopped (or once, with --once)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between queue polls.")
        parser.add_argument(
            "--schedule-interval",
            type=float,
            default=60.0,
            help="Seconds between scheduled-publishing runs (default 60).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue scheduled publishing, run every ready task, then exit.",
        )

    def handle(self, *, interval, schedule_interval, once, **options):
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        every = timedelta(seconds=schedule_interval)
        last_scheduled_run = None
        while worker.running:
            if last_scheduled_run is None or timezone.now() - last_scheduled_run >= every:
                publish_scheduled_pages.enqueue()
                # Webhooks: re-claim deliveries a killed worker left running, re-enqueue lost ones, prune the log.
                webhooks_sweep.enqueue()
                abandoned_tasks_close.enqueue()
                for path in settings.WORKER_PERIODIC_TASKS:
                    import_string(path).enqueue()
                last_scheduled_run = timezone.now()
            worker.run()
            if once:
                return
            time.sleep(interval)
