"""A tiny, dependency-free PDF writer for demo content and tests: real PDFs that any viewer opens and any text
extractor reads. `make_pdf` writes one page of lines; `make_report_pdf` lays out a report (a title, sections of
headings, paragraphs and bullet lists) over as many US Letter pages as it needs, with page numbers.

Only the standard Helvetica fonts (every viewer has them, nothing is embedded) in WinAnsiEncoding (cp1252: curly
quotes, dashes and bullets). Line breaks use Helvetica's published character widths, so text stays in the margins
without a layout engine. The output is deterministic (no dates, no random IDs): the same text gives the same bytes,
hence the same checksum on every seeding.
"""

import zlib
from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points
MARGIN = 72
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM = 72  # the lowest baseline of body text; the page number sits below it

# Helvetica's advance widths (thousandths of the font size) for ASCII 32-126, from Adobe's Helvetica.afm.
_HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]  # fmt: skip
_WIDE = 1000  # anything outside ASCII (dashes, quotes, bullets) is counted as an em: never narrower than it is
BOLD_FACTOR = 1.1  # Helvetica-Bold is at most about a tenth wider than Helvetica, glyph for glyph


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An upper bound of `text`'s width in points at `size` in Helvetica (or Helvetica-Bold)."""
    units = sum(_HELVETICA[ord(ch) - 32] if 32 <= ord(ch) < 127 else _WIDE for ch in text)
    return units * size / 1000 * (BOLD_FACTOR if bold else 1)


def wrap(text: str, size: float, width: float = TEXT_WIDTH, *, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width` points (a word longer than a line gets a line of its own)."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold=bold) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _info_string(text: str) -> bytes:
    """A document-information string in UTF-16 (any title, no escaping needed)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _assemble(objects: list[bytes], *, info: int | None = None) -> bytes:
    """The file around numbered `objects` (1 is the catalog): header, bodies, cross-reference table, trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info_entry = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info_entry, xref_at)
    return bytes(out)


FONT = b"<< /F1 5 0 R >>"


def make_pdf(title: str, lines: list[str]) -> bytes:
    """One page: `title`, then each of `lines` on a line of its own."""
    text_ops = ["BT", "/F1 18 Tf", "72 720 Td", f"({_escape(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        text_ops += ["0 -18 Td", f"({_escape(line)}) Tj"]
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1", "replace")
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font %s >> >>" % FONT,
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


@dataclass(frozen=True)
class Section:
    """A report section: a heading, then paragraphs; a paragraph given as a list is a bulleted list."""

    heading: str
    paragraphs: list  # of str | list[str]


class _Layout:
    """Places text lines top-down on pages, starting a new page when the next block would not fit."""

    def __init__(self):
        self.pages: list[list[str]] = [[]]
        self.y = PAGE_HEIGHT - MARGIN

    def space(self, points: float) -> None:
        self.y -= points

    def need(self, points: float) -> None:
        if self.y - points < BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_HEIGHT - MARGIN

    def line(
        self, text: str, *, size: float, leading: float, bold: bool = False, indent: float = 0, bullet: bool = False
    ) -> None:
        self.need(leading)
        self.y -= leading
        if bullet:  # written first, so text extraction reads "• item"
            self._text("\u2022", size=size, x=MARGIN + indent - 14)
        self._text(text, size=size, x=MARGIN + indent, bold=bold)

    def _text(self, text: str, *, size: float, x: float, bold: bool = False) -> None:
        font = "/F2" if bold else "/F1"
        self.pages[-1].append(f"BT {font} {size:g} Tf {x:g} {self.y:g} Td ({_escape(text)}) Tj ET")

    def block(self, text: str, *, size: float, leading: float, bold: bool = False, keep_with: float = 0) -> None:
        """A wrapped block kept on one page when it fits one (and with `keep_with` points of what follows)."""
        lines = wrap(text, size, bold=bold)
        self.need(min(len(lines) * leading, PAGE_HEIGHT - MARGIN - BOTTOM) + keep_with)
        for text_line in lines:
            self.line(text_line, size=size, leading=leading, bold=bold)


def make_report_pdf(
    title: str, sections: list[Section], *, subtitle: str = "", footer: str = "", cover: bool = False
) -> bytes:
    """A multi-page report: `title` (and `subtitle`) at the top of page one, then each section; every page ends
    with `footer` and "Page n of N". With `cover`, page one is a title page listing the sections, and they start
    on page two."""
    layout = _Layout()
    if cover:
        layout.space(120)
    layout.block(title, size=24, leading=30, bold=True)
    if subtitle:
        layout.space(6)
        layout.block(subtitle, size=13, leading=18)
    layout.space(18)
    if cover:
        layout.space(30)
        layout.block("Contents", size=13, leading=18, bold=True)
        for section in sections:
            layout.block(section.heading, size=11, leading=16)
        layout.new_page()
    for section in sections:
        layout.space(10)
        layout.block(section.heading, size=15, leading=20, bold=True, keep_with=30)
        layout.space(4)
        for paragraph in section.paragraphs:
            if isinstance(paragraph, str):
                layout.block(paragraph, size=11, leading=15)
            else:
                for item in paragraph:
                    lines = wrap(item, 11, TEXT_WIDTH - 18)
                    layout.need(len(lines) * 15)
                    for number, text_line in enumerate(lines):
                        layout.line(text_line, size=11, leading=15, indent=18, bullet=number == 0)
            layout.space(7)

    count = len(layout.pages)
    # Objects: 1 catalog, 2 page tree, 3 Helvetica, 4 Helvetica-Bold, 5 info, then a page and its content each.
    fonts = b"<< /F1 3 0 R /F2 4 0 R >>"
    kids = b" ".join(b"%d 0 R" % (6 + 2 * n) for n in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title %s /Producer (CIT ASSIST CMS) >>" % _info_string(title),
    ]
    for number, operations in enumerate(layout.pages, start=1):
        page_label = f"{footer}  \u00b7  Page {number} of {count}" if footer else f"Page {number} of {count}"
        operations = [*operations, f"BT /F1 9 Tf {MARGIN} 40 Td ({_escape(page_label)}) Tj ET"]
        stream = zlib.compress("\n".join(operations).encode("cp1252", "replace"), 9)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R /Resources << /Font %s >> >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, len(objects) + 2, fonts)
        )
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _assemble(objects, info=5)
