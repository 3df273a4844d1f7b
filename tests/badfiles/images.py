"""Hostile and broken JPEG and PNG files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.badfiles.common import scan_image, scan_jpeg


def make_jpeg_truncated(path: Path) -> None:
    """A baseline JPEG cut in the middle of its scan data (an interrupted upload/copy)."""
    data = scan_jpeg((1200, 1600), quality=80)
    path.write_bytes(data[: len(data) // 2])


def make_jpeg_huge_sof(path: Path) -> None:
    """A small JPEG whose frame header (SOF0) claims 65,000 × 65,000 pixels."""
    data = bytearray(scan_jpeg((64, 64)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 65000, 65000)
    path.write_bytes(bytes(data))


def make_jpeg_sof_lie(path: Path) -> None:
    """A small JPEG whose SOF0 claims 12,000 × 12,000 (under the pixel limit): the scan
    data ends long before the image does."""
    data = bytearray(scan_jpeg((64, 64)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 12000, 12000)
    path.write_bytes(bytes(data))


def make_jpeg_cmyk(path: Path) -> None:
    cmyk = scan_image((600, 800), "RGB").convert("CMYK")
    cmyk.save(path, format="JPEG", quality=50, dpi=(100, 100))


def make_jpeg_exif_rotated(path: Path) -> None:
    """A phone photo: pixels stored sideways, EXIF Orientation 6 says 'turn 90°
    clockwise to view'."""
    im = scan_image((600, 800)).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    im.save(path, format="JPEG", quality=50, exif=exif, dpi=(100, 100))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png_bomb_header(path: Path) -> None:
    """A PNG whose header claims 100,000 × 100,000 pixels, with a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def make_png_size_lie(path: Path) -> None:
    """Valid chunks and CRCs, but the header claims 12,000 × 12,000 (under the pixel
    limit) for 100 bytes of data."""
    ihdr = struct.pack(">IIBBBBB", 12_000, 12_000, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 256))
        + png_chunk(b"IEND", b"")
    )


def make_png_bad_crc(path: Path) -> None:
    """A good PNG with one byte of its image data flipped (the chunk's CRC no longer
    matches)."""
    buf = io.BytesIO()
    scan_image((300, 400)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    idat = data.index(b"IDAT")
    data[idat + 20] ^= 0xFF
    path.write_bytes(bytes(data))


def make_png_16bit(path: Path) -> None:
    im = scan_image((600, 800)).point(lambda v: v * 257, "I").convert("I;16")
    im.save(path, format="PNG", dpi=(100, 100))


def make_png_alpha(path: Path) -> None:
    """Black text on a fully transparent background (whose hidden colour is black too):
    dropping the alpha channel gives a black page."""
    im = Image.new("RGBA", (600, 800), (0, 0, 0, 0))
    mask = Image.eval(scan_image((600, 800)), lambda v: 255 - v)
    im.putalpha(mask)
    im.save(path, format="PNG", dpi=(100, 100))


def make_png_palette_transparent(path: Path) -> None:
    im = scan_image((600, 800)).convert("P")
    im.save(path, format="PNG", transparency=255, dpi=(100, 100))
