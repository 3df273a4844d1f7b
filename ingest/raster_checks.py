"""Is this source file safe and whole? Checks run before anything is decoded or rendered.

Every file is hostile until read: images are opened with the sniffed format's own reader
(our pixel limit is the only one), sizes are checked before anything is decoded, a JPEG
is fully decoded at 1/8 scale to catch truncation, a PDF's pages come from qpdf's walk of
the real page tree (never /Count), damaged or truncated PDFs are refused, and images
painted by a page are checked before poppler renders it. Whatever a library raises on a
broken file becomes a clerk-readable :class:`BadInput` (:func:`reading`).
"""

from __future__ import annotations

import math
import mmap
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageFile, ImageSequence, JpegImagePlugin, PngImagePlugin, TiffImagePlugin

from records.errors import BadInput, FileTooLarge, HosoError

RENDER_TIMEOUT = 120.0
MAX_WALK = 10_000  # objects looked at when checking a page's images


@dataclass(frozen=True)
class Limits:
    max_pages: int = 2000
    max_page_pixels: int = 150_000_000
    dpi: int = 300
    render_timeout: float = RENDER_TIMEOUT


_READERS: dict[str, Callable[[str], ImageFile.ImageFile]] = {
    "jpeg": JpegImagePlugin.JpegImageFile,
    "png": PngImagePlugin.PngImageFile,
    "tiff": TiffImagePlugin.TiffImageFile,
}
LABELS = {"jpeg": "ảnh JPEG", "png": "ảnh PNG", "tiff": "ảnh TIFF", "pdf": "PDF"}


@contextmanager
def reading(what: str, path: Path) -> Iterator[None]:
    """Turn whatever a library raises on a hostile file into a clerk-readable error.

    PIL and pikepdf raise many kinds of exception on malformed input (OSError,
    SyntaxError, struct.error, ValueError, IndexError, RecursionError, …); none of them
    may escape a pipeline step. Library warnings (corrupt EXIF, …) are not refusals."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except HosoError:
        raise
    except MemoryError as e:
        raise FileTooLarge(f"{what} quá lớn, không đủ bộ nhớ để đọc") from e
    except OSError as e:
        if "truncated" in str(e).lower():
            raise BadInput(f"{what} bị cắt cụt (tệp không trọn vẹn): hãy tải lên lại") from e
        raise BadInput(f"{what} bị hỏng, không đọc được ({short(e, path)})") from e
    except Exception as e:
        raise BadInput(f"{what} bị hỏng, không đọc được ({short(e, path)})") from e


def open_image(path: Path, kind: str) -> Image.Image:
    """Open with the sniffed format's reader only: no format guessing, and no PIL
    decompression-bomb check (ours, with the configured limit, runs right after)."""
    return _READERS[kind](str(path))


def pdf_pages(path: Path) -> int:
    try:
        with pikepdf.open(path) as pdf:
            n = len(pdf.pages)  # qpdf walks the real page tree; /Count is not trusted
            repaired = bool(pdf.get_warnings())
            if n == 0:
                if repaired or _claimed_pages(pdf) > 0:
                    raise BadInput("PDF bị hỏng: không đọc được trang nào")
                raise BadInput("PDF có 0 trang")
            if repaired:
                _refuse_if_truncated(pdf, path)
            return n
    except pikepdf.PasswordError as e:
        raise BadInput("PDF được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại") from e
    except (pikepdf.PikepdfError, RecursionError) as e:
        raise BadInput(f"PDF bị hỏng, không đọc được ({short(e, path)})") from e


def _claimed_pages(pdf: pikepdf.Pdf) -> int:
    try:
        return int(pdf.Root.Pages.Count)
    except (AttributeError, KeyError, TypeError, ValueError, pikepdf.PikepdfError):
        return 0


_DATA_LOST = ("unexpected eof", "unable to recover stream data", "stream as empty")


def _refuse_if_truncated(pdf: pikepdf.Pdf, path: Path) -> None:
    """qpdf repaired the file. A rebuilt cross-reference table is fine; lost data is not:
    a file that stops before its end (an interrupted copy or upload) or a page whose
    content is gone would give blank or half pages."""
    lost = any(m in w.lower() for w in pdf.get_warnings() for m in _DATA_LOST)
    if lost or not _ends_with_eof_marker(path):
        raise BadInput("PDF bị hỏng hoặc bị cắt cụt (tệp không trọn vẹn): hãy tải lên lại tệp gốc")
    for i, page in enumerate(pdf.pages):
        contents = page.obj.get("/Contents")
        parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        # A null is an object qpdf could not find: that part of the page is gone.
        if not any(isinstance(c, pikepdf.Stream) for c in parts) or None in parts:
            raise BadInput(f"PDF bị hỏng: trang {i + 1} mất nội dung")


def _ends_with_eof_marker(path: Path, tail: int = 65536) -> bool:
    size = path.stat().st_size
    if size == 0:
        return False
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.rfind(b"%%EOF", max(0, size - tail)) != -1


def tiff_frames(path: Path, limits: Limits) -> int:
    with open_image(path, "tiff") as im:
        n = 0
        for frame in ImageSequence.Iterator(im):
            check_size(frame.size, limits, n)
            n += 1
            if n > limits.max_pages:
                break
        return n


def check_image(path: Path, kind: str, limits: Limits) -> None:
    with open_image(path, kind) as im:
        check_size(im.size, limits)
        if kind == "jpeg":
            check_jpeg(path, im, "ảnh JPEG")
        else:
            _check_png_size(path, im)
            im.verify()  # every chunk's CRC, up to IEND


def check_size(size: tuple[int, int], limits: Limits, frame: int | None = None) -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise BadInput(f"ảnh có kích thước {w}×{h} điểm ảnh, không có gì để đọc")
    if w * h > limits.max_page_pixels:
        where = f" (trang {frame + 1})" if frame else ""
        raise FileTooLarge(
            f"ảnh {w}×{h} điểm ảnh{where} vượt giới hạn {limits.max_page_pixels:,} điểm ảnh"
            " (có thể là tệp độc hại)"
        )


def _jpeg_frame_marker(path: Path) -> int | None:
    """The JPEG's SOFn marker (0xC0…0xCF), read from the markers before the scan."""
    with path.open("rb") as f:
        data = f.read(1 << 17)
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker
        else:
            i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def check_jpeg(path: Path, im: Image.Image, what: str) -> None:
    """Catch a JPEG whose scan data stops early: a truncated file (the bottom of the
    page is missing; PIL would fill it with grey) or a frame header claiming far more
    pixels than the data can hold."""
    w, h = im.size
    size = path.stat().st_size
    # Huffman-coded DCT spends at least one bit on each 8×8 block of the first component.
    if _jpeg_frame_marker(path) in (0xC0, 0xC1, 0xC2) and size * 8 < (
        math.ceil(w / 8) * math.ceil(h / 8)
    ):
        raise BadInput(
            f"{what} bị hỏng: khai báo {w}×{h} điểm ảnh nhưng chỉ có {size:,} byte dữ liệu"
        )
    im.draft(im.mode, (max(1, w // 8), max(1, h // 8)))  # decodes everything, at 1/8 scale
    try:
        im.load()
    except OSError as e:
        if "truncated" not in str(e):
            raise
        raise BadInput(
            f"{what} bị cắt cụt (tệp không trọn vẹn, thiếu phần cuối trang): "
            "hãy quét hoặc chép lại rồi tải lên"
        ) from e


def _check_png_size(path: Path, im: Image.Image) -> None:
    """Deflate packs at most 1,032 bytes into one: fewer bytes than that allows for the
    declared size (at 1 bit a pixel) means the header lies or the data is cut."""
    w, h = im.size
    size = path.stat().st_size
    if size * 1032 < h * (1 + math.ceil(w / 8)):
        raise BadInput(
            f"ảnh PNG bị hỏng: khai báo {w}×{h} điểm ảnh nhưng chỉ có {size:,} byte dữ liệu"
        )


def check_page_images(page: pikepdf.Page, index: int, limits: Limits) -> None:
    """Refuse a page painting an image bigger than the pixel limit: poppler would spend
    minutes decoding it (or its empty padding), even scaled down to a stamp. Looks into
    form XObjects, patterns, Type 3 fonts, masks and annotation appearances."""
    containers = (pikepdf.Dictionary, pikepdf.Stream)
    stack: list[pikepdf.Object] = [page.obj]
    annots = page.obj.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        stack.extend(a for a in annots if isinstance(a, pikepdf.Dictionary))
    seen: set[tuple[int, int]] = set()
    steps = 0
    while stack and steps < MAX_WALK:
        steps += 1
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
            try:
                w, h = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
            except (TypeError, ValueError, pikepdf.PikepdfError):
                continue
            if w * h > limits.max_page_pixels:
                raise FileTooLarge(
                    f"trang {index + 1} có ảnh {w}×{h} điểm ảnh, vượt giới hạn "
                    f"{limits.max_page_pixels:,} điểm ảnh (có thể là tệp độc hại)"
                )
        for key in ("/Resources", "/SMask", "/Mask", "/AP"):
            child = obj.get(key)
            if isinstance(child, containers):
                stack.append(child)
        for key in ("/XObject", "/Pattern", "/Font", "/N", "/R", "/D"):
            group = obj.get(key)
            if isinstance(group, pikepdf.Dictionary):
                stack.extend(v for v in group.values() if isinstance(v, containers))
            elif isinstance(group, pikepdf.Stream):
                stack.append(group)


def short(e: BaseException, path: Path | None = None, limit: int = 120) -> str:
    """The first line of a library's error, without our file paths, cut at a word."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if path is not None:
        text = text.replace(str(path), "").lstrip(": ")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
