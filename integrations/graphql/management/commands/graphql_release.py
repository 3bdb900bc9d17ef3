"""`graphql_release VERSION`: cut a release of the partner API (`make release VERSION=x.y.z`).

Copies schema.graphql to schema.released.graphql, the copy later changes are checked against, and moves
CHANGELOG.md's Unreleased entries under the new version's heading (integrations/graphql/changes.py).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.graphql.changes import CHANGELOG, RELEASED_SCHEMA, cut_release


class Command(BaseCommand):
    help = "Release the current schema.graphql as VERSION: update schema.released.graphql and CHANGELOG.md."

    def add_arguments(self, parser):
        parser.add_argument("version", help="The release's version, MAJOR.MINOR.PATCH, e.g. 0.2.0.")

    def handle(self, *args, version, **options):
        try:
            cut_release(version, timezone.localdate())
        except ValueError as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Released {version}: {RELEASED_SCHEMA.name} and {CHANGELOG.name} updated; commit both.")
