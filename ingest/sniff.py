"""What a file is, from its first bytes (never from its name)."""

from __future__ import annotations

KINDS = ("pdf", "tiff", "jpeg", "png")
HEAD_BYTES = 1024


def sniff(head: bytes) -> str | None:
    """``pdf``, ``tiff``, ``jpeg``, ``png`` or None. PDF readers accept the ``%PDF-``
    marker anywhere in the first 1,024 bytes, so we do too."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if b"%PDF-" in head[:HEAD_BYTES]:
        return "pdf"
    return None


def describe(head: bytes) -> str:
    """A clerk-readable guess of what an unsupported file is, for the error message."""
    guesses = {
        b"PK\x03\x04": "tệp nén ZIP (hoặc Word/Excel)",
        b"MZ": "tệp chương trình (EXE)",
        b"GIF8": "ảnh GIF",
        b"RIFF": "ảnh WebP hoặc tệp âm thanh/video",
        b"\xd0\xcf\x11\xe0": "tệp Word/Excel cũ",
        b"Rar!": "tệp nén RAR",
        b"\x1f\x8b": "tệp nén GZIP",
    }
    for magic, what in guesses.items():
        if head.startswith(magic):
            return what
    stripped = head.lstrip()
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in head):
        return "ảnh vector SVG"
    if not head:
        return "tệp rỗng (0 byte)"
    return "định dạng không xác định"
