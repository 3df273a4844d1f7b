"""Source files → page images, one page at a time (memory stays flat for any length).

A scanned PDF page that is exactly one upright embedded image covering the page is
extracted as it is (≈0.01 s a page, lossless); any other PDF page is rendered by
pdftoppm (which honours /Rotate and the drawing matrix). TIFF frames are read one by
one. JPEG and PNG pages pass through byte for byte unless they need normalising (alpha,
16 bits, CMYK, palette transparency, EXIF orientation).

Every file is hostile until read: images are opened with the sniffed format's own reader
(our pixel limit is the only one), sizes are checked before anything is decoded, a JPEG
is fully decoded at 1/8 scale to catch truncation, a PDF's pages come from qpdf's walk of
the real page tree (never /Count), damaged or truncated PDFs are refused, images painted
by a page are checked before poppler renders it, and rendering has a deadline. Whatever
a library raises on a broken file becomes a clerk-readable :class:`BadInput`.

The checks are in :mod:`ingest.raster_checks`, taking pages as they are in
:mod:`ingest.raster_extract`, rendering in :mod:`ingest.raster_render`.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from ingest.raster_checks import (
    LABELS,
    Limits,
    check_image,
    check_page_images,
    pdf_pages,
    reading,
    short,
    tiff_frames,
)
from ingest.raster_extract import (
    PageImage,
    extract_scan,
    native_dpi,
    page_size,
    single_image_file,
    tiff_frame,
)
from ingest.raster_render import render_page
from records.errors import BadInput, FileTooLarge, UnsupportedFile

__all__ = ["Limits", "PageImage", "count_pages", "page_image"]


def count_pages(path: Path, kind: str, limits: Limits) -> int:
    """Validate the file and return its page count, or raise a clerk-readable error."""
    if kind not in LABELS:
        raise UnsupportedFile(f"định dạng {kind} không được hỗ trợ")
    with reading(LABELS[kind], path):
        if kind == "pdf":
            n = pdf_pages(path)
        elif kind == "tiff":
            n = tiff_frames(path, limits)
        else:
            check_image(path, kind, limits)
            n = 1
    if n == 0:
        raise BadInput("tệp không có trang nào")
    if n > limits.max_pages:
        more = "hơn " if kind == "tiff" else ""  # TIFF frames are counted up to the limit
        shown = limits.max_pages if kind == "tiff" else n
        raise FileTooLarge(f"tệp có {more}{shown} trang, vượt giới hạn {limits.max_pages} trang")
    return n


def page_image(path: Path, kind: str, index: int, out_dir: Path, limits: Limits) -> PageImage:
    """Write page ``index`` (0-based) of the source as an image file in ``out_dir``."""
    if kind not in LABELS:
        raise UnsupportedFile(f"định dạng {kind} không được hỗ trợ")
    out_dir.mkdir(parents=True, exist_ok=True)
    with reading(LABELS[kind], path):
        if kind == "pdf":
            return _pdf_page(path, index, out_dir, limits)
        if kind == "tiff":
            return tiff_frame(path, index, out_dir, limits)
        return single_image_file(path, kind, out_dir, limits)


def _pdf_page(path: Path, index: int, out_dir: Path, limits: Limits) -> PageImage:
    try:
        with pikepdf.open(path) as pdf:
            page = pdf.pages[index]
            width_pt, height_pt = page_size(page)
            if width_pt < 1 or height_pt < 1:
                raise BadInput(
                    f"trang {index + 1} của PDF có kích thước bằng 0, không có gì để đọc"
                )
            check_page_images(page, index, limits)
            extracted = extract_scan(page, out_dir, limits, width_pt, height_pt)
            if extracted is not None:
                return extracted
            dpi = native_dpi(page, width_pt, height_pt, limits)
    except pikepdf.PasswordError as e:
        raise BadInput("PDF được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại") from e
    except (pikepdf.PikepdfError, RecursionError) as e:
        raise BadInput(f"PDF bị hỏng, không đọc được ({short(e, path)})") from e
    return render_page(path, index, out_dir, limits, width_pt, height_pt, dpi)
