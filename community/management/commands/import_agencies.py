"""`manage.py import_agencies FILE.csv [--dry-run]`: the admin's directory import, from the command line."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community import csv_io


class Command(BaseCommand):
    help = "Import member agencies and their contacts from CSV (the admin export's columns); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; save nothing.")

    def handle(self, *, file: Path, dry_run: bool, **options):
        try:
            with file.open("rb") as handle:
                data = handle.read(settings.AGENCY_IMPORT_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = csv_io.import_csv(data, dry_run=dry_run)
        except csv_io.ImportRefused as refused:
            raise CommandError(str(refused)) from None
        if result.errors:
            raise CommandError("Nothing was imported:\n" + "\n".join(result.errors))
        if dry_run:
            self.stdout.write("The file is valid (dry run: nothing saved).")
        else:
            self.stdout.write(
                f"Imported: {result.created} agencies added, {result.updated} updated, {result.contacts} contacts."
            )
