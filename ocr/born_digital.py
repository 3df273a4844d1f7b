"""Born-digital PDF pages: their own text is exact, so it is kept and Tesseract skipped.

A page counts as born-digital when it draws text and no image: a scanned page with a
scanner's (often poor) OCR layer has an image and goes through our own OCR instead.
Words and their boxes come from poppler's ``pdftotext -bbox-layout``; a text layer that
decodes to junk (broken font encodings) is ignored.
"""

from __future__ import annotations

import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf

from ocr.engine import OcrResult, Word

MIN_CHARS = 20
MIN_READABLE = 0.85  # share of letters, digits, spaces and punctuation
_NS = "{http://www.w3.org/1999/xhtml}"


def has_images(pdf: Path, index: int) -> bool:
    with pikepdf.open(pdf) as doc:
        return bool(doc.pages[index].get_images(recursive=True))


def _readable(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for c in text if unicodedata.category(c)[0] in "LNPZ" or c in "\n\t")
    return good / len(text)


def embedded_text(pdf: Path, index: int, *, dpi: int, timeout: float = 60.0) -> OcrResult | None:
    """The page's own words (boxes in pixels at ``dpi``), or None to use OCR instead."""
    try:
        if has_images(pdf, index):
            return None
        done = subprocess.run(
            [
                "pdftotext",
                "-bbox-layout",
                "-enc",
                "UTF-8",
                "-f",
                str(index + 1),
                "-l",
                str(index + 1),
                str(pdf),
                "-",
            ],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (pikepdf.PdfError, subprocess.TimeoutExpired, OSError, RecursionError):
        return None
    if done.returncode != 0:
        return None
    try:
        root = ET.fromstring(done.stdout)
    except ET.ParseError:
        return None
    scale = dpi / 72.0
    words: list[Word] = []
    lines: list[str] = []
    for n, line in enumerate(root.iter(f"{_NS}line")):
        texts = []
        for w in line.iter(f"{_NS}word"):
            text = unicodedata.normalize("NFC", (w.text or "").strip())
            if not text:
                continue
            x0, y0 = float(w.get("xMin", 0)) * scale, float(w.get("yMin", 0)) * scale
            x1, y1 = float(w.get("xMax", 0)) * scale, float(w.get("yMax", 0)) * scale
            words.append(
                Word(
                    text,
                    round(x0),
                    round(y0),
                    max(1, round(x1 - x0)),
                    max(1, round(y1 - y0)),
                    100.0,
                    n,
                )
            )
            texts.append(text)
        if texts:
            lines.append(" ".join(texts))
    text = "\n".join(lines)
    if len(text.replace(" ", "")) < MIN_CHARS or _readable(text) < MIN_READABLE:
        return None
    hocr = "<html><body><!-- text taken from the PDF itself, not recognised --></body></html>"
    return OcrResult(text=text + "\n", hocr=hocr, words=tuple(words))
