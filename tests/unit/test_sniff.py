"""File kinds from their first bytes, and the clerk-readable guess for refused files."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ingest.sniff import HEAD_BYTES, KINDS, describe, sniff


def _image_bytes(fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buf, format=fmt, **kw)
    return buf.getvalue()


def test_kinds() -> None:
    assert set(KINDS) == {"pdf", "tiff", "jpeg", "png"}


def test_pdf() -> None:
    assert sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == "pdf"


def test_pdf_after_junk_within_the_first_kilobyte() -> None:
    assert sniff(b"\x00" * 100 + b"%PDF-1.4\n") == "pdf"
    junk = b"Content-Type: application/pdf\r\n\r\n"
    assert sniff(junk + b"%PDF-1.5") == "pdf"
    assert sniff(b"x" * (HEAD_BYTES - 5) + b"%PDF-") == "pdf"  # marker ends at byte 1024


def test_pdf_marker_past_the_first_kilobyte_is_not_a_pdf() -> None:
    assert sniff(b"x" * HEAD_BYTES + b"%PDF-1.4") is None
    assert sniff(b"x" * (HEAD_BYTES - 4) + b"%PDF-1.4") is None  # marker straddles byte 1024


@pytest.mark.parametrize(
    ("fmt", "kw", "kind"),
    [
        ("TIFF", {}, "tiff"),
        ("JPEG", {"quality": 80}, "jpeg"),
        ("PNG", {}, "png"),
    ],
)
def test_real_images(fmt: str, kw: dict[str, object], kind: str) -> None:
    assert sniff(_image_bytes(fmt, **kw)[:HEAD_BYTES]) == kind


@pytest.mark.parametrize(
    "head",
    [
        b"II*\x00\x08\x00\x00\x00",
        b"MM\x00*\x00\x00\x00\x08",
        b"II+\x00\x08\x00",
        b"MM\x00+\x00\x08",
    ],
    ids=["little-endian", "big-endian", "bigtiff-le", "bigtiff-be"],
)
def test_tiff_both_byte_orders(head: bytes) -> None:
    assert sniff(head) == "tiff"


def test_jpeg_and_png_headers() -> None:
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "jpeg"
    assert sniff(b"\xff\xd8\xff\xe1\x00\x10Exif\x00") == "jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "png"


ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
SVG_XML = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'


@pytest.mark.parametrize(
    "head",
    [
        ZIP,
        EXE,
        b"GIF89a\x01\x00\x01\x00",
        b"GIF87a\x01\x00\x01\x00",
        SVG,
        SVG_XML,
        b"",
        b"hello",
        b"\x89PNG",  # truncated signature
        b"\xff\xd8",  # truncated signature
        b"II*",  # truncated signature
    ],
    ids=[
        "zip",
        "exe",
        "gif89",
        "gif87",
        "svg",
        "svg-xml",
        "empty",
        "text",
        "png-short",
        "jpeg-short",
        "tiff-short",
    ],
)
def test_unsupported_is_none(head: bytes) -> None:
    assert sniff(head) is None


def test_real_gif_is_not_supported() -> None:
    assert sniff(_image_bytes("GIF")) is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ZIP, "tệp nén ZIP (hoặc Word/Excel)"),
        (EXE, "tệp chương trình (EXE)"),
        (SVG, "ảnh vector SVG"),
        (b"  \n" + SVG, "ảnh vector SVG"),
        (SVG_XML, "ảnh vector SVG"),
        (b"", "tệp rỗng (0 byte)"),
        (b"GIF89a", "ảnh GIF"),
        (b"Rar!\x1a\x07\x00", "tệp nén RAR"),
        (b"\x1f\x8b\x08\x00", "tệp nén GZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tệp Word/Excel cũ"),
        (b"hello world", "định dạng không xác định"),
        (b'<?xml version="1.0"?><root/>', "định dạng không xác định"),
    ],
    ids=[
        "zip",
        "exe",
        "svg",
        "svg-leading-space",
        "svg-xml",
        "empty",
        "gif",
        "rar",
        "gzip",
        "ole",
        "text",
        "xml-not-svg",
    ],
)
def test_describe_in_vietnamese(head: bytes, expected: str) -> None:
    assert describe(head) == expected
