"""``ocr_page`` against a fake ``OcrEngine``: when orientation is looked at, what is kept."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import synth
from ocr.engine import OcrResult, Word
from ocr.page import PageOptions, ocr_page


def page_with_marker(path: Path, *, upside_down: bool) -> Path:
    """A page whose top band is dark: the fake engine 'reads' it only when upright."""
    im = Image.new("L", (400, 560), 255)
    ImageDraw.Draw(im).rectangle((20, 10, 379, 60), fill=0)
    (im.rotate(180) if upside_down else im).save(path)
    return path


class FakeEngine:
    def __init__(self) -> None:
        self.recognized: list[bool] = []  # was the page upright at each recognition?
        self.orientation_calls = 0

    def _upright(self, image: Path) -> bool:
        pixels = np.asarray(Image.open(image).convert("L"))
        return bool(pixels[:30].mean() < pixels[-30:].mean())

    def recognize(self, image: Path, *, language: str, dpi: int) -> OcrResult:
        upright = self._upright(image)
        self.recognized.append(upright)
        conf = 95.0 if upright else 30.0
        words = tuple(Word(f"từ{i}", 10 * i, 100, 8, 10, conf, 0) for i in range(5))
        return OcrResult("chữ đọc được" if upright else "~~~", "<html/>", words)

    def detect_orientation(self, image: Path) -> tuple[int, float]:
        self.orientation_calls += 1
        return (0, 9.0) if self._upright(image) else (180, 9.0)


def test_upright_page_is_recognised_once_without_orientation(tmp_path: Path) -> None:
    engine = FakeEngine()
    src = page_with_marker(tmp_path / "up.png", upside_down=False)
    outcome = ocr_page(engine, src, tmp_path / "out", PageOptions())
    assert engine.recognized == [True] and engine.orientation_calls == 0
    assert outcome.turned == 0
    assert (tmp_path / "out" / "image.png").read_bytes() == src.read_bytes()


def test_poor_recognition_triggers_orientation_then_a_second_pass(tmp_path: Path) -> None:
    engine = FakeEngine()
    src = page_with_marker(tmp_path / "down.png", upside_down=True)
    outcome = ocr_page(engine, src, tmp_path / "out", PageOptions())
    assert engine.recognized == [False, True] and engine.orientation_calls == 1
    assert outcome.turned == 180 and outcome.mean_confidence == 95.0
    assert (tmp_path / "out" / "text.txt").read_text() == "chữ đọc được"
    words = json.loads((tmp_path / "out" / "words.json").read_text())
    assert words[0]["text"] == "từ0"


def test_orientation_can_be_switched_off(tmp_path: Path) -> None:
    engine = FakeEngine()
    src = page_with_marker(tmp_path / "down.png", upside_down=True)
    outcome = ocr_page(engine, src, tmp_path / "out", PageOptions(orient=False))
    assert engine.orientation_calls == 0 and outcome.turned == 0


def test_landscape_page_is_checked_even_when_read_well(tmp_path: Path) -> None:
    engine = FakeEngine()
    im = Image.new("L", (560, 400), 255)
    ImageDraw.Draw(im).rectangle((0, 0, 559, 40), fill=0)
    im.save(tmp_path / "wide.png")
    outcome = ocr_page(engine, tmp_path / "wide.png", tmp_path / "out", PageOptions())
    assert engine.orientation_calls == 1 and outcome.turned == 0


def test_colour_pages_are_handled(tmp_path: Path) -> None:
    engine = FakeEngine()
    im = Image.new("RGB", (400, 560), (255, 250, 240))
    ImageDraw.Draw(im).rectangle((20, 10, 379, 60), fill=(10, 10, 80))
    im.save(tmp_path / "colour.png")
    outcome = ocr_page(engine, tmp_path / "colour.png", tmp_path / "out", PageOptions())
    assert outcome.turned == 0 and engine.recognized == [True]


class ReadsAnything(FakeEngine):
    """Recognition always 'succeeds': only the layout can have chosen the turn."""

    def recognize(self, image: Path, *, language: str, dpi: int) -> OcrResult:
        self.recognized.append(True)
        words = tuple(Word(f"từ{i}", 10 * i, 100, 8, 10, 95.0, 0) for i in range(5))
        return OcrResult("chữ", "<html/>", words)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_generated_text_pages_are_turned_by_their_layout_alone(tmp_path: Path, turn: int) -> None:
    """GIVEN a page of Vietnamese text turned 0/90/180/270° WHEN processed THEN the layout
    (lines' direction, marks above vs descenders below) tells the turn: Tesseract's
    orientation detection is not asked."""
    page = synth.generate_page(21, dpi=200, skew=1.2, turn=turn)
    page.image.save(tmp_path / "scan.png")
    engine = ReadsAnything()
    outcome = ocr_page(engine, tmp_path / "scan.png", tmp_path / "out", PageOptions(dpi=200))
    assert outcome.turned == turn and engine.orientation_calls == 0
    assert abs(outcome.skew + 1.2) < 0.2 or turn in (90, 270)  # skew is turned with the page


def test_dark_scanner_edges_do_not_make_a_page_look_sideways(tmp_path: Path) -> None:
    """Scans with dark bands down both long edges once looked turned 90° and cost an
    orientation detection each."""
    page = np.array(synth.generate_page(22, dpi=200, skew=0.0).image)
    page[:, :18] = 40
    page[:, -18:] = 40
    Image.fromarray(page).save(tmp_path / "edges.png")
    engine = ReadsAnything()
    outcome = ocr_page(engine, tmp_path / "edges.png", tmp_path / "out", PageOptions(dpi=200))
    assert outcome.turned == 0 and engine.orientation_calls == 0


def test_capitals_only_page_is_not_turned_on_the_layout(tmp_path: Path) -> None:
    """A few lines of capitals have no marks or descenders to go by: the layout must not
    decide (it once took such a page for upside down and the engine read it backwards)."""
    im = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=48)
    for i, line in enumerate(("QUYET DINH SO 12", "GIAY CHUNG NHAN", "HO KINH DOANH")):
        draw.text((200, 300 + 120 * i), line, fill=0, font=font)
    im.save(tmp_path / "caps.png")
    engine = ReadsAnything()
    outcome = ocr_page(engine, tmp_path / "caps.png", tmp_path / "out", PageOptions(dpi=200))
    assert outcome.turned == 0
