"""Page images taken from the source as they are where possible.

JPEG and PNG pages pass through byte for byte unless they need normalising (alpha, 16
bits, CMYK, palette transparency, EXIF orientation); TIFF frames are read one by one. A
scanned PDF page that is exactly one upright embedded image covering the page is
extracted as it is (≈0.01 s a page, lossless); any other PDF page is rendered
(:mod:`ingest.raster_render`).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageOps

from ingest.raster_checks import Limits, check_jpeg, check_size, open_image

MAX_PLAIN_CONTENT = 4096  # bytes: a scanner's page content is one `cm` and one `Do`
LETTER = (612.0, 792.0)  # what readers assume for a page without a usable /MediaBox


@dataclass(frozen=True)
class PageImage:
    path: Path
    dpi: int


def single_image_file(path: Path, kind: str, out_dir: Path, limits: Limits) -> PageImage:
    with open_image(path, kind) as im:
        check_size(im.size, limits)
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


def tiff_frame(path: Path, index: int, out_dir: Path, limits: Limits) -> PageImage:
    with open_image(path, "tiff") as im:
        im.seek(index)
        check_size(im.size, limits, index)
        dpi = _image_dpi(im, limits.dpi)
        frame = _normalised(im)
    target = out_dir / "source.png"
    frame.save(target, optimize=False, compress_level=3)
    return PageImage(target, dpi)


def page_size(page: pikepdf.Page) -> tuple[float, float]:
    """The page's /MediaBox in points (what pdftoppm renders), however it is written."""
    try:
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    except (TypeError, ValueError, AttributeError, KeyError, pikepdf.PikepdfError):
        return LETTER
    w, h = abs(x1 - x0), abs(y1 - y0)
    return (w, h) if math.isfinite(w * h) else LETTER


def rotation(page: pikepdf.Page) -> int:
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


def single_image(page: pikepdf.Page, width_pt: float, height_pt: float) -> pikepdf.Object | None:
    """The page's only image, if the page is a plain scan: no /Rotate, no fonts, no
    annotations drawn over it, one image painted upright (no turn or mirror in the
    matrix) over the whole page by a tiny content stream."""
    try:
        if rotation(page) != 0:
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


def extract_scan(
    page: pikepdf.Page, out_dir: Path, limits: Limits, width_pt: float, height_pt: float
) -> PageImage | None:
    single = single_image(page, width_pt, height_pt)
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
        with open_image(written, "jpeg") as im:
            check_jpeg(written, im, "ảnh quét trong PDF")
            if im.mode not in ("L", "RGB"):
                return None
    elif written.suffix not in (".png", ".tif"):
        written.unlink(missing_ok=True)
        return None
    return PageImage(written, int(dpi))


def native_dpi(page: pikepdf.Page, width_pt: float, height_pt: float, limits: Limits) -> int:
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
