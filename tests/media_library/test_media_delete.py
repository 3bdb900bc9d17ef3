"""Deleting and replacing media through the admin, on local storage and on a real S3 server (moto_server): the
files are gone once the task worker has run Wagtail's delete task, and nothing secret is written into the queue."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from media_library.factories import DocumentFactory, ImageFactory
from media_library.models import CustomDocument, CustomImage, CustomRendition
from media_library.pdf import make_pdf
from tests.media_library.conftest import fresh_bucket

# Wagtail enqueues the file delete in transaction.on_commit and the worker claims it in its own transaction: only a
# real commit shows what production does.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_tree")]


class LocalFiles:
    def keys(self) -> list[str]:
        root = Path(django_settings.MEDIA_ROOT)
        return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


class BucketFiles:
    def __init__(self, s3):
        self.s3 = s3

    def keys(self) -> list[str]:
        listing = self.s3.client.list_objects_v2(Bucket=self.s3.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture(params=["local", "s3"])
def stored(request, settings, monkeypatch):
    """The default storage, local or a fresh moto bucket; `.keys()` lists what is stored."""
    if request.param == "local":
        return LocalFiles()
    return BucketFiles(fresh_bucket(settings, monkeypatch, request.getfixturevalue("moto_endpoint")))


def run_worker() -> None:
    call_command("run_worker", "--once")


def assert_files_deleted_by_the_worker() -> None:
    deletes = DBTaskResult.objects.filter(task_path="wagtail.tasks.delete_file_from_storage_task")
    assert deletes.exists()
    assert set(deletes.values_list("status", flat=True)) == {"SUCCESSFUL"}


def document_with_file(name: str = "guide.pdf") -> CustomDocument:
    return DocumentFactory(title="Deflection field guide", file=ContentFile(make_pdf("Deflection", []), name))


def image_with_rendition() -> tuple[CustomImage, str]:
    # Wagtail caches renditions by image id: after a transactional test's flush, ids repeat and a cached rendition
    # of an earlier test's image (in its own MEDIA_ROOT) would be returned without making a file.
    CustomRendition.cache_backend.clear()
    image = ImageFactory(file=ContentFile(ImageFactory.build().file.read(), "team.jpg"))
    return image, image.get_rendition("fill-32x32").file.name


def test_deleting_a_document_in_the_admin_then_the_worker_removes_its_file(stored, admin_client):
    document = document_with_file()
    assert stored.keys() == [document.file.name]

    response = admin_client.post(reverse("wagtaildocs:delete", args=[document.pk]))

    assert response.status_code == 302, response.get("Location")
    assert not CustomDocument.objects.exists()
    run_worker()
    assert stored.keys() == []
    assert_files_deleted_by_the_worker()


def test_deleting_an_image_in_the_admin_then_the_worker_removes_it_and_its_renditions(stored, admin_client):
    image, rendition = image_with_rendition()
    assert stored.keys() == sorted([image.file.name, rendition])

    response = admin_client.post(reverse("wagtailimages:delete", args=[image.pk]))

    assert response.status_code == 302, response.get("Location")
    assert not CustomImage.objects.exists()
    run_worker()
    assert stored.keys() == []
    assert_files_deleted_by_the_worker()


def test_replacing_a_documents_file_in_the_admin_leaves_only_the_new_file(stored, admin_client):
    document = document_with_file("old-guide.pdf")

    response = admin_client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {
            "title": document.title,
            "collection": document.collection_id,
            "file": SimpleUploadedFile("new-guide.pdf", make_pdf("Deflection, second edition", [])),
        },
    )

    assert response.status_code == 302, response.context and response.context["form"].errors
    document.refresh_from_db()
    assert document.file.name.endswith("new-guide.pdf")
    run_worker()
    assert stored.keys() == [document.file.name]
    assert document.sha256 and document.page_count == 1


def test_replacing_an_images_file_in_the_admin_leaves_only_the_new_file(stored, admin_client):
    image, _rendition = image_with_rendition()

    response = admin_client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": image.title,
            "description": image.description,
            "collection": image.collection_id,
            "file": SimpleUploadedFile("new-team.jpg", ImageFactory.build().file.read()),
        },
    )

    assert response.status_code == 302, response.context and response.context["form"].errors
    image.refresh_from_db()
    assert image.file.name.endswith("new-team.jpg")
    assert not image.renditions.exists()
    run_worker()
    assert stored.keys() == [image.file.name]


def test_a_delete_on_s3_queues_no_credentials(settings, monkeypatch, moto_endpoint):
    """The delete task stores the storage's options in the task table: they must never include the secret key."""
    fresh_bucket(settings, monkeypatch, moto_endpoint, AWS_SECRET_ACCESS_KEY="s3cr3t-never-in-the-queue")
    document_with_file().delete()

    (task,) = DBTaskResult.objects.filter(task_path="wagtail.tasks.delete_file_from_storage_task")
    assert "s3cr3t" not in str(task.args_kwargs)
    run_worker()
    assert DBTaskResult.objects.get(pk=task.pk).status == "SUCCESSFUL"
