"""Fakes of the ports, for unit tests. They honour the same contracts as the real
adapters (files written, errors raised) without running Tesseract."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from PIL import Image, PngImagePlugin

from ocr.page import PageOptions, PageOutcome
from records.errors import EngineError

#: pixels → ground truth, for pages whose PNG chunks are lost on the way (inside a PDF)
TRUTH: dict[str, str] = {}


def _pixel_key(im: Image.Image) -> str:
    return hashlib.sha256(im.convert("L").tobytes()).hexdigest()


def text_png(path: Path, text: str, size: tuple[int, int] = (620, 877)) -> Path:
    """A small PNG 'scan' carrying its ground truth: in a tEXt chunk, and through a pixel
    pattern unique to the text (so it survives being embedded in a PDF and extracted)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("truth", text)
    im = Image.new("L", size, 255)
    for i, byte in enumerate(hashlib.sha256(text.encode()).digest()):
        im.putpixel((i, 0), byte)
    TRUTH[_pixel_key(im)] = text
    im.save(path, pnginfo=info)
    return path


class FakeRecognizer:
    """Reads the page's text from the PNG's ``truth`` chunk; 'CRASH' in it fails the page."""

    def __init__(self) -> None:
        self.calls: list[Path] = []

    def run(self, image: Path, out_dir: Path, options: PageOptions) -> PageOutcome:
        self.calls.append(image)
        with Image.open(image) as im:
            text = im.info.get("truth") or TRUTH.get(_pixel_key(im), "")
            w, h = im.size
        if "CRASH" in text:
            raise EngineError("Tesseract bị lỗi và đã dừng (mã thoát -11)")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image, out_dir / "image.png")
        (out_dir / "text.txt").write_text(text, encoding="utf-8")
        (out_dir / "page.hocr").write_text(f"<html><body>{text}</body></html>", encoding="utf-8")
        words = [
            {
                "text": t,
                "left": 10 + 60 * i,
                "top": 10,
                "width": 50,
                "height": 20,
                "confidence": 90.0,
                "line": 0,
            }
            for i, t in enumerate(text.split())
        ]
        (out_dir / "words.json").write_text(json.dumps(words), encoding="utf-8")
        Image.new("L", (32, 45), 255).save(out_dir / "thumb.jpg")
        kind, value = _sheet(text)
        if kind != "page":
            (out_dir / "text.txt").write_text("", encoding="utf-8")
            (out_dir / "words.json").write_text("[]", encoding="utf-8")
            return PageOutcome(
                "image.png",
                0,
                0.0,
                w,
                h,
                0,
                0.0,
                kind=kind,
                barcode=value,
                dossier_code=value if kind == "cover" else None,
                doc_type=value if kind == "separator" else None,
            )
        return PageOutcome("image.png", 0, 0.0, w, h, len(words), 90.0)


def _sheet(text: str) -> tuple[str, str | None]:
    """The fake's stand-in for barcodes: 'COVER:<code>', 'SEP:<type>', 'BLANK'."""
    if text.startswith("COVER:"):
        return "cover", text[6:]
    if text.startswith("SEP:"):
        return "separator", text[4:]
    if text == "BLANK":
        return "blank", None
    return "page", None
