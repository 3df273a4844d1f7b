"""What a file is, from its first bytes (never from its name)."""

from __future__ import annotations

KINDS = ("pdf", "tiff", "jpeg", "png")
HEAD_BYTES = 1024

# Formats whose own signature comes first; a "%PDF-" further on is their content (a PDF
# inside a ZIP, a web page quoting one), not a PDF.
_FOREIGN = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"MZ",
    b"GIF8",
    b"RIFF",
    b"\xd0\xcf\x11\xe0",
    b"Rar!",
    b"\x1f\x8b",
    b"7z\xbc\xaf\x27\x1c",
    b"BM",
    b"{\\rtf",
)


def sniff(head: bytes) -> str | None:
    """``pdf``, ``tiff``, ``jpeg``, ``png`` or None. PDF readers accept the ``%PDF-``
    marker anywhere in the first 1,024 bytes, so we do too, unless the file starts as
    another format (a ZIP holding a PDF is still a ZIP)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_FOREIGN) or _iso_media(head) is not None or _is_html(head):
        return None
    if b"%PDF-" in head[:HEAD_BYTES]:
        return "pdf"
    return None


def _iso_media(head: bytes) -> str | None:
    """The brand of an ISO base media file (HEIC/AVIF photos, MP4/MOV videos)."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12].decode("latin-1")
    return None


def _is_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        start.startswith((b"<?xml", b"<!--")) and b"<html" in head.lower()
    )


_HEIF_BRANDS = ("heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1")


def _zip_kind(head: bytes) -> str:
    if b"word/" in head:
        return "tệp Word (DOCX)"
    if b"xl/" in head:
        return "tệp Excel (XLSX)"
    if b"ppt/" in head:
        return "tệp PowerPoint (PPTX)"
    if b"mimetypeapplication/vnd.oasis.opendocument" in head:
        return "tệp văn bản OpenDocument (ODT/ODS)"
    if b"[Content_Types].xml" in head:
        return "tệp Word/Excel/PowerPoint (Office)"
    return "tệp nén ZIP (hoặc Word/Excel)"


def _is_text(head: bytes) -> bool:
    """Lines of readable UTF-8 (a last character may be cut by the 1 KiB window)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return False
        text = head[: e.start].decode("utf-8")
    return "\n" in text and all(c.isprintable() or c in "\t\r\n" for c in text)


def describe(head: bytes) -> str:
    """A clerk-readable guess of what an unsupported file is, for the error message."""
    if not head:
        return "tệp rỗng (0 byte)"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head)
    if head.startswith(b"RIFF"):
        return "ảnh WebP" if head[8:12] == b"WEBP" else "tệp âm thanh/video (RIFF)"
    brand = _iso_media(head)
    if brand is not None:
        if brand in _HEIF_BRANDS:
            return "ảnh HEIC/HEIF (ảnh chụp từ iPhone): hãy chuyển sang JPEG"
        if brand in ("avif", "avis"):
            return "ảnh AVIF: hãy chuyển sang JPEG hoặc PNG"
        return "tệp video"
    guesses = {
        b"MZ": "tệp chương trình (EXE)",
        b"GIF8": "ảnh GIF",
        b"\xd0\xcf\x11\xe0": "tệp Word/Excel cũ",
        b"Rar!": "tệp nén RAR",
        b"\x1f\x8b": "tệp nén GZIP",
        b"7z\xbc\xaf\x27\x1c": "tệp nén 7-Zip",
        b"BM": "ảnh BMP",
        b"{\\rtf": "tệp RTF (Word)",
        b"%!PS": "tệp PostScript",
        b"AT&TFORM": "tệp DjVu",
        b"\x00\x00\x00\x0cjP  ": "ảnh JPEG 2000",
    }
    for magic, what in guesses.items():
        if head.startswith(magic):
            return what
    stripped = head.lstrip()
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in head):
        return "ảnh vector SVG"
    if _is_html(head):
        return "trang web HTML"
    if _is_text(head):
        return "tệp văn bản thuần, không phải ảnh quét"
    return "định dạng không xác định"
