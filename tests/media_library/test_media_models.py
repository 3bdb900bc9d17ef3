"""Images need alt text; publications are PDFs; recordings have one video source and real WebVTT captions."""

import hashlib
import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from pypdf import PdfReader
from wagtail.images.forms import get_image_form

from media_library.factories import (
    WEBVTT_SAMPLE,
    CaptionsFactory,
    DocumentFactory,
    ImageFactory,
    PublicationPageFactory,
    RecordingPageFactory,
)
from media_library.files import pdf_page_count
from media_library.models import CustomImage, RecordingPage
from media_library.pdf import TEXT_WIDTH, Section, make_pdf, make_report_pdf, text_width, wrap


def error_keys(instance) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return set(caught.value.message_dict)


def document(name: str, content: bytes, title: str = "Upload"):
    return DocumentFactory(title=title, file=ContentFile(content, name=name))


# --- images -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_image_with_alt_text_is_valid():
    image = ImageFactory(description="Officers and clinicians in a CIT training class")
    image.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("alt_text", ["", "   "], ids=["empty", "whitespace"])
def test_image_requires_alt_text(alt_text):
    image = ImageFactory(description=alt_text)
    with pytest.raises(ValidationError) as caught:
        image.full_clean()
    assert set(caught.value.message_dict) == {"description"}


@pytest.mark.django_db
def test_image_admin_form_requires_alt_text():
    form_class = get_image_form(CustomImage)
    assert form_class.base_fields["description"].required
    image = ImageFactory()
    form = form_class(
        data={"title": image.title, "description": "", "collection": image.collection_id, "tags": ""},
        instance=image,
        user=None,
    )
    assert not form.is_valid()
    assert "description" in form.errors


# --- publications -------------------------------------------------------------------------------------------


def test_publication_with_a_pdf_is_valid(publication_index):
    publication = PublicationPageFactory(parent=publication_index, title="Deflection: a field guide")
    assert publication.document.extension == "pdf"
    publication.full_clean()


@pytest.mark.parametrize("name", ["deflection-brief.docx", "DEFLECTION.TXT", "co-response.html"])
def test_publication_rejects_a_document_that_is_not_a_pdf(publication_index, name):
    publication = PublicationPageFactory(parent=publication_index, title="Best Practices in Co-Response")
    publication.document = document(name, b"Best practices in co-response.")
    with pytest.raises(ValidationError) as caught:
        publication.full_clean()
    assert caught.value.message_dict == {"document": ["Choose a PDF document."]}


def test_publication_with_a_non_pdf_cannot_be_saved(publication_index):
    with pytest.raises(ValidationError):
        PublicationPageFactory(parent=publication_index, document=document("notes.docx", b"notes"))
    assert not publication_index.get_children().exists()


def test_publication_pdf_extension_is_case_insensitive(publication_index):
    publication = PublicationPageFactory(parent=publication_index)
    publication.document = document("REPORT.PDF", make_pdf("988 Crisis Hotline", ["A brief."]))
    publication.full_clean()


# --- recordings ---------------------------------------------------------------------------------------------


@pytest.fixture
def recording(recording_index):
    return RecordingPageFactory(
        parent=recording_index,
        title="Community of Practice meeting, September 2025",
        embed_url="https://vimeo.com/000000000",
    )


def video_file(name: str = "cop-meeting.mp4"):
    return document(name, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, title="CoP meeting video")


def test_recording_with_embed_link_and_captions_is_valid(recording):
    assert recording.captions.extension == "vtt"
    recording.full_clean()


@pytest.mark.parametrize("name", ["cop-meeting.mp4", "cop-meeting.WEBM", "cop-meeting.mov"])
def test_recording_with_a_video_file_is_valid(recording, name):
    recording.embed_url = ""
    recording.video = video_file(name)
    recording.full_clean()


def test_recording_with_both_video_and_embed_link_is_invalid(recording):
    recording.video = video_file()
    assert error_keys(recording) == {"embed_url"}


def test_recording_with_neither_video_nor_embed_link_is_invalid(recording):
    recording.embed_url = ""
    assert error_keys(recording) == {"embed_url"}


@pytest.mark.parametrize("name", ["slides.pdf", "audio.mp3", "video.avi"])
def test_recording_rejects_a_video_that_is_not_a_video_file(recording, name):
    recording.embed_url = ""
    recording.video = document(name, b"not a video")
    assert error_keys(recording) == {"video"}


def test_recording_rejects_a_javascript_embed_link(recording):
    recording.embed_url = "javascript:alert(1)"
    assert error_keys(recording) == {"embed_url"}


def test_recording_rejects_captions_without_the_vtt_extension(recording):
    recording.captions = document("captions.srt", b"1\n00:00:00,000 --> 00:00:04,000\nWelcome.\n")
    with pytest.raises(ValidationError) as caught:
        recording.full_clean()
    assert caught.value.message_dict == {"captions": ["Captions must be a WebVTT (.vtt) file."]}


def test_recording_rejects_a_vtt_file_that_is_not_webvtt(recording):
    recording.captions = document("captions.vtt", b"1\n00:00:00,000 --> 00:00:04,000\nWelcome.\n")
    with pytest.raises(ValidationError) as caught:
        recording.full_clean()
    assert caught.value.message_dict == {"captions": ["That file is not WebVTT: it must start with the line 'WEBVTT'."]}


def test_recording_accepts_webvtt_with_a_byte_order_mark(recording):
    recording.captions = document("captions.vtt", b"\xef\xbb\xbf" + WEBVTT_SAMPLE.encode())
    recording.full_clean()


def test_recording_without_captions_is_valid(recording):
    recording.captions = None
    recording.full_clean()


def test_recording_with_invalid_captions_cannot_be_saved(recording_index):
    bad_captions = CaptionsFactory(file=ContentFile(b"<html>not captions</html>", name="captions.vtt"))
    with pytest.raises(ValidationError):
        RecordingPageFactory(parent=recording_index, recorded_on=date(2025, 9, 18), captions=bad_captions)
    assert not RecordingPage.objects.exists()


# --- the demo PDF writer ------------------------------------------------------------------------------------


def parse_xref(pdf: bytes) -> tuple[int, list[int]]:
    """The object count declared in the cross-reference table and the byte offset of each object."""
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[startxref : startxref + 5] == b"xref\n"
    header = re.match(rb"xref\n0 (\d+)\n", pdf[startxref:])
    size = int(header.group(1))
    entries = pdf[startxref + header.end() :].split(b"\n")[:size]
    assert entries[0] == b"0000000000 65535 f "
    offsets = []
    for entry in entries[1:]:
        assert re.fullmatch(rb"\d{10} 00000 n ", entry), entry
        offsets.append(int(entry[:10]))
    return size, offsets


def test_make_pdf_writes_a_pdf_with_a_valid_cross_reference_table():
    pdf = make_pdf("Deflection (a field guide)", ["988 Crisis Hotline", "Early Diversion \\ co-response"])
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.endswith(b"%%EOF\n")
    size, offsets = parse_xref(pdf)
    assert size == len(offsets) + 1
    assert len(offsets) >= 5
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number), (number, pdf[offset : offset + 20])
    trailer = pdf[pdf.rindex(b"trailer") :]
    assert b"/Size %d" % size in trailer
    assert b"/Root 1 0 R" in trailer
    assert b"/Type /Catalog" in pdf[offsets[0] : offsets[1]]


def test_make_pdf_stream_length_matches_and_text_is_escaped():
    pdf = make_pdf("Deflection (a field guide)", ["Back\\slash"])
    match = re.search(rb"<< /Length (\d+) >>\nstream\n", pdf)
    length = int(match.group(1))
    stream = pdf[match.end() : match.end() + length]
    assert pdf[match.end() + length :].startswith(b"\nendstream")
    assert b"(Deflection \\(a field guide\\)) Tj" in stream
    assert b"(Back\\\\slash) Tj" in stream


REPORT = [
    Section("Why it matters", ["Officers and clinicians respond together to behavioral health calls. " * 12]),
    Section("What successful programs share", [["Clear criteria, agreed with dispatch.", "Joint training."] * 20]),
    Section("Questions (and answers) for your team", ["Back\\slash, \u201cquotes\u201d \u2013 and a dash."] * 25),
]


def test_report_pdf_has_pages_in_order_with_extractable_text():
    pdf = make_report_pdf("Co-Responder Models", REPORT, subtitle="Report \u00b7 March 2025", footer="Library")
    _, offsets = parse_xref(pdf)
    assert all(pdf[offset:].startswith(b"%d 0 obj\n" % n) for n, offset in enumerate(offsets, start=1))
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages == pdf_page_count(io.BytesIO(pdf)) >= 3
    assert reader.metadata.title == "Co-Responder Models"
    texts = [page.extract_text() for page in reader.pages]
    assert texts[0].startswith("Co-Responder Models\nReport \u00b7 March 2025")
    assert all(f"Library  \u00b7  Page {n} of {pages}" in text for n, text in enumerate(texts, start=1))
    everything = " ".join(texts)
    assert "\u2022 Clear criteria, agreed with dispatch." in everything
    assert "Questions (and answers) for your team" in everything
    assert "Back\\slash, \u201cquotes\u201d \u2013 and a dash." in everything  # WinAnsi: quotes and dashes survive
    # Headings are never left alone at the bottom of a page.
    for text in texts[:-1]:
        last_line = text.rsplit("Library", 1)[0].strip().splitlines()[-1]
        assert last_line not in {section.heading for section in REPORT}, last_line


def test_report_pdf_is_deterministic_and_a_cover_starts_the_sections_on_page_two():
    assert make_report_pdf("A", REPORT) == make_report_pdf("A", REPORT)
    reader = PdfReader(io.BytesIO(make_report_pdf("Starter guide", REPORT, cover=True)))
    cover = reader.pages[0].extract_text()
    assert "Contents" in cover and all(section.heading in cover for section in REPORT)
    assert "Officers and clinicians" not in cover
    assert reader.pages[1].extract_text().startswith("Why it matters")


def test_report_pdf_lines_stay_within_the_margins():
    # Helvetica's published widths (Helvetica.afm): H 722, e 556, l 222, o 556.
    assert text_width("Hello", 1000) == 722 + 556 + 222 + 222 + 556
    for line in wrap("Officers and clinicians respond together to behavioral health calls. " * 20, 11):
        assert text_width(line, 11) <= TEXT_WIDTH
    assert wrap("x" * 500, 11) == ["x" * 500]  # a word longer than a line is not lost


@pytest.mark.parametrize("hostile", ["", ")) Tj ET BT (", "\\", "emoji \U0001f600 and \x00 NUL", "(" * 1000])
def test_report_pdf_survives_any_text(hostile):
    pdf = make_report_pdf(hostile, [Section(hostile, [hostile, [hostile]])], subtitle=hostile, footer=hostile)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    reader.pages[0].extract_text()


def test_document_factory_files_are_real_pdfs(db):
    doc = DocumentFactory(title="Youth in Suicide Crisis")
    with doc.open_file() as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    _, offsets = parse_xref(content)
    assert all(content[offset:].startswith(b"%d 0 obj" % n) for n, offset in enumerate(offsets, start=1))


def test_recording_transcripts_are_searchable(recording_index):
    from wagtail.search.backends import get_search_backend

    recording = RecordingPageFactory(
        parent=recording_index,
        title="CoP meeting: language access",
        transcript="<p>Interpreters joined the crisis line through a telephonic bridge.</p>",
    )
    backend = get_search_backend()
    backend.add(recording)  # Wagtail 8 queues index updates as tasks; index deliberately here
    results = backend.search("telephonic", RecordingPage)
    assert [page.pk for page in results] == [recording.pk]


def test_document_metadata_follows_a_replaced_file(db):
    original = DocumentFactory(title="Brief")
    replacement = b"agency,state\nHouston PD,TX\n"
    original.file = ContentFile(replacement, name="roster.csv")
    original.save()
    original.refresh_from_db()
    assert original.mime_type == "text/csv"
    assert original.page_count is None
    assert original.file_size == len(replacement)
    assert original.sha256 == hashlib.sha256(replacement).hexdigest()
