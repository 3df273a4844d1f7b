"""One page, end to end on the OCR side: upright, straight, recognised, thumbnailed.

``ocr_page`` reads a page image file and writes its products into ``out_dir``:
``image.<jpg|png>`` (the corrected page; the original bytes when no correction was
needed), ``text.txt``, ``page.hocr``, ``words.json`` and ``thumb.jpg``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import cv2
import numpy as np

from ocr.engine import OcrEngine, OcrResult, Word
from ocr.geometry import (
    MIN_CORRECTION,
    Pyramid,
    detect_skew,
    glyph_height,
    looks_sideways,
    rotate,
    turn,
    upright_ratio,
)
from ocr.hocr import scale_result
from ocr.sheets import SheetInfo, classify
from records.errors import BadInput

THUMB_WIDTH = 320
WORD_FIELDS = tuple(f.name for f in fields(Word))
#: ``upright_ratio`` at or above which a page is upright, at or below which it is upside
#: down, without asking Tesseract (measured: ≥ 2.26 upright, ≤ 0.4 upside down).
UPRIGHT_SURE = 1.5
UPSIDE_DOWN_SURE = 0.67
#: Recognition never runs below this resolution, whatever the text size. Only the copy
#: handed to Tesseract is scaled: the stored page keeps the scan's resolution (Decree
#: 30/2020 asks ≥ 200 dpi of electronic copies). The glyph rule below is what decides:
#: 12–13.5 pt text is read at ~160 dpi. Measured on 40 generated 300 dpi scans (turned
#: ones included): pooled CER 0.113% against 0.101% with a 200 dpi floor, 16% less CPU
#: per page; on 8–13 pt pages equal or better at every size.
MIN_OCR_DPI = 150
#: Median glyph height (px) a page keeps when scaled down for recognition. Measured on
#: generated pages: 7 pt text at 200 dpi (11 px) lost characters (CER 2.7%), at 240 dpi
#: (13.6 px) read as well as at 300 dpi; 8–14 pt at 200 dpi read as well or better.
OCR_GLYPH_PX = 14.0


@dataclass(frozen=True)
class PageOptions:
    language: str = "vie"
    dpi: int = 300
    orient: bool = True
    deskew: bool = True
    sheets: bool = True  # recognise cover/separator sheets and blank pages (no OCR on them)
    #: recognise a high-resolution page with large enough text at a lower resolution
    #: (glyphs of at least OCR_GLYPH_PX, never below MIN_OCR_DPI); boxes are mapped back
    #: to the page image's pixels
    adapt_resolution: bool = True


@dataclass(frozen=True)
class PageOutcome:
    image: str  # file name in out_dir of the page image to publish
    turned: int  # clockwise degrees applied to make the page upright
    skew: float  # degrees of deskew applied (0.0 when none)
    width: int
    height: int
    words: int
    mean_confidence: float
    kind: str = "page"  # page | cover | separator | blank
    dossier_code: str | None = None
    doc_type: str | None = None
    barcode: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise BadInput(f"Không đọc được ảnh trang {path.name}")
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(int(image.max()), 1))
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def _grey(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _straighten(
    original: np.ndarray, page: Pyramid, turned: int, deskew: bool
) -> tuple[np.ndarray, float, Pyramid]:
    """``original`` (whose grey pyramid is ``page``) turned ``turned``° clockwise and
    deskewed, with the pyramid of the result."""
    image, page = turn(original, turned), page.turned(turned)
    skew = detect_skew(page) if deskew else 0.0
    if abs(skew) < MIN_CORRECTION:
        return image, 0.0, page
    straight = rotate(image, skew)
    return straight, skew, Pyramid(_grey(straight))


def ocr_page(engine: OcrEngine, source: Path, out_dir: Path, options: PageOptions) -> PageOutcome:
    """Turn upright, deskew, recognise; if the result still reads badly, ask Tesseract
    for the orientation, turn, and recognise again.

    The page's layout decides the turn for nearly every page in a few ms (see
    ``_orient``); Tesseract's orientation detection (~0.3 s) is the fallback when the
    layout is unsure, when the recognised text is poor, or when the page is landscape.
    Upright pages, nearly all of them, cost recognition alone.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    original = _read(source)
    with source.open("rb") as f:
        head = f.read(8)
    is_jpeg = head.startswith(b"\xff\xd8\xff")
    keep = is_jpeg or head.startswith(b"\x89PNG")  # other formats (TIFF) become PNG
    target = out_dir / ("image.jpg" if is_jpeg else "image.png")
    first = page = Pyramid(_grey(original))
    if options.sheets:
        sheet = classify(page)
        if sheet.kind != "page":
            return _not_recognised(
                source, target, original, page, sheet, is_jpeg=is_jpeg, keep=keep
            )
    if options.orient:
        image, turned, skew, asked, page = _orient(
            engine, original, page, options, target, source, keep
        )
    else:
        (image, skew, page), turned, asked = (
            _straighten(original, page, 0, options.deskew),
            0,
            False,
        )
    _write(source, target, image, changed=bool(skew or turned) or not keep, is_jpeg=is_jpeg)
    result = _recognize(engine, target, image, page, options)
    wrong = _looks_wrong(result) or image.shape[1] > image.shape[0]
    if options.orient and not asked and wrong:
        extra, _confidence = engine.detect_orientation(target)  # relative to ``image``
        if extra:
            turned = (turned + extra) % 360
            image, skew, page = _straighten(original, first, turned, options.deskew)
            _write(source, target, image, changed=True, is_jpeg=is_jpeg)
            result = _recognize(engine, target, image, page, options)
    _outputs(out_dir, result, image, page)
    h, w = image.shape[:2]
    return PageOutcome(
        image=target.name,
        turned=turned,
        skew=skew,
        width=w,
        height=h,
        words=len(result.words),
        mean_confidence=round(result.mean_confidence, 2),
    )


def _orient(
    engine: OcrEngine,
    original: np.ndarray,
    page: Pyramid,
    options: PageOptions,
    target: Path,
    source: Path,
    keep: bool,
) -> tuple[np.ndarray, int, float, bool, Pyramid]:
    """Turn and straighten a page: ``(image, clockwise turn, skew, asked, pyramid)``.

    The page's layout tells most pages' orientation in a few ms: lines running up and
    down (``looks_sideways``) and the ink above vs below the lines (``upright_ratio``).
    Tesseract's orientation detection (~0.3 s) is asked (``asked``) only when those are
    unsure; a page turned on the layout's word that then reads badly is checked by it
    after recognition.
    """
    sideways = looks_sideways(page)
    image, skew, straight = _straighten(original, page, 90 if sideways else 0, options.deskew)
    turned = 90 if sideways else 0
    ratio = upright_ratio(straight)
    if ratio is not None and ratio <= UPSIDE_DOWN_SURE:
        # half a turn more; lines keep their slope, so the straightened page just turns
        return turn(image, 180), (turned + 180) % 360, skew, False, straight.turned(180)
    if (ratio is not None and ratio >= UPRIGHT_SURE) or (ratio is None and not sideways):
        return image, turned, skew, False, straight
    is_jpeg = target.suffix == ".jpg"
    _write(source, target, original, changed=not keep, is_jpeg=is_jpeg)
    turned, _confidence = engine.detect_orientation(target)
    image, skew, straight = _straighten(original, page, turned, options.deskew)
    return image, turned, skew, True, straight


def ocr_scale(page: np.ndarray | Pyramid, dpi: int) -> float:
    """How much to shrink a page before recognition: 1.0 (not at all) unless the page is
    above MIN_OCR_DPI and its glyphs stay at least OCR_GLYPH_PX high.

    Tesseract's cost grows with the pixels it lays out and binarises, while its line
    recogniser rescales every text line to a fixed height anyway: on 300 dpi pages of
    12–13.5 pt text, recognising at 200 dpi took ~20% less CPU at equal or lower CER,
    and at ~160 dpi (where the glyph rule stops them) 16% less again.
    """
    if dpi <= MIN_OCR_DPI:
        return 1.0
    height = glyph_height(page)
    if height is None:
        return 1.0
    scale = min(1.0, max(MIN_OCR_DPI / dpi, OCR_GLYPH_PX / height))
    return 1.0 if scale > 0.95 else scale


def _recognize(
    engine: OcrEngine, target: Path, image: np.ndarray, page: Pyramid, options: PageOptions
) -> OcrResult:
    """Recognise the page image ``target`` (whose pixels are ``image``, grey pyramid
    ``page``), maybe scaled down (see ``ocr_scale``); word boxes and hOCR always refer to
    ``target``'s pixels."""
    grey = page.full
    scale = ocr_scale(page, options.dpi) if options.adapt_resolution else 1.0
    if scale == 1.0:
        return engine.recognize(target, language=options.language, dpi=options.dpi)
    h, w = grey.shape
    small = cv2.resize(
        grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    dpi = round(options.dpi * scale)
    in_memory = getattr(engine, "recognize_pixels", None)  # tesserocr: no file in between
    if in_memory is not None:
        result = in_memory(small, language=options.language, dpi=dpi)
    else:
        scaled = target.with_name("ocr-input.pgm")  # uncompressed: no encode/decode cost
        cv2.imwrite(str(scaled), small)
        try:
            result = engine.recognize(scaled, language=options.language, dpi=dpi)
        finally:
            scaled.unlink(missing_ok=True)
    return scale_result(result, w / small.shape[1], h / small.shape[0], image=target.name)


def _outputs(
    out_dir: Path, result: OcrResult, image: np.ndarray, page: Pyramid | None = None
) -> None:
    """Text, hOCR, words and the thumbnail; ``page`` is ``image``'s grey pyramid when at
    hand (a grey page's thumbnail is made from its quarter-size copy: ~6 ms less)."""
    (out_dir / "text.txt").write_text(result.text, encoding="utf-8")
    (out_dir / "page.hocr").write_text(result.hocr, encoding="utf-8")
    # a dict per word by hand: dataclasses.asdict deep-copies every field (~6 ms a page)
    words = [{f: getattr(w, f) for f in WORD_FIELDS} for w in result.words]
    (out_dir / "words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    h, w = image.shape[:2]
    small = page.quarter if page is not None and image.ndim == 2 and w >= 4 * THUMB_WIDTH else image
    thumb = cv2.resize(
        small, (THUMB_WIDTH, max(1, h * THUMB_WIDTH // w)), interpolation=cv2.INTER_AREA
    )
    cv2.imwrite(str(out_dir / "thumb.jpg"), thumb, [cv2.IMWRITE_JPEG_QUALITY, 80])


def page_with_text(source: Path, out_dir: Path, result: OcrResult) -> PageOutcome:
    """A page whose text is already known (a born-digital PDF page): no OCR, same outputs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    image = _read(source)
    with source.open("rb") as f:
        is_jpeg = f.read(3) == b"\xff\xd8\xff"
    target = out_dir / ("image.jpg" if is_jpeg else "image.png")
    _write(source, target, image, changed=not is_jpeg and source.suffix != ".png", is_jpeg=is_jpeg)
    _outputs(out_dir, result, image)
    h, w = image.shape[:2]
    return PageOutcome(
        image=target.name,
        turned=0,
        skew=0.0,
        width=w,
        height=h,
        words=len(result.words),
        mean_confidence=100.0,
        kind="page",
    )


def _not_recognised(
    source: Path,
    target: Path,
    image: np.ndarray,
    page: Pyramid,
    sheet: SheetInfo,
    *,
    is_jpeg: bool,
    keep: bool,
) -> PageOutcome:
    """A sheet or a blank page: kept as scanned (it is evidence), never recognised."""
    _write(source, target, image, changed=not keep, is_jpeg=is_jpeg)
    _outputs(target.parent, OcrResult(text="", hocr="", words=()), image, page)
    h, w = image.shape[:2]
    return PageOutcome(
        image=target.name,
        turned=0,
        skew=0.0,
        width=w,
        height=h,
        words=0,
        mean_confidence=0.0,
        kind=sheet.kind,
        dossier_code=sheet.dossier_code,
        doc_type=sheet.doc_type,
        barcode=sheet.barcode,
    )


MIN_CONFIDENCE = 65.0
MIN_WORDS = 3


def _looks_wrong(result: OcrResult) -> bool:
    return len(result.words) < MIN_WORDS or result.mean_confidence < MIN_CONFIDENCE


def _write(source: Path, target: Path, image: np.ndarray, *, changed: bool, is_jpeg: bool) -> None:
    if not changed:
        shutil.copyfile(source, target)  # lossless: the page as scanned
        return
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if is_jpeg else [cv2.IMWRITE_PNG_COMPRESSION, 3]
    cv2.imwrite(str(target), image, params)
