"""Upload validation for documents and images: what a file *is* (sniffed from its bytes), not what it is called.

Every document extension Wagtail accepts (WAGTAILDOCS_EXTENSIONS) has a rule here: the kinds of content allowed
behind it and which size limit applies (settings.MEDIA_UPLOAD_MAX_BYTES). Binary formats must be recognised by
their magic numbers (`filetype`); text formats must be UTF-8 without NUL bytes and must not be markup, so HTML,
JavaScript or SVG renamed to .pdf/.txt/.csv is refused. The optional virus scanner (settings.MEDIA_VIRUS_SCANNER)
runs last, on files that passed everything else.
"""

import codecs
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string

from media_library.files import read_head, sniff_kind
from media_library.webvtt import validate_webvtt


@dataclass(frozen=True)
class Rule:
    limit: str  # key of settings.MEDIA_UPLOAD_MAX_BYTES
    mime: str  # the MIME type recorded (and served) for text files; binary files record what was sniffed
    sniffed: frozenset[str] = frozenset()  # filetype extensions accepted; empty means "text"


def _binary(limit: str, *sniffed: str) -> Rule:
    return Rule(limit=limit, mime="", sniffed=frozenset(sniffed))


RULES = {
    "pdf": _binary("document", "pdf"),
    "docx": _binary("document", "docx"),
    "xlsx": _binary("document", "xlsx"),
    "pptx": _binary("document", "pptx"),
    "mp4": _binary("video", "mp4", "m4v", "mov"),
    "mov": _binary("video", "mov", "mp4"),
    "webm": _binary("video", "webm", "mkv"),
    "mp3": _binary("audio", "mp3"),
    "csv": Rule(limit="text", mime="text/csv"),
    "txt": Rule(limit="text", mime="text/plain"),
    "vtt": Rule(limit="text", mime="text/vtt"),
}
# Markup a browser would render or run if it ever ignored our Content-Type.
MARKUP_SIGNS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"javascript:")
TEXT_SNIFF_BYTES = 64 * 1024


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_text(head: bytes, name: str) -> None:
    if b"\x00" in head:
        raise ValidationError(f"{name} is not a text file.", code="not_text")
    try:
        # Incremental: a multi-byte character cut at the end of a truncated head is not an error.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < TEXT_SNIFF_BYTES)
    except UnicodeDecodeError as error:
        raise ValidationError(f"{name} must be UTF-8 text.", code="not_text") from error
    lowered = head.lower()
    if lowered.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or any(sign in lowered for sign in MARKUP_SIGNS):
        raise ValidationError(f"{name} contains HTML or script, which is not allowed.", code="markup")


def validate_document_upload(upload, name: str) -> str:
    """Check an uploaded document; return the MIME type detected from its content. Raises ValidationError."""
    extension = extension_of(name)
    rule = RULES.get(extension)
    if rule is None:
        raise ValidationError(f"Files of type .{extension or '?'} cannot be uploaded.", code="extension")
    size = upload.size
    if not size:
        raise ValidationError("The file is empty.", code="empty")
    limit = settings.MEDIA_UPLOAD_MAX_BYTES[rule.limit]
    if size > limit:
        raise ValidationError(
            f"The file is too large ({filesizeformat(size)}); "
            f"{rule.limit} files may be at most {filesizeformat(limit)}.",
            code="too_large",
        )
    head = read_head(upload, TEXT_SNIFF_BYTES)
    if rule.sniffed:
        kind = sniff_kind(head)
        if kind is None or kind.extension not in rule.sniffed:
            found = f"a .{kind.extension} file" if kind else "not a recognised file of that type"
            raise ValidationError(f"{name} is named .{extension} but its content is {found}.", code="mismatch")
        mime = kind.mime
    else:
        _check_text(head, name)
        if extension == "vtt":
            upload.seek(0)
            validate_webvtt(upload.read())
            upload.seek(0)
        mime = rule.mime
    run_virus_scanner(upload, name)
    return mime


def run_virus_scanner(upload, name: str) -> None:
    """The hook point for a malware scanner (e.g. a clamd client): settings.MEDIA_VIRUS_SCANNER(file, name)."""
    if not settings.MEDIA_VIRUS_SCANNER:
        return
    scanner = import_string(settings.MEDIA_VIRUS_SCANNER)
    upload.seek(0)
    try:
        scanner(upload, name)
    finally:
        upload.seek(0)
