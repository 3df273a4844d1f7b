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
"""

from __future__ import annotations

import math
import mmap
import shutil
import subprocess
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import (
    Image,
    ImageFile,
    ImageOps,
    ImageSequence,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
)

from records.errors import BadInput, EngineError, FileTooLarge, HosoError, UnsupportedFile

RENDER_TIMEOUT = 120.0
MAX_PLAIN_CONTENT = 4096  # bytes: a scanner's page content is one `cm` and one `Do`
MAX_WALK = 10_000  # objects looked at when checking a page's images
LETTER = (612.0, 792.0)  # what readers assume for a page without a usable /MediaBox


@dataclass(frozen=True)
class Limits:
    max_pages: int = 2000
    max_page_pixels: int = 150_000_000
    dpi: int = 300
    render_timeout: float = RENDER_TIMEOUT


@dataclass(frozen=True)
class PageImage:
    path: Path
    dpi: int


_READERS: dict[str, Callable[[str], ImageFile.ImageFile]] = {
    "jpeg": JpegImagePlugin.JpegImageFile,
    "png": PngImagePlugin.PngImageFile,
    "tiff": TiffImagePlugin.TiffImageFile,
}
_LABELS = {"jpeg": "ảnh JPEG", "png": "ảnh PNG", "tiff": "ảnh TIFF", "pdf": "PDF"}


@contextmanager
def _reading(what: str, path: Path) -> Iterator[None]:
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
        raise BadInput(f"{what} bị hỏng, không đọc được ({_short(e, path)})") from e
    except Exception as e:
        raise BadInput(f"{what} bị hỏng, không đọc được ({_short(e, path)})") from e


def _open_image(path: Path, kind: str) -> Image.Image:
    """Open with the sniffed format's reader only: no format guessing, and no PIL
    decompression-bomb check (ours, with the configured limit, runs right after)."""
    return _READERS[kind](str(path))


# -- page count -----------------------------------------------------------------------


def count_pages(path: Path, kind: str, limits: Limits) -> int:
    """Validate the file and return its page count, or raise a clerk-readable error."""
    if kind not in _LABELS:
        raise UnsupportedFile(f"định dạng {kind} không được hỗ trợ")
    with _reading(_LABELS[kind], path):
        if kind == "pdf":
            n = _pdf_pages(path)
        elif kind == "tiff":
            n = _tiff_frames(path, limits)
        else:
            _check_image(path, kind, limits)
            n = 1
    if n == 0:
        raise BadInput("tệp không có trang nào")
    if n > limits.max_pages:
        more = "hơn " if kind == "tiff" else ""  # TIFF frames are counted up to the limit
        shown = limits.max_pages if kind == "tiff" else n
        raise FileTooLarge(f"tệp có {more}{shown} trang, vượt giới hạn {limits.max_pages} trang")
    return n


def _pdf_pages(path: Path) -> int:
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
        raise BadInput(f"PDF bị hỏng, không đọc được ({_short(e, path)})") from e


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


def _tiff_frames(path: Path, limits: Limits) -> int:
    with _open_image(path, "tiff") as im:
        n = 0
        for frame in ImageSequence.Iterator(im):
            _check_size(frame.size, limits, n)
            n += 1
            if n > limits.max_pages:
                break
        return n


def _check_image(path: Path, kind: str, limits: Limits) -> None:
    with _open_image(path, kind) as im:
        _check_size(im.size, limits)
        if kind == "jpeg":
            _check_jpeg(path, im, "ảnh JPEG")
        else:
            _check_png_size(path, im)
            im.verify()  # every chunk's CRC, up to IEND


def _check_size(size: tuple[int, int], limits: Limits, frame: int | None = None) -> None:
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


def _check_jpeg(path: Path, im: Image.Image, what: str) -> None:
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


# -- page images ----------------------------------------------------------------------


def page_image(path: Path, kind: str, index: int, out_dir: Path, limits: Limits) -> PageImage:
    """Write page ``index`` (0-based) of the source as an image file in ``out_dir``."""
    if kind not in _LABELS:
        raise UnsupportedFile(f"định dạng {kind} không được hỗ trợ")
    out_dir.mkdir(parents=True, exist_ok=True)
    with _reading(_LABELS[kind], path):
        if kind == "pdf":
            return _pdf_page(path, index, out_dir, limits)
        if kind == "tiff":
            return _tiff_frame(path, index, out_dir, limits)
        return _single_image_file(path, kind, out_dir, limits)


def _single_image_file(path: Path, kind: str, out_dir: Path, limits: Limits) -> PageImage:
    with _open_image(path, kind) as im:
        _check_size(im.size, limits)
        dpi = _image_dpi(im, limits.dpi)
        if _is_plain(im, path if kind == "png" else None):
            target = out_dir / ("source.jpg" if kind == "jpeg" else "source.png")
            shutil.copyfile(path, target)  # lossless: the page as scanned
            return PageImage(target, dpi)
        return PageImage(_save_normalised(im, out_dir, as_jpeg=kind == "jpeg"), dpi)


def _image_dpi(im: Image.Image, default: int) -> int:
    dpi = im.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 1200 else default


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
        return int(value) if 1 <= int(value) <= 8 else 1
    except Exception:  # a broken EXIF block is not a reason to refuse the page
        return 1


def _png_bit_depth(path: Path) -> int:
    with path.open("rb") as f:
        head = f.read(25)
    return head[24] if len(head) == 25 else 8


def _is_plain(im: Image.Image, png: Path | None) -> bool:
    """Good as it is for OCR and for the searchable PDF (img2pdf refuses alpha)."""
    if im.mode not in ("1", "L", "RGB", "P") or "transparency" in im.info:
        return False
    if png is not None and _png_bit_depth(png) == 16:
        return False
    return _orientation(im) == 1


_SIXTEEN_BIT = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")


def _normalised(im: Image.Image) -> Image.Image:
    """8-bit greyscale or RGB, transparency laid over white, turned as EXIF says."""
    if _orientation(im) != 1:
        im = ImageOps.exif_transpose(im)
    grey = im.mode in ("1", "L", "LA", *_SIXTEEN_BIT)
    if im.mode in _SIXTEEN_BIT:
        _lo, hi = im.getextrema()
        top = float(hi) if isinstance(hi, (int, float)) and hi > 0 else 1.0
        return im.convert("I").point(lambda v: v * (255.0 / top)).convert("L")
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        flat = Image.new("RGBA", im.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        return flat.convert("L" if grey else "RGB")
    if im.mode in ("1", "L", "RGB"):
        return im.copy()
    return im.convert("RGB")  # CMYK (PIL undoes Adobe's inversion), YCbCr, LAB, P, …


def _save_normalised(im: Image.Image, out_dir: Path, *, as_jpeg: bool) -> Path:
    page = _normalised(im)
    dpi = im.info.get("dpi")
    extra = {"dpi": dpi} if dpi else {}
    if as_jpeg and page.mode in ("L", "RGB"):
        target = out_dir / "page.jpg"
        page.save(target, format="JPEG", quality=95, **extra)
    else:
        target = out_dir / "page.png"
        page.save(target, format="PNG", compress_level=3, **extra)
    return target


def _tiff_frame(path: Path, index: int, out_dir: Path, limits: Limits) -> PageImage:
    with _open_image(path, "tiff") as im:
        im.seek(index)
        _check_size(im.size, limits, index)
        dpi = _image_dpi(im, limits.dpi)
        frame = _normalised(im)
    target = out_dir / "source.png"
    frame.save(target, optimize=False, compress_level=3)
    return PageImage(target, dpi)


# -- PDF pages ------------------------------------------------------------------------


def _pdf_page(path: Path, index: int, out_dir: Path, limits: Limits) -> PageImage:
    try:
        with pikepdf.open(path) as pdf:
            page = pdf.pages[index]
            width_pt, height_pt = _page_size(page)
            if width_pt < 1 or height_pt < 1:
                raise BadInput(
                    f"trang {index + 1} của PDF có kích thước bằng 0, không có gì để đọc"
                )
            _check_page_images(page, index, limits)
            extracted = _extract_scan(page, out_dir, limits, width_pt, height_pt)
            if extracted is not None:
                return extracted
            dpi = _native_dpi(page, width_pt, height_pt, limits)
    except pikepdf.PasswordError as e:
        raise BadInput("PDF được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại") from e
    except (pikepdf.PikepdfError, RecursionError) as e:
        raise BadInput(f"PDF bị hỏng, không đọc được ({_short(e, path)})") from e
    return _render(path, index, out_dir, limits, width_pt, height_pt, dpi)


def _page_size(page: pikepdf.Page) -> tuple[float, float]:
    """The page's /MediaBox in points (what pdftoppm renders), however it is written."""
    try:
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    except (TypeError, ValueError, AttributeError, KeyError, pikepdf.PikepdfError):
        return LETTER
    w, h = abs(x1 - x0), abs(y1 - y0)
    return (w, h) if math.isfinite(w * h) else LETTER


def _rotation(page: pikepdf.Page) -> int:
    try:
        return int(page.obj.get("/Rotate", 0)) % 360
    except (TypeError, ValueError, pikepdf.PikepdfError):
        return -1  # unreadable: let the renderer decide


_PLAIN_COLOURS = ("/DeviceGray", "/DeviceRGB", "/CalGray", "/CalRGB")


def _plain_scan_image(image: pikepdf.Object) -> bool:
    """An image we can hand on as it is: no masks, no /Decode, 1 or 8 bits, grey or RGB."""
    if any(k in image for k in ("/ImageMask", "/Mask", "/SMask", "/Decode")):
        return False
    if int(image.get("/BitsPerComponent", 8)) not in (1, 8):
        return False
    cs = image.get("/ColorSpace")
    if isinstance(cs, pikepdf.Array) and len(cs) == 2 and cs[0] == "/ICCBased":
        return int(cs[1].get("/N", 0)) in (1, 3)
    return isinstance(cs, pikepdf.Name) and str(cs) in _PLAIN_COLOURS


def _single_image(page: pikepdf.Page, width_pt: float, height_pt: float) -> pikepdf.Object | None:
    """The page's only image, if the page is a plain scan: no /Rotate, no fonts, no
    annotations drawn over it, one image painted upright (no turn or mirror in the
    matrix) over the whole page by a tiny content stream."""
    try:
        if _rotation(page) != 0:
            return None
        resources = page.obj.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary) or "/Font" in resources:
            return None
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array) and any(
            isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") not in ("/Link", "/Popup")
            for a in annots
        ):
            return None  # stamps, signatures, notes: draw them as a viewer would
        xobjects = resources.get("/XObject")
        if not isinstance(xobjects, pikepdf.Dictionary) or len(xobjects.keys()) != 1:
            return None
        name = next(iter(xobjects.keys()))
        image = xobjects[name]
        if not isinstance(image, pikepdf.Stream) or image.get("/Subtype") != "/Image":
            return None
        if not _plain_scan_image(image) or not _paints_upright(page, name, width_pt, height_pt):
            return None
        return image
    except (pikepdf.PikepdfError, TypeError, ValueError, KeyError, AttributeError, RecursionError):
        return None  # anything unusual: render the page instead


def _paints_upright(page: pikepdf.Page, name: str, width_pt: float, height_pt: float) -> bool:
    contents = page.obj.get("/Contents")
    parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    streams = [s for s in parts if isinstance(s, pikepdf.Stream)]
    if len(streams) != len(parts):
        return False
    if sum(int(s.get("/Length", 0)) for s in streams) > MAX_PLAIN_CONTENT:
        return False
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    saved: list[tuple[float, ...]] = []
    painted: tuple[float, ...] | None = None
    for instruction in pikepdf.parse_content_stream(page):
        op = str(instruction.operator)
        operands = list(getattr(instruction, "operands", ()))
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop() if saved else ctm
        elif op == "cm" and len(operands) == 6:
            ctm = _concat(tuple(float(v) for v in operands), ctm)
        elif op == "Do" and painted is None and operands and str(operands[0]) == name:
            painted = ctm
        else:
            return False
    if painted is None:
        return False
    a, b, c, d, _e, _f = painted
    return b == 0 and c == 0 and a >= 0.9 * width_pt and d >= 0.9 * height_pt


def _concat(m: tuple[float, ...], ctm: tuple[float, ...]) -> tuple[float, ...]:
    """``m × ctm``: what ``cm`` does to the current transformation matrix."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = ctm
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _extract_scan(
    page: pikepdf.Page, out_dir: Path, limits: Limits, width_pt: float, height_pt: float
) -> PageImage | None:
    single = _single_image(page, width_pt, height_pt)
    if single is None:
        return None
    try:
        image = pikepdf.PdfImage(single)  # type: ignore[arg-type]
        if image.width * image.height > limits.max_page_pixels:
            return None
        dpi = round(image.width / (width_pt / 72.0))
        if not 70 <= dpi <= 1200:
            return None
        written = Path(image.extract_to(fileprefix=str(out_dir / "source")))
    except (pikepdf.PikepdfError, NotImplementedError, ValueError, TypeError, OSError):
        return None  # unusual encoding (JBIG2 without jbig2dec, …): render the page
    if written.suffix == ".jpg":
        with _open_image(written, "jpeg") as im:
            _check_jpeg(written, im, "ảnh quét trong PDF")
            if im.mode not in ("L", "RGB"):
                return None
    elif written.suffix not in (".png", ".tif"):
        written.unlink(missing_ok=True)
        return None
    return PageImage(written, int(dpi))


def _native_dpi(page: pikepdf.Page, width_pt: float, height_pt: float, limits: Limits) -> int:
    """A page holding one scan (turned, masked, …) is rendered at the scan's own
    resolution: more pixels would add nothing but time."""
    try:
        images = list(page.get_images(recursive=False).values())
        if len(images) != 1:
            return limits.dpi
        image = images[0]
        longest = max(int(image.get("/Width", 0)), int(image.get("/Height", 0)))
    except (pikepdf.PikepdfError, TypeError, ValueError, AttributeError, RecursionError):
        return limits.dpi
    dpi = round(longest / (max(width_pt, height_pt) / 72.0))
    return dpi if 70 <= dpi <= limits.dpi else limits.dpi


def _check_page_images(page: pikepdf.Page, index: int, limits: Limits) -> None:
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


def _render(
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
    with _reading("PDF", path), pikepdf.open(path) as pdf, pikepdf.new() as copy:
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
    if "/Rotate" in obj and _rotation(page) not in (0, 90, 180, 270):
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
    return _short(Exception(lines[-1] if lines else f"mã thoát {done.returncode}"), path)


def _has_size(image: Path, expected: tuple[int, int]) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with _open_image(image, "jpeg") as im:
                got = sorted(im.size)
    except Exception:
        return False
    return all(abs(g - e) <= max(2, e // 100) for g, e in zip(got, sorted(expected), strict=True))


def _short(e: BaseException, path: Path | None = None, limit: int = 120) -> str:
    """The first line of a library's error, without our file paths, cut at a word."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if path is not None:
        text = text.replace(str(path), "").lstrip(": ")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
