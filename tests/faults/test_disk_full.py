"""Fault 6: the local media disk fills up during an editor's upload.

MEDIA_ROOT on a 2 MB tmpfs that is already mostly full; the editor uploads a 1 MB CSV through the admin's own
upload views. They are told clearly that the store is full, no Document row is written and no half-written file is
left behind; /healthz reports storage failing while the disk is full, and uploads work again once space is freed.
Runs in-process (the Django test client): the admin upload path, not the web server, is what is under test.
"""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Collection

from media_library.middleware import MESSAGE_FULL
from media_library.models import CustomDocument
from tests.faults import harness

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_tree")]

CSV = b"topic,session\n" + b"deflection,regional session on co-response\n" * 24_000  # about 1 MB


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        harness.missing("mounting a tmpfs needs root")
    mountpoint = Path(tempfile.mkdtemp(prefix="cms-faults-media-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)], capture_output=True)
    if mounted.returncode:
        mountpoint.rmdir()
        harness.missing(f"mount -t tmpfs is not permitted here: {mounted.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True, timeout=30)
        mountpoint.rmdir()


def fill(path: Path, leave: int) -> None:
    """Write a filler file until only `leave` bytes (at most) remain free."""
    with path.open("ab") as filler:
        while True:
            free = os.statvfs(path.parent).f_bavail * os.statvfs(path.parent).f_frsize
            if free <= leave:
                return
            try:
                filler.write(b"\0" * min(64 * 1024, free - leave))
                filler.flush()
            except OSError:
                return


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def upload(client, name: str, *, ajax: bool):
    collection = Collection.objects.first().pk
    if ajax:
        return client.post(
            reverse("wagtaildocs:add_multiple"),
            {"files[]": SimpleUploadedFile(name, CSV), "collection": collection},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
    return client.post(
        reverse("wagtaildocs:add"),
        {"title": "Sessions", "file": SimpleUploadedFile(name, CSV), "collection": collection},
    )


def test_disk_full_during_upload(admin_client, small_disk):
    storages = {
        "default": {"BACKEND": "media_library.storage.LocalStorage", "OPTIONS": {"location": str(small_disk)}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    filler = small_disk / "filler.bin"
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(small_disk)):
        fill(filler, leave=300 * 1024)  # 300 KB free: the 1 MB upload starts, then runs out of space
        answers = [upload(admin_client, "sessions.csv", ajax=False), upload(admin_client, "sessions.csv", ajax=True)]
        left_after_failure = files_under(small_disk)
        rows_after_failure = CustomDocument.objects.count()
        healthy_with_room = admin_client.get("/healthz").json()["storage"]["ok"]

        fill(filler, leave=0)
        full = admin_client.get("/healthz")

        filler.unlink()
        recovered = admin_client.get("/healthz")
        retry = upload(admin_client, "sessions.csv", ajax=False)
        stored = [doc.file.name for doc in CustomDocument.objects.all()]

    harness.summary(
        f"disk-full: uploads answered {[a.status_code for a in answers]}, {rows_after_failure} rows and files "
        f"{left_after_failure} left; healthz storage ok={full.json()['storage']['ok']} ({full.status_code}) when "
        f"full, {recovered.status_code} after freeing space; retry {retry.status_code}, stored {stored}"
    )
    assert [a.status_code for a in answers] == [503, 503]
    assert answers[0].content.decode() == MESSAGE_FULL
    assert answers[1].json() == {"success": False, "error_message": MESSAGE_FULL}
    assert rows_after_failure == 0
    assert left_after_failure == ["filler.bin"]  # no half-written document
    assert healthy_with_room is True
    assert full.status_code == 503
    assert full.json()["storage"]["ok"] is False
    assert recovered.status_code == 200
    assert retry.status_code == 302  # the add form redirects to the listing on success
    assert len(stored) == 1
