"""Hostile and broken TIFF files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.badfiles.common import scan_image


def _tiff(entries: list[tuple[int, int, int, int]], data: bytes = b"", ifd_at: int = 8) -> bytes:
    """A little-endian TIFF: header, pixel ``data`` at 8, one IFD after it."""
    if ifd_at == 8:
        ifd_at = 8 + len(data) + (len(data) & 1)
    out = b"II*\x00" + struct.pack("<I", ifd_at) + data + b"\x00" * (len(data) & 1)
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in sorted(entries):
        ifd += struct.pack("<HHII", tag, typ, count, value)
    return out + ifd + b"\x00\x00\x00\x00"


SHORT, LONG = 3, 4


def make_tiff_bomb(path: Path) -> None:
    """A 200-byte TIFF claiming 100,000 × 100,000 pixels (Deflate, one tiny strip)."""
    data = zlib.compress(b"\x00" * 1024)
    entries = [
        (256, LONG, 1, 100_000),  # width
        (257, LONG, 1, 100_000),  # height
        (258, SHORT, 1, 8),  # bits per sample
        (259, SHORT, 1, 8),  # Deflate
        (262, SHORT, 1, 1),  # BlackIsZero
        (273, LONG, 1, 8),  # strip offset
        (277, SHORT, 1, 1),
        (278, LONG, 1, 100_000),  # rows per strip
        (279, LONG, 1, len(data)),
    ]
    path.write_bytes(_tiff(entries, data))


def make_tiff_bomb_frame2(path: Path) -> None:
    """A good first frame, then a second frame claiming 50,000 × 50,000 pixels."""
    first = Image.new("L", (100, 100), 255)
    buf = io.BytesIO()
    first.save(buf, format="TIFF", save_all=True, append_images=[Image.new("L", (20, 20), 255)])
    data = bytearray(buf.getvalue())
    # Patch the second IFD's width and height (both LONG or SHORT) to 50,000.
    ifd0 = struct.unpack_from("<I", data, 4)[0]
    n0 = struct.unpack_from("<H", data, ifd0)[0]
    ifd1 = struct.unpack_from("<I", data, ifd0 + 2 + 12 * n0)[0]
    n1 = struct.unpack_from("<H", data, ifd1)[0]
    for i in range(n1):
        at = ifd1 + 2 + 12 * i
        (tag,) = struct.unpack_from("<H", data, at)
        if tag in (256, 257):
            struct.pack_into("<HHII", data, at, tag, LONG, 1, 50_000)
    path.write_bytes(bytes(data))


def make_tiff_no_ifd(path: Path) -> None:
    """A TIFF header whose first IFD has zero entries (no frame at all)."""
    path.write_bytes(
        b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x00" + b"\x00" * 1100
    )


def make_tiff_ifd_past_end(path: Path) -> None:
    """A TIFF header whose first IFD offset points far past the end of the file."""
    path.write_bytes(b"II*\x00" + struct.pack("<I", 0x7FFFFFF0) + b"\x00" * 1100)


def make_tiff_too_many_frames(path: Path, frames: int = 2001) -> None:
    """2,001 tiny frames, one more than the default page limit (2,000); every frame's
    IFD points at the same 16 × 16 bilevel strip."""
    strip = b"\xff" * 32
    entries = 9
    ifd_size = 2 + 12 * entries + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8 + len(strip)) + strip)
    for i in range(frames):
        start = len(out)
        following = start + ifd_size if i < frames - 1 else 0
        out += struct.pack("<H", entries)
        for tag, typ, value in (
            (256, SHORT, 16),
            (257, SHORT, 16),
            (258, SHORT, 1),
            (259, SHORT, 1),
            (262, SHORT, 1),
            (273, LONG, 8),
            (277, SHORT, 1),
            (278, SHORT, 16),
            (279, LONG, len(strip)),
        ):
            out += struct.pack("<HHII", tag, typ, 1, value)
        out += struct.pack("<I", following)
    path.write_bytes(bytes(out))


def make_tiff_ifd_loop(path: Path) -> None:
    """A one-frame TIFF whose IFD names itself as the next one (an endless chain)."""
    buf = io.BytesIO()
    scan_image((300, 400)).save(buf, format="TIFF", compression="tiff_adobe_deflate")
    data = bytearray(buf.getvalue())
    ifd = struct.unpack_from("<I", data, 4)[0]
    n = struct.unpack_from("<H", data, ifd)[0]
    struct.pack_into("<I", data, ifd + 2 + 12 * n, ifd)
    path.write_bytes(bytes(data))


def make_tiff_truncated(path: Path) -> None:
    """An uncompressed 1000 × 1000 greyscale TIFF cut after 1 % of its pixel data."""
    entries = [
        (256, SHORT, 1, 1000),
        (257, SHORT, 1, 1000),
        (258, SHORT, 1, 8),
        (259, SHORT, 1, 1),
        (262, SHORT, 1, 1),
        (273, LONG, 1, 8 + 2 + 12 * 9 + 4),
        (277, SHORT, 1, 1),
        (278, SHORT, 1, 1000),
        (279, LONG, 1, 1_000_000),
    ]
    ifd = struct.pack("<H", len(entries))
    ifd += b"".join(struct.pack("<HHII", *e) for e in entries) + b"\x00\x00\x00\x00"
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + b"\xff" * 10_000)


def make_tiff_g4(path: Path) -> None:
    """A bilevel CCITT Group 4 TIFF, 200 dpi: the classic office scan."""
    scan_image((1654, 2339)).convert("1").save(
        path, format="TIFF", compression="group4", dpi=(200, 200)
    )
