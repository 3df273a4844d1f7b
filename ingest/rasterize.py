"""Source files → page images, one page at a time (memory stays flat for any length).

A scanned PDF page that is exactly one embedded image is extracted as it is (≈0.01 s a
page, lossless); any other PDF page is rendered by pdftoppm at the configured dpi.
TIFF frames are read one by one. Limits guard against decompression bombs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageSequence, UnidentifiedImageError

from records.errors import BadInput, EngineError, FileTooLarge, UnsupportedFile

RENDER_TIMEOUT = 120.0


@dataclass(frozen=True)
class Limits:
    max_pages: int = 2000
    max_page_pixels: int = 150_000_000
    dpi: int = 300


@dataclass(frozen=True)
class PageImage:
    path: Path
    dpi: int


def count_pages(path: Path, kind: str, limits: Limits) -> int:
    """Validate the file and return its page count, or raise a clerk-readable error."""
    if kind == "pdf":
        n = _pdf_pages(path)
    elif kind == "tiff":
        n = _tiff_frames(path, limits)
    elif kind in ("jpeg", "png"):
        _check_image(path, limits)
        n = 1
    else:
        raise UnsupportedFile(f"định dạng {kind} không được hỗ trợ")
    if n == 0:
        raise BadInput("tệp không có trang nào")
    if n > limits.max_pages:
        raise FileTooLarge(f"tệp có {n} trang, vượt giới hạn {limits.max_pages} trang")
    return n


def _pdf_pages(path: Path) -> int:
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PasswordError as e:
        raise BadInput("PDF được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại") from e
    except (pikepdf.PdfError, RecursionError) as e:
        raise BadInput(f"PDF bị hỏng, không đọc được ({_short(e, path)})") from e


def _tiff_frames(path: Path, limits: Limits) -> int:
    try:
        with Image.open(path) as im:
            n = 0
            for frame in ImageSequence.Iterator(im):
                _check_size(frame.size, limits)
                n += 1
                if n > limits.max_pages:
                    break
            return n
    except Image.DecompressionBombError as e:
        raise FileTooLarge("ảnh có số điểm ảnh vượt giới hạn (có thể là tệp độc hại)") from e
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise BadInput(f"ảnh TIFF bị hỏng, không đọc được ({_short(e, path)})") from e


def _check_image(path: Path, limits: Limits) -> None:
    try:
        with Image.open(path) as im:
            _check_size(im.size, limits)
            im.verify()
    except Image.DecompressionBombError as e:
        raise FileTooLarge("ảnh có số điểm ảnh vượt giới hạn (có thể là tệp độc hại)") from e
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise BadInput(f"ảnh bị hỏng, không đọc được ({_short(e, path)})") from e


def _check_size(size: tuple[int, int], limits: Limits) -> None:
    w, h = size
    if w * h > limits.max_page_pixels:
        raise FileTooLarge(
            f"trang ảnh {w}×{h} điểm ảnh vượt giới hạn {limits.max_page_pixels:,} điểm ảnh"
        )


def page_image(path: Path, kind: str, index: int, out_dir: Path, limits: Limits) -> PageImage:
    """Write page ``index`` (0-based) of the source as an image file in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if kind == "pdf":
        return _pdf_page(path, index, out_dir, limits)
    if kind == "tiff":
        return _tiff_frame(path, index, out_dir, limits)
    with Image.open(path) as im:
        _check_size(im.size, limits)
        dpi = _image_dpi(im, limits.dpi)
    target = out_dir / ("source.jpg" if kind == "jpeg" else "source.png")
    target.write_bytes(path.read_bytes())
    return PageImage(target, dpi)


def _image_dpi(im: Image.Image, default: int) -> int:
    dpi = im.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError):
        value = 0
    return value if 70 <= value <= 1200 else default


def _tiff_frame(path: Path, index: int, out_dir: Path, limits: Limits) -> PageImage:
    with Image.open(path) as im:
        im.seek(index)
        _check_size(im.size, limits)
        dpi = _image_dpi(im, limits.dpi)
        frame = im.convert("L") if im.mode not in ("1", "L", "RGB") else im.copy()
    target = out_dir / "source.png"
    frame.save(target, optimize=False, compress_level=3)
    return PageImage(target, dpi)


def _pdf_page(path: Path, index: int, out_dir: Path, limits: Limits) -> PageImage:
    with pikepdf.open(path) as pdf:
        page = pdf.pages[index]
        width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
        height_pt = float(page.mediabox[3]) - float(page.mediabox[1])
        single = _single_image(page)
        if single is not None:
            image = pikepdf.PdfImage(single)  # type: ignore[arg-type]
            if image.width * image.height <= limits.max_page_pixels:
                try:
                    written = image.extract_to(fileprefix=str(out_dir / "source"))
                    dpi = round(image.width / (width_pt / 72.0)) if width_pt > 0 else limits.dpi
                    if Path(written).suffix in (".jpg", ".png", ".tif") and 70 <= dpi <= 1200:
                        return PageImage(Path(written), int(dpi))
                except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
                    pass  # unusual encoding: render the page instead
    return _render(path, index, out_dir, limits, width_pt, height_pt)


def _single_image(page: pikepdf.Page) -> pikepdf.Object | None:
    """The page's only image, if the page is a plain scan (one image, no text, upright)."""
    resources = page.obj.get("/Resources")
    if resources is None or "/Font" in resources or page.obj.get("/Rotate", 0) not in (0, None):
        return None
    images = list(page.get_images(recursive=False).values())
    if len(images) != 1:
        return None
    xobjects = resources.get("/XObject")
    if xobjects is not None and len(xobjects.keys()) != 1:
        return None
    return images[0]


def _render(
    path: Path, index: int, out_dir: Path, limits: Limits, width_pt: float, height_pt: float
) -> PageImage:
    dpi = limits.dpi
    if width_pt * height_pt * (dpi / 72.0) ** 2 > limits.max_page_pixels:
        raise FileTooLarge("trang PDF quá lớn để chuyển thành ảnh")
    prefix = out_dir / "source"
    try:
        done = subprocess.run(
            [
                "pdftoppm",
                "-f",
                str(index + 1),
                "-l",
                str(index + 1),
                "-r",
                str(dpi),
                "-jpeg",
                "-jpegopt",
                "quality=90",
                "-singlefile",
                str(path),
                str(prefix),
            ],
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise EngineError(f"chuyển trang {index + 1} thành ảnh quá thời gian") from e
    target = prefix.with_suffix(".jpg")
    if done.returncode != 0 or not target.exists():
        raise BadInput(
            f"không chuyển được trang {index + 1} thành ảnh: "
            f"{done.stderr.decode(errors='replace').strip()[-200:]}"
        )
    return PageImage(target, dpi)


def _short(e: BaseException, path: Path | None = None, limit: int = 120) -> str:
    """The first line of a library's error, without our file paths, cut at a word."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if path is not None:
        text = text.replace(str(path), "").lstrip(": ")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text
