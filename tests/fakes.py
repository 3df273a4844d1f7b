"""Fakes of the ports, for unit tests. They honour the same contracts as the real
adapters (files written, errors raised) without running Tesseract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PIL import Image, PngImagePlugin

from ocr.page import PageOptions, PageOutcome
from records.errors import EngineError


def text_png(path: Path, text: str, size: tuple[int, int] = (620, 877)) -> Path:
    """A small PNG 'scan' that carries its own ground truth in a tEXt chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text("truth", text)
    Image.new("L", size, 255).save(path, pnginfo=info)
    return path


class FakeRecognizer:
    """Reads the page's text from the PNG's ``truth`` chunk; 'CRASH' in it fails the page."""

    def __init__(self) -> None:
        self.calls: list[Path] = []

    def run(self, image: Path, out_dir: Path, options: PageOptions) -> PageOutcome:
        self.calls.append(image)
        with Image.open(image) as im:
            text = im.info.get("truth", "")
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
        return PageOutcome("image.png", 0, 0.0, w, h, len(words), 90.0)
