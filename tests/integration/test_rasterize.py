"""Source files → page images: lossless extraction, rendering, and clear refusals."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from ingest.rasterize import Limits, count_pages, page_image
from records.errors import BadInput, FileTooLarge
from tests.conftest import RESOURCES

SCANNED_PDF = RESOURCES / "synth" / "pdf" / "batch.pdf"
TIFF = RESOURCES / "synth" / "tiff" / "batch.tif"


def test_scanned_pdf_page_is_extracted_as_is(tmp_path: Path) -> None:
    assert count_pages(SCANNED_PDF, "pdf", Limits()) == 2
    page = page_image(SCANNED_PDF, "pdf", 1, tmp_path, Limits())
    with pikepdf.open(SCANNED_PDF) as pdf:
        embedded = next(iter(pdf.pages[1].get_images().values())).read_raw_bytes()
    assert page.path.suffix == ".jpg"
    assert page.path.read_bytes() == embedded  # lossless: the scanner's JPEG itself
    assert page.dpi == 200


def test_vector_pdf_page_is_rendered(tmp_path: Path) -> None:
    pdf = tmp_path / "born-digital.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(100, 700, "Quyet dinh so 12")
    c.showPage()
    c.save()
    page = page_image(pdf, "pdf", 0, tmp_path / "out", Limits(dpi=150))
    with Image.open(page.path) as im:
        assert page.dpi == 150
        assert abs(im.width - round(595.27 / 72 * 150)) <= 2


def test_multipage_tiff_frames(tmp_path: Path) -> None:
    assert count_pages(TIFF, "tiff", Limits()) == 2
    page = page_image(TIFF, "tiff", 1, tmp_path, Limits())
    with Image.open(page.path) as im, Image.open(TIFF) as src:
        src.seek(1)
        assert im.size == src.size
    assert page.dpi == 300


def test_encrypted_pdf_with_open_password_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(SCANNED_PDF) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="mo-khoa", owner="chu"))
    with pytest.raises(BadInput, match="mật khẩu"):
        count_pages(locked, "pdf", Limits())


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    restricted = tmp_path / "restricted.pdf"
    with pikepdf.open(SCANNED_PDF) as pdf:
        pdf.save(restricted, encryption=pikepdf.Encryption(user="", owner="chu"))
    assert count_pages(restricted, "pdf", Limits()) == 2


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    with pytest.raises(BadInput, match="PDF bị hỏng"):
        count_pages(cut, "pdf", Limits())


def test_too_many_pages_is_refused() -> None:
    with pytest.raises(FileTooLarge, match="giới hạn 1 trang"):
        count_pages(SCANNED_PDF, "pdf", Limits(max_pages=1))


def _png_header_only(path: Path, width: int, height: int) -> None:
    """A PNG whose header claims a huge size: a decompression bomb's first bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    data += struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + data)


def test_pixel_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    _png_header_only(bomb, 100_000, 100_000)
    with pytest.raises(FileTooLarge, match="điểm ảnh"):
        count_pages(bomb, "png", Limits())
