"""Small operations on page image files."""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def turn_image_file(path: Path, degrees: int) -> None:
    """Turn a page image clockwise by a multiple of 90°, in place (PNG stays lossless)."""
    transpose = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }[degrees % 360]
    with Image.open(path) as im:
        turned = im.transpose(transpose)
        fmt = im.format
    if fmt == "JPEG":
        turned.save(path, format=fmt, quality=92)
    else:
        turned.save(path, format=fmt)
