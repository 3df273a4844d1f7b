"""Tesseract through its command line: a new process and model load per call.

Slower than the in-process adapter (~0.11 s fixed cost per call) but needs only the
Debian package. Every call has a timeout and failures become ``EngineError``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ocr.engine import OcrResult
from ocr.hocr import parse_words
from records.errors import EngineError

_ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def run_tesseract(args: list[str], *, timeout: float) -> str:
    try:
        done = subprocess.run(
            ["tesseract", *args], capture_output=True, timeout=timeout, env=_ENV, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise EngineError(f"Tesseract quá thời gian ({timeout:.0f} giây)") from e
    except FileNotFoundError as e:
        raise EngineError("Chưa cài Tesseract (gói tesseract-ocr)") from e
    if done.returncode != 0:
        raise EngineError(f"Tesseract lỗi: {done.stderr.decode(errors='replace').strip()[-300:]}")
    return done.stdout.decode("utf-8")


class TesseractCliEngine:
    def __init__(self, *, timeout: float = 180.0) -> None:
        self.timeout = timeout

    def recognize(self, image: Path, *, language: str, dpi: int) -> OcrResult:
        hocr = run_tesseract(
            [str(image), "stdout", "-l", language, "--dpi", str(dpi), "hocr"],
            timeout=self.timeout,
        )
        words = parse_words(hocr)
        lines: dict[int, list[str]] = {}
        for w in words:
            lines.setdefault(w.line, []).append(w.text)
        text = "\n".join(" ".join(ws) for _, ws in sorted(lines.items()))
        return OcrResult(text=text + "\n" if text else "", hocr=hocr, words=tuple(words))

    def detect_orientation(self, image: Path) -> tuple[int, float]:
        try:
            out = run_tesseract([str(image), "stdout", "--psm", "0"], timeout=self.timeout)
        except EngineError:
            return 0, 0.0  # too few characters to tell: treat as upright
        values = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        try:
            rotate = int(values["Rotate"].strip())
            conf = float(values["Orientation confidence"].strip())
        except (KeyError, ValueError):
            return 0, 0.0
        return rotate % 360, conf
