"""S3 refusing connections or black-holing them: the upload fails within 20 s, the editor is told why, no row."""

import socket
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection

from media_library.middleware import MESSAGE
from media_library.models import CustomDocument
from media_library.pdf import make_pdf
from tests.helpers import free_port
from tests.media_library.conftest import use_s3

# Transactional: Wagtail saves inside atomic(); without an outer test transaction we see exactly what production
# sees after the failure (no row), instead of a test transaction marked broken.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.usefixtures("wagtail_tree")]

PDF = make_pdf("Early Diversion", ["A brief."])


@pytest.fixture
def refusing_endpoint():
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there: connection refused


@pytest.fixture
def black_hole_endpoint():
    """A TCP server that completes the handshake (the kernel accepts into the backlog) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def assert_refused_quickly(admin_client, *, ajax: bool):
    started = time.monotonic()
    if ajax:
        response = admin_client.post(
            reverse("wagtaildocs:add_multiple"),
            {"files[]": SimpleUploadedFile("brief.pdf", PDF), "title": "Brief"},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
    else:
        response = admin_client.post(
            reverse("wagtaildocs:add"),
            {
                "title": "Brief",
                "file": SimpleUploadedFile("brief.pdf", PDF),
                "collection": Collection.objects.first().pk,
            },
        )
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"upload took {elapsed:.1f} s to fail"
    assert response.status_code == 503
    if ajax:
        assert response.json() == {"success": False, "error_message": MESSAGE}
    else:
        assert response.content.decode() == MESSAGE
    assert "botocore" not in response.content.decode()
    assert not CustomDocument.objects.exists()


def test_upload_fails_fast_when_s3_refuses_connections(admin_client, settings, monkeypatch, refusing_endpoint):
    use_s3(settings, monkeypatch, refusing_endpoint)
    assert_refused_quickly(admin_client, ajax=True)
    assert_refused_quickly(admin_client, ajax=False)


def test_upload_fails_within_20_seconds_when_s3_black_holes(admin_client, settings, monkeypatch, black_hole_endpoint):
    use_s3(settings, monkeypatch, black_hole_endpoint)
    assert_refused_quickly(admin_client, ajax=True)
