"""What we learn from an uploaded file without holding it in memory: a safe name, its type, checksum, pages."""

import hashlib
import os
import re
import unicodedata

import filetype
from anyascii import anyascii

CHUNK = 1024 * 1024
MAX_STEM = 60


def safe_filename(name: str) -> str:
    """A storage-safe, ASCII file name: no directories, NUL or control characters, a bounded length.

    Non-ASCII letters are transliterated ("Guía_Señas.pdf" -> "Guia_Senas.pdf") so keys, URLs and download names
    survive every S3 tool, proxy and browser; the editor's title keeps the original spelling.
    """
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFKC", name) if ch.isprintable())
    stem, ext = os.path.splitext(anyascii(name))
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._-")[:MAX_STEM] or "file"
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:8].lower()
    return f"{stem}.{ext}" if ext else stem


def read_head(filelike, size: int = 8192) -> bytes:
    filelike.seek(0)
    head = filelike.read(size)
    filelike.seek(0)
    return head


def sniff_kind(head: bytes):
    """The filetype kind (extension, mime) detected from the first bytes, or None for text/unknown content."""
    return filetype.guess(head)


def sha256_of(filelike) -> str:
    filelike.seek(0)
    digest = hashlib.sha256()
    while chunk := filelike.read(CHUNK):
        digest.update(chunk)
    filelike.seek(0)
    return digest.hexdigest()


def pdf_page_count(filelike) -> int | None:
    """Pages in a PDF, or None when pypdf cannot read it (metadata only: a damaged PDF is still stored)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    filelike.seek(0)
    try:
        return len(PdfReader(filelike).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return None
    finally:
        filelike.seek(0)
