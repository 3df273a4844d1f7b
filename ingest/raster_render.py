"""PDF pages rendered by poppler's pdftoppm, which honours /Rotate and the drawing matrix,
with a deadline; a page poppler refuses is rendered again from a clean one-page copy."""

from __future__ import annotations

import math
import subprocess
import warnings
from pathlib import Path

import pikepdf

from ingest.raster_checks import Limits, open_image, reading, short
from ingest.raster_extract import PageImage, rotation
from records.errors import BadInput, EngineError, FileTooLarge


def render_page(
    path: Path,
    index: int,
    out_dir: Path,
    limits: Limits,
    width_pt: float,
    height_pt: float,
    dpi: int,
) -> PageImage:
    w_px = math.ceil(width_pt * dpi / 72.0)
    h_px = math.ceil(height_pt * dpi / 72.0)
    if w_px * h_px > limits.max_page_pixels:
        raise FileTooLarge(
            f"trang {index + 1} khổ {width_pt / 72:.0f}×{height_pt / 72:.0f} inch, ở {dpi} dpi "
            f"thành {w_px}×{h_px} điểm ảnh, vượt giới hạn {limits.max_page_pixels:,} điểm ảnh"
        )
    expected = (w_px, h_px)
    if _pdftoppm(path, index + 1, index + 1, out_dir, dpi, limits, expected) is None:
        return PageImage(out_dir / "source.jpg", dpi)
    # poppler refused the page (a lying page tree, entries of the wrong type, damage qpdf
    # could mend): render it again from a clean one-page copy written by qpdf.
    alone = out_dir / "page.pdf"
    with reading("PDF", path), pikepdf.open(path) as pdf, pikepdf.new() as copy:
        copy.pages.append(pdf.pages[index])
        _drop_malformed(copy.pages[0])
        copy.save(alone)
    failure = _pdftoppm(alone, 1, index + 1, out_dir, dpi, limits, expected)
    alone.unlink(missing_ok=True)
    if failure is None:
        return PageImage(out_dir / "source.jpg", dpi)
    raise BadInput(f"PDF bị hỏng: không chuyển được trang {index + 1} thành ảnh ({failure})")


def _drop_malformed(page: pikepdf.Page) -> None:
    """Remove page entries of the wrong type, which make poppler give up on the page."""
    obj = page.obj
    for key, kind in (
        ("/Annots", pikepdf.Array),
        ("/Resources", pikepdf.Dictionary),
        ("/Group", pikepdf.Dictionary),
    ):
        if key in obj and not isinstance(obj[key], kind):
            del obj[key]
    if "/Rotate" in obj and rotation(page) not in (0, 90, 180, 270):
        del obj["/Rotate"]
    contents = obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        obj.Contents = pikepdf.Array([c for c in contents if isinstance(c, pikepdf.Stream)])


def _pdftoppm(
    path: Path,
    number: int,
    label: int,
    out_dir: Path,
    dpi: int,
    limits: Limits,
    expected: tuple[int, int],
) -> str | None:
    """Render page ``number`` to ``out_dir/source.jpg`` (``label``: its number for the
    clerk); None when done, else poppler's complaint.
    A page poppler could not build comes out as a 1×1 image with exit status 0, so the
    size is checked against the page's (either way round: /Rotate)."""
    prefix = out_dir / "source"
    target = prefix.with_suffix(".jpg")
    target.unlink(missing_ok=True)
    command = [
        "pdftoppm",
        "-f",
        str(number),
        "-l",
        str(number),
        "-r",
        str(dpi),
        "-jpeg",
        "-jpegopt",
        "quality=90",
        "-singlefile",
        str(path),
        str(prefix),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=limits.render_timeout, check=False
        )
    except FileNotFoundError as e:
        raise EngineError("không tìm thấy pdftoppm (gói poppler-utils) để chuyển trang PDF") from e
    except subprocess.TimeoutExpired as e:
        raise EngineError(
            f"chuyển trang {label} thành ảnh quá thời gian ({limits.render_timeout:.0f} giây)"
        ) from e
    if done.returncode == 0 and target.exists() and _has_size(target, expected):
        return None
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return short(Exception(lines[-1] if lines else f"mã thoát {done.returncode}"), path)


def _has_size(image: Path, expected: tuple[int, int]) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with open_image(image, "jpeg") as im:
                got = sorted(im.size)
    except Exception:
        return False
    return all(abs(g - e) <= max(2, e // 100) for g, e in zip(got, sorted(expected), strict=True))
