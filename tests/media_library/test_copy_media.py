"""`manage.py copy_media`: 100 files local -> S3 -> local with matching checksums, resumable, dry run."""

import hashlib
import os
import random

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from tests.media_library.conftest import make_bucket, use_s3

pytestmark = pytest.mark.slow


@pytest.fixture
def local_media(settings, tmp_path):
    """100 files in nested folders (as Wagtail lays them out) in the "local" storage; returns name -> sha256."""
    source = tmp_path / "media"
    rng = random.Random(6)
    expected = {}
    for number in range(100):
        folder = ("documents", "original_images", "images", "recordings")[number % 4]
        name = f"{folder}/file-{number:03}.bin"
        content = rng.randbytes(rng.randint(0, 40_000))
        (source / folder).mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
        expected[name] = hashlib.sha256(content).hexdigest()
    settings.STORAGES = {
        **settings.STORAGES,
        "local": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(source)}},
        "restored": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "restored")},
        },
    }
    return expected


@pytest.fixture
def bucket(settings, monkeypatch, moto_endpoint):
    name = use_s3(settings, monkeypatch, moto_endpoint)
    return make_bucket(moto_endpoint, name), name


def s3_checksums(client, bucket) -> dict[str, str]:
    result = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            result[item["Key"]] = hashlib.sha256(body).hexdigest()
    return result


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("copy_media", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_round_trip_of_100_files_with_matching_checksums(local_media, bucket, tmp_path):
    client, name = bucket
    assert "100 were copied" in run("--source", "local", "--target", "s3")
    assert s3_checksums(client, name) == local_media
    assert "100 were copied" in run("--source", "s3", "--target", "restored")
    restored = tmp_path / "restored"
    back = {
        os.path.relpath(os.path.join(folder, file), restored): hashlib.sha256(
            open(os.path.join(folder, file), "rb").read()  # noqa: SIM115
        ).hexdigest()
        for folder, _, files in os.walk(restored)
        for file in files
    }
    assert back == local_media


def test_resumes_after_an_interruption_and_replaces_a_partial_copy(local_media, bucket, monkeypatch):
    client, name = bucket
    target = storages["s3"]
    real_save, saved = target._save, []

    def interrupted_save(file_name, content):
        if len(saved) == 40:
            raise KeyboardInterrupt  # the operator's Ctrl+C, or the process killed mid-run
        saved.append(file_name)
        return real_save(file_name, content)

    monkeypatch.setattr(target, "_save", interrupted_save)
    with pytest.raises(KeyboardInterrupt):
        run("--source", "local", "--target", "s3")
    monkeypatch.undo()
    assert len(s3_checksums(client, name)) == 40
    # A copy cut off half-way leaves a truncated object behind.
    partial = sorted(local_media)[50]
    client.put_object(Bucket=name, Key=partial, Body=b"truncated")

    output = run("--source", "local", "--target", "s3")
    assert "59 were copied, 1 were replaced, 40 already there" in output
    assert s3_checksums(client, name) == local_media
    assert "0 were copied, 0 were replaced, 100 already there" in run("--source", "local", "--target", "s3")


def test_dry_run_writes_nothing(local_media, bucket):
    client, name = bucket
    assert "100 would be copied" in run("--source", "local", "--target", "s3", "--dry-run")
    assert s3_checksums(client, name) == {}


def test_unknown_or_identical_storages_are_refused(local_media):
    with pytest.raises(CommandError, match="Unknown or misconfigured storage"):
        run("--source", "local", "--target", "nowhere")
    with pytest.raises(CommandError, match="must be different"):
        run("--source", "local", "--target", "local")
