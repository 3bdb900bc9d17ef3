"""Media on a real S3-compatible server (moto_server): storage settings, upload/read/rendition/delete, no overwrite,
and the permission-checked serving of public and members-only documents."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media_library.factories import DocumentFactory, ImageFactory
from media_library.pdf import make_pdf
from tests.media_library.s3 import s3_env

pytestmark = pytest.mark.django_db


def keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.client.list_objects_v2(Bucket=s3.bucket).get("Contents", []))


def test_s3_storage_is_private_sigv4_no_overwrite_with_bounded_waits(s3):
    default_storage._setup()
    storage = default_storage._wrapped
    assert storage.default_acl == "private"
    assert storage.file_overwrite is False
    assert storage.client_config.signature_version == "s3v4"
    assert storage.client_config.connect_timeout <= 5
    assert storage.client_config.read_timeout <= 10
    assert storage.client_config.retries["total_max_attempts"] <= 3
    assert storage.transfer_config.max_in_memory_upload_chunks == storage.transfer_config.max_concurrency == 4


def test_production_settings_with_a_bucket_build_an_s3_storage_whose_options_can_be_queued():
    """Wagtail queues a storage's deconstructed options with every file delete: they must be JSON (no botocore
    objects) and carry no credentials; the storage rebuilt from them has the configured bounds."""
    script = (
        "import django, json; django.setup(); "
        "from django.core.files.storage import storages; "
        "from django.utils.module_loading import import_string; "
        "path, args, kwargs = storages['default'].deconstruct(); "
        "assert storages['s3'].deconstruct() == (path, args, kwargs); "
        "rebuilt = import_string(path)(*args, **kwargs); "
        "print(json.dumps({'deconstructed': [path, args, kwargs], "
        "'connect_timeout': rebuilt.client_config.connect_timeout, 'read_timeout': rebuilt.client_config.read_timeout, "
        "'attempts': rebuilt.client_config.retries['total_max_attempts'], "
        "'addressing': rebuilt.client_config.s3['addressing_style'], "
        "'signature': rebuilt.client_config.signature_version, "
        "'parts': rebuilt.transfer_config.max_in_memory_upload_chunks, 'secret': rebuilt.secret_key}))"
    )
    env = {
        **os.environ,
        **s3_env("http://127.0.0.1:9", "cms-media", AWS_SECRET_ACCESS_KEY="s3cr3t-key", AWS_S3_CONNECT_TIMEOUT="2"),
        "AWS_S3_UPLOAD_CONCURRENCY": "3",
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-long-random-test-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "cms.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    shape = json.loads(result.stdout.strip().splitlines()[-1])
    path, args, kwargs = shape["deconstructed"]
    assert args == []
    assert path == "media_library.storage.MediaS3Storage"
    assert kwargs["bucket_name"] == "cms-media" and kwargs["file_overwrite"] is False
    assert "s3cr3t" not in json.dumps(shape["deconstructed"])
    assert shape["secret"] == "s3cr3t-key"  # the rebuilt storage reads it from the environment
    assert (shape["connect_timeout"], shape["read_timeout"], shape["attempts"]) == (2, 6, 2)
    assert (shape["addressing"], shape["signature"], shape["parts"]) == ("path", "s3v4", 3)


def test_document_upload_read_and_delete(s3):
    document = DocumentFactory(
        title="Deflection field guide", file=ContentFile(make_pdf("Deflection", []), "guide.pdf")
    )
    assert keys(s3) == ["documents/guide.pdf"]
    head = s3.client.head_object(Bucket=s3.bucket, Key="documents/guide.pdf")
    assert head["ContentType"] == "application/pdf"
    acl = s3.client.get_object_acl(Bucket=s3.bucket, Key="documents/guide.pdf")
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]  # owner only: private
    with document.open_file() as handle:
        assert handle.read().startswith(b"%PDF-")
    assert document.mime_type == "application/pdf"
    assert document.page_count == 1
    assert len(document.sha256) == 64
    document.file.delete(save=False)
    document.delete()
    assert keys(s3) == []


def test_two_uploads_named_report_pdf_do_not_overwrite_each_other(s3):
    first = DocumentFactory(file=ContentFile(make_pdf("Public report", []), "report.pdf"))
    second = DocumentFactory(file=ContentFile(make_pdf("Members report", []), "report.pdf"))
    assert first.file.name == "documents/report.pdf"
    assert second.file.name != first.file.name
    assert len(keys(s3)) == 2
    with first.open_file() as handle:
        assert b"Public report" in handle.read()
    with second.open_file() as handle:
        assert b"Members report" in handle.read()


def test_image_and_rendition_are_stored_on_s3(s3):
    image = ImageFactory(file=ContentFile(ImageFactory.build().file.read(), "team.png"))
    rendition = image.get_rendition("fill-32x32")
    stored = keys(s3)
    assert image.file.name in stored
    assert rendition.file.name in stored
    assert rendition.file.name.startswith("images/")
    assert rendition.width == 32


# --- serving ----------------------------------------------------------------------------------------------------


def test_private_document_is_refused_to_anonymous_visitors(s3, client, members_collection):
    document = DocumentFactory(collection=members_collection)
    response = client.get(document.url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert "X-Amz" not in response["Location"]
    assert response["Cache-Control"].startswith("private")


def test_private_document_is_refused_to_non_members(s3, client, members_collection):
    document = DocumentFactory(collection=members_collection)
    client.force_login(get_user_model().objects.create_user("partner", password="pw"))
    response = client.get(document.url)
    assert response.status_code == 403
    assert "X-Amz" not in str(response.headers)
    assert response["Cache-Control"].startswith("private")


def test_member_gets_a_short_lived_sigv4_presigned_url(s3_with_cdn, client, members_collection, member, settings):
    document = DocumentFactory(collection=members_collection, file=ContentFile(make_pdf("Notes", []), "notes.pdf"))
    client.force_login(member)
    response = client.get(document.url)
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert url.hostname != "media.cdn.example.org"  # never through the CDN
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert int(query["X-Amz-Expires"][0]) == settings.MEDIA_PRIVATE_URL_EXPIRE <= 300
    assert {"X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"} <= set(query)
    assert query["response-content-disposition"][0].endswith('filename="notes.pdf"')
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_presigned_url_downloads_the_file(s3, client, members_collection, member):
    import urllib.request

    document = DocumentFactory(collection=members_collection, file=ContentFile(make_pdf("Notes", []), "notes.pdf"))
    client.force_login(member)
    location = client.get(document.url)["Location"]
    with urllib.request.urlopen(location, timeout=10) as remote:  # noqa: S310 (moto on 127.0.0.1)
        assert remote.read().startswith(b"%PDF-")


def test_public_document_redirects_to_its_plain_cdn_url(s3_with_cdn, client):
    document = DocumentFactory(title="CIT starter guide", file=ContentFile(make_pdf("Guide", []), "guide.pdf"))
    response = client.get(document.url)
    assert response.status_code == 302
    assert response["Location"] == "https://media.cdn.example.org/documents/guide.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
