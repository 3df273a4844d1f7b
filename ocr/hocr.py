"""Reading words and boxes out of hOCR (Tesseract's HTML output)."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from ocr.engine import OcrResult, Word

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_CONF = re.compile(r"x_wconf (\d+(?:\.\d+)?)")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[Word] = []
        self._line = -1
        self._word: tuple[int, int, int, int, float] | None = None
        self._text: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = a.get("class") or ""
        title = a.get("title") or ""
        if cls in ("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"):
            self._line += 1
        if self._word is not None:
            self._depth += 1
        elif cls == "ocrx_word":
            box = _BBOX.search(title)
            conf = _CONF.search(title)
            if box:
                x0, y0, x1, y1 = (int(v) for v in box.groups())
                self._word = (x0, y0, x1, y1, float(conf.group(1)) if conf else 0.0)
                self._text = []
                self._depth = 0

    def handle_endtag(self, tag: str) -> None:
        if self._word is None:
            return
        if self._depth:
            self._depth -= 1
            return
        text = "".join(self._text).strip()
        if text:
            x0, y0, x1, y1, conf = self._word
            self.words.append(Word(text, x0, y0, x1 - x0, y1 - y0, conf, max(self._line, 0)))
        self._word = None

    def handle_data(self, data: str) -> None:
        if self._word is not None:
            self._text.append(data)


def parse_words(hocr: str) -> list[Word]:
    parser = _Parser()
    parser.feed(hocr)
    parser.close()
    return parser.words


_NUMBERS = re.compile(r"\b(bbox|x_size|x_descenders|x_ascenders|baseline|scan_res) ([-\d. ]+)")
_IMAGE = re.compile(r'image "[^"]*"')


def scale_result(result: OcrResult, fx: float, fy: float, *, image: str) -> OcrResult:
    """``result`` of recognising a resized copy, with every box multiplied by ``fx``/``fy``
    so it refers to the full-size page image (named ``image`` in the hOCR)."""

    def numbers(m: re.Match[str]) -> str:
        key, raw = m.group(1), m.group(2)
        values, tail = raw.split(), raw[len(raw.rstrip()) :]
        if key == "bbox" and len(values) == 4:
            x0, y0, x1, y1 = (float(v) for v in values)
            out = f"{round(x0 * fx)} {round(y0 * fy)} {round(x1 * fx)} {round(y1 * fy)}"
        elif key == "baseline" and len(values) == 2:  # the slope stays, the offset is pixels
            out = f"{values[0]} {round(float(values[1]) * fy)}"
        elif key == "scan_res" and len(values) == 2:
            out = f"{round(float(values[0]) * fx)} {round(float(values[1]) * fy)}"
        elif len(values) == 1:
            out = f"{round(float(values[0]) * fy, 2):g}"
        else:
            return m.group(0)
        return f"{key} {out}{tail}"

    hocr = _IMAGE.sub(f'image "{image}"', _NUMBERS.sub(numbers, result.hocr), count=1)
    words = tuple(
        replace(
            w,
            left=round(w.left * fx),
            top=round(w.top * fy),
            width=round(w.width * fx),
            height=round(w.height * fy),
        )
        for w in result.words
    )
    return OcrResult(text=result.text, hocr=hocr, words=words)
