"""Real Tesseract (both adapters) on generated scans: upright, straight, accurate; the
sidecar survives hangs and crashes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ocr.cli_engine import TesseractCliEngine
from ocr.engine import OcrEngine
from ocr.page import PageOptions, ocr_page
from ocr.sidecar import SidecarOcr, start_ahead
from ocr.tesserocr_engine import TesserocrEngine
from records.errors import EngineError
from tests.conftest import RESOURCES
from tests.quality import cer

JPEG = RESOURCES / "synth" / "jpeg"
MANIFEST = json.loads((JPEG / "manifest.json").read_text())["pages"]


def truth(n: int) -> str:
    return (JPEG / "truth" / f"page-{n:04d}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["tesserocr", "cli"])
def engine(request: pytest.FixtureRequest) -> OcrEngine:
    return TesserocrEngine() if request.param == "tesserocr" else TesseractCliEngine()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_pages_come_out_upright_straight_and_accurate(
    engine: OcrEngine, n: int, tmp_path: Path
) -> None:
    """GIVEN a scan that is skewed, turned 180° or turned 90° WHEN recognised THEN the page
    is turned back, deskewed and read with a character error rate under 1%."""
    entry = MANIFEST[n - 1]
    outcome = ocr_page(engine, JPEG / entry["file"], tmp_path, PageOptions(dpi=200))
    text = (tmp_path / "text.txt").read_text(encoding="utf-8")
    # synth turned it counter-clockwise; the pipeline reports the clockwise turn undoing it.
    assert outcome.turned == entry["turn"]
    assert abs(outcome.skew + entry["skew"]) < 0.2 or abs(entry["skew"]) < 0.1
    assert cer(truth(n), text) < 0.01, text[:300]
    assert outcome.width < outcome.height  # portrait again
    words = json.loads((tmp_path / "words.json").read_text())
    assert len(words) > 50 and all(w["width"] > 0 for w in words)
    assert "ocrx_word" in (tmp_path / "page.hocr").read_text()
    assert (tmp_path / "thumb.jpg").stat().st_size > 1000


def test_upright_page_image_is_kept_byte_for_byte(tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "clean.png"
    with Image.open(JPEG / MANIFEST[0]["file"]) as im:
        im.rotate(MANIFEST[0]["skew"] * -1, fillcolor=255).save(source)  # straight, upright
    outcome = ocr_page(TesserocrEngine(), source, tmp_path / "out", PageOptions(dpi=200))
    assert outcome.turned == 0 and outcome.skew == 0.0
    assert (tmp_path / "out" / outcome.image).read_bytes() == source.read_bytes()


def test_sidecar_times_out_then_recovers(tmp_path: Path) -> None:
    sidecar = SidecarOcr("tesserocr", timeout=0.05)
    try:
        with pytest.raises(EngineError, match="quá thời gian"):
            sidecar.run(JPEG / MANIFEST[0]["file"], tmp_path / "a", PageOptions(dpi=200))
        sidecar.timeout = 120
        outcome = sidecar.run(JPEG / MANIFEST[0]["file"], tmp_path / "b", PageOptions(dpi=200))
        assert outcome.words > 50
    finally:
        sidecar.close()


def test_sidecar_crash_fails_the_page_not_the_worker(tmp_path: Path) -> None:
    sidecar = SidecarOcr("tesserocr", timeout=120)
    try:
        sidecar.run(JPEG / MANIFEST[0]["file"], tmp_path / "warm", PageOptions(dpi=200))
        child = sidecar._child
        assert child is not None and child.popen is not None
        _dies_mid_page_then_reads_the_next(sidecar, child.popen.kill, tmp_path)
    finally:
        sidecar.close()


def _dies_mid_page_then_reads_the_next(
    sidecar: SidecarOcr, kill: Callable[[], None], tmp_path: Path
) -> None:
    """``kill`` ends the sidecar while it reads a page, like a segfault: that page fails
    with the reason, the next one is read by a new sidecar."""
    threading.Timer(0.3, kill).start()
    with pytest.raises(EngineError, match="dừng"):
        sidecar.run(JPEG / MANIFEST[1]["file"], tmp_path / "a", PageOptions(dpi=200))
    outcome = sidecar.run(JPEG / MANIFEST[1]["file"], tmp_path / "b", PageOptions(dpi=200))
    assert outcome.turned == 180


def test_a_sidecar_started_ahead_is_adopted_then_replaced_when_it_hangs(tmp_path: Path) -> None:
    """GIVEN a sidecar started by one process and adopted by another (``hoso ingest``
    starts them before its pool) WHEN it reads a page THEN it answers over its socket;
    WHEN it then overruns the deadline THEN it is killed and the next page is read by a
    sidecar of the adopter's own."""
    proc, ahead = start_ahead("tesserocr", "vie")
    sidecar = SidecarOcr("tesserocr", timeout=120)
    try:
        sidecar.adopt(ahead)
        outcome = sidecar.run(JPEG / MANIFEST[1]["file"], tmp_path / "a", PageOptions(dpi=200))
        assert outcome.turned == 180 and outcome.words > 50
        sidecar.timeout = 0.05
        with pytest.raises(EngineError, match="quá thời gian"):
            sidecar.run(JPEG / MANIFEST[0]["file"], tmp_path / "b", PageOptions(dpi=200))
        assert proc.wait(timeout=10) != 0  # killed, reaped by the process that started it
        sidecar.timeout = 120
        outcome = sidecar.run(JPEG / MANIFEST[0]["file"], tmp_path / "c", PageOptions(dpi=200))
        assert outcome.words > 50
        child = sidecar._child
        assert child is not None and child.popen is not None and child.pid != proc.pid
    finally:
        sidecar.close()
        proc.kill()
        proc.wait()


def test_an_adopted_sidecar_that_dies_fails_the_page_only(tmp_path: Path) -> None:
    proc, ahead = start_ahead("tesserocr", None)
    sidecar = SidecarOcr("tesserocr", timeout=120)
    try:
        sidecar.adopt(ahead)
        _dies_mid_page_then_reads_the_next(sidecar, proc.kill, tmp_path)
    finally:
        sidecar.close()
        proc.wait()


def test_engine_error_in_sidecar_is_reported(tmp_path: Path) -> None:
    sidecar = SidecarOcr("tesserocr", timeout=60)
    try:
        bad = tmp_path / "not-an-image.png"
        bad.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
        with pytest.raises(EngineError, match=r"Không đọc được ảnh"):
            sidecar.run(bad, tmp_path / "a", PageOptions())
    finally:
        sidecar.close()


def test_a_300_dpi_page_is_read_at_lower_resolution_with_boxes_on_the_page(
    tmp_path: Path,
) -> None:
    """GIVEN a 300 dpi scan of 13 pt text WHEN recognised THEN it is read at ~160 dpi (cheaper)
    as accurately as at full size, and its word boxes land where the full-size reading
    puts them, in the published image's pixels."""
    import synth
    from ocr.page import ocr_scale

    page = synth.generate_page(11, dpi=300, skew=0.0)
    source = tmp_path / "scan.png"
    page.image.save(source)
    import numpy as np

    assert ocr_scale(np.asarray(page.image), 300) < 0.75
    engine = TesserocrEngine()
    fast, full = tmp_path / "fast", tmp_path / "full"
    ocr_page(engine, source, fast, PageOptions(dpi=300))
    ocr_page(engine, source, full, PageOptions(dpi=300, adapt_resolution=False))
    assert cer(page.text, (fast / "text.txt").read_text(encoding="utf-8")) < 0.01
    fast_words = unique_words(fast / "words.json")
    full_words = unique_words(full / "words.json")
    matched = [(w, full_words[text]) for text, w in fast_words.items() if text in full_words]
    assert len(matched) > 30
    # a word or two may be cut differently at the two resolutions; the rest must agree
    close = [
        a
        for a, b in matched
        if all(abs(a[k] - b[k]) <= 6 for k in ("left", "top", "width", "height"))
    ]
    assert len(close) >= 0.9 * len(matched), [a for a, _ in matched if a not in close]
    assert 'image "image.png"' in (fast / "page.hocr").read_text()
    assert not (fast / "ocr-input.pgm").exists()


def unique_words(path: Path) -> dict[str, dict[str, object]]:
    """Words that occur once on the page, by text."""
    words = json.loads(path.read_text())
    counts: dict[str, int] = {}
    for w in words:
        counts[w["text"]] = counts.get(w["text"], 0) + 1
    return {w["text"]: w for w in words if counts[w["text"]] == 1}


def test_pixels_in_memory_read_exactly_like_the_same_image_from_a_file(tmp_path: Path) -> None:
    """The page scaled down for recognition goes to tesserocr in memory: same text, boxes
    and hOCR as the same pixels written to a file and read back."""
    import cv2

    grey = cv2.imread(str(JPEG / MANIFEST[0]["file"]), cv2.IMREAD_GRAYSCALE)
    small = cv2.resize(grey, None, fx=0.8, fy=0.8, interpolation=cv2.INTER_AREA)
    path = tmp_path / "small.pgm"
    cv2.imwrite(str(path), small)
    engine = TesserocrEngine()
    from_file = engine.recognize(path, language="vie", dpi=160)
    in_memory = engine.recognize_pixels(small, language="vie", dpi=160)
    assert in_memory == from_file and len(in_memory.words) > 50
