"""`manage.py seed_demo [--volume N]`: the demo site from the program, idempotently; N extra items for benchmarks."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.forum import build_forum_demo
from demo.site import build_demo_site, build_volume


class Command(BaseCommand):
    help = "Create the CIT ASSIST demo site (safe to run again: existing content is left as it is)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--volume",
            type=int,
            default=0,
            metavar="N",
            help="Also generate N training events and N publications (for benchmarks).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off (demo users get random passwords).",
        )

    def handle(self, *, volume, allow_production, verbosity, **options):
        if volume < 0 or volume > 100_000:
            raise CommandError("--volume must be between 0 and 100000.")
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to add demo users and content with DEBUG off; pass --allow-production.")
        if verbosity < 2:  # Wagtail logs every publish at INFO; keep the credentials readable
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        report = build_demo_site()
        build_forum_demo(report)
        if volume:
            report.created += build_volume(volume, progress=verbosity > 0)
        if verbosity:
            self.stdout.write(
                f"Demo content: {len(report.created)} objects created"
                + (f", {len(report.updated)} brought up to date" if report.updated else "")
                + ("" if report.created or report.updated else " (everything was already there)")
            )
            if verbosity > 1:
                for line in report.created:
                    self.stdout.write(f"  + {line}")
                for line in report.updated:
                    self.stdout.write(f"  ~ {line}")
            self.stdout.write("\nDemo logins for /admin/ (saved in .demo-credentials):")
            for username, password, description in report.credentials:
                self.stdout.write(f"  {username:<10} {password:<24} {description}")
