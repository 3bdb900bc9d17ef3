"""Copy every media file from one storage to another (local files -> S3, or back), verifying SHA-256 checksums.

    manage.py copy_media --source local --target s3 [--dry-run] [--no-progress]

Storages are aliases of settings.STORAGES ("local" is always the MEDIA_ROOT folder; "s3" exists when
AWS_STORAGE_BUCKET_NAME is set; "default" is whichever is in use). Keys stay identical, so database rows keep
pointing at the right files after switching storage. Resumable: a file already at the target with the same
checksum is skipped, one with a different checksum (an interrupted copy) is replaced. Every copy is read back and
its checksum compared; any mismatch fails the command.
"""

import hashlib

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

CHUNK = 1024 * 1024


def walk(storage, folder: str = ""):
    """Every file name in `storage`, recursively, in a stable order."""
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from walk(storage, f"{folder}/{directory}" if folder else directory)


def checksum(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Copy all media between storages (e.g. local -> s3), resumable and checksum-verified."

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="STORAGES alias to copy from, e.g. local")
        parser.add_argument("--target", required=True, help="STORAGES alias to copy to, e.g. s3")
        parser.add_argument("--dry-run", action="store_true", help="report what would be copied; write nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. in logs)")

    def handle(self, *, source, target, dry_run, no_progress, **options):
        if source == target:
            raise CommandError("--source and --target must be different storages.")
        try:
            source_storage, target_storage = storages[source], storages[target]
        except Exception as error:  # InvalidStorageError, or a misconfigured backend
            raise CommandError(
                f"Unknown or misconfigured storage: {error}. Known: {', '.join(storages.backends)}"
            ) from error

        names = list(walk(source_storage))
        counts = {"copied": 0, "already there": 0, "replaced": 0}
        progress = tqdm(names, unit="file", disable=no_progress, file=self.stderr, desc=f"{source} -> {target}")
        for name in progress:
            expected = checksum(source_storage, name)
            state = "copied"
            if target_storage.exists(name):
                if checksum(target_storage, name) == expected:
                    counts["already there"] += 1
                    continue
                state = "replaced"  # a different or partial file, e.g. from an interrupted run
            counts[state] += 1
            if dry_run:
                continue
            if state == "replaced":
                target_storage.delete(name)
            with source_storage.open(name, "rb") as handle:
                saved = target_storage.save(name, handle)
            if saved != name:
                raise CommandError(f"{name}: the target stored it as {saved}; is another process writing there?")
            if checksum(target_storage, name) != expected:
                raise CommandError(f"{name}: checksum mismatch after copying; the target copy is unreliable.")
        verb = "would be" if dry_run else "were"
        summary = ", ".join(f"{count} {verb} {state}" for state, count in counts.items() if state != "already there")
        self.stdout.write(
            f"{len(names)} files from {source} to {target}: {summary}, "
            f"{counts['already there']} already there with the same checksum."
        )
