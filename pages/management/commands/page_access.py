"""`manage.py page_access [--check]`: compare every page's stored privacy decision with the rule derived from
scratch, list the pages that differ and repair them (`--check`: report only, and exit 1 when any differ)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Page, PageViewRestriction

from pages.access_store import drift
from pages.models import PageAccess


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report only; exit 1 when a decision differs.")

    def handle(self, *, check, **options):
        with transaction.atomic():
            differing = drift(Page, PageViewRestriction, PageAccess, repair=not check)
        for pk, stored, expected in differing:
            self.stdout.write(f"page {pk}: stored {stored}, expected {expected}")
        pages = Page.objects.count()
        if not differing:
            self.stdout.write(f"All {pages} pages' stored access decisions match the rule.")
        elif check:
            raise CommandError(f"{len(differing)} of {pages} pages' stored access decisions differ from the rule.")
        else:
            self.stdout.write(f"Repaired {len(differing)} of {pages} pages' stored access decisions.")
