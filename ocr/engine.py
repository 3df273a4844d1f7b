"""The OCR engine port and the values it returns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Word:
    """A recognised word with its box in image pixels (left, top, width, height)."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float  # 0–100
    line: int  # index of the text line on the page; words of a line share it


@dataclass(frozen=True)
class OcrResult:
    text: str
    hocr: str
    words: tuple[Word, ...]

    @property
    def mean_confidence(self) -> float:
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)


class OcrEngine(Protocol):
    """Reads text from one upright page image (a file path, greyscale or colour)."""

    def recognize(self, image: Path, *, language: str, dpi: int) -> OcrResult: ...

    def detect_orientation(self, image: Path) -> tuple[int, float]:
        """Clockwise degrees (0/90/180/270) the page must be turned to be upright, and
        the engine's confidence. Pages with too little text report ``(0, 0.0)``."""
        ...
