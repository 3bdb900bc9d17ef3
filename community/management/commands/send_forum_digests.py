"""Fold the forum-reply emails waiting for members who chose a daily digest into one email each.

Schedule it once a day (cron, a Kubernetes CronJob, systemd timer); see docs/operations.md. The digests go out
through the task queue like every notification, so `run_worker` must be running.
"""

from django.core.management.base import BaseCommand

from community.notifications import digests_send


class Command(BaseCommand):
    help = "Send each member who chose a daily forum digest one email listing the replies since the last digest."

    def handle(self, **options):
        written = digests_send()
        self.stdout.write(f"{written} digest(s) queued.")
