"""Fast tests of the synthetic scanned-page generator (no OCR)."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from synth import MAX_SKEW, draw_skew, generate_page, generate_set, plan_set
from synth.__main__ import main as cli_main
from synth.content import document_lines, kinds, make_document
from synth.render import page_size

FIXTURES = Path(__file__).resolve().parents[1] / "resources" / "synth"
ID_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")
VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
LOW_DPI = 72  # rendering cost grows with the square of the dpi


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _valid_id(cid: str) -> bool:
    return 1 <= int(cid[:3]) <= 96 and cid[3] in "0123"


def test_same_seed_gives_same_text_and_identical_pixels() -> None:
    a = generate_page(11, dpi=LOW_DPI)
    b = generate_page(11, dpi=LOW_DPI)
    assert a.text == b.text
    assert a.image.mode == "L"
    assert a.image.tobytes() == b.image.tobytes()
    assert generate_page(12, dpi=LOW_DPI).text != a.text


def test_a4_size_at_300_dpi() -> None:
    assert page_size(300) == (2480, 3508)
    page = generate_page(5, skew=0.5)
    assert page.image.size == (2480, 3508)
    assert page.dpi == 300


@pytest.mark.parametrize("kind", kinds())
def test_ground_truth_has_diacritics_and_a_valid_citizen_id(kind: str) -> None:
    for seed in range(5):
        doc = make_document(random.Random(seed), kind)
        text = doc.text
        assert unicodedata.normalize("NFC", text) == text
        assert len(VIETNAMESE & set(text.lower())) >= 8
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        ids = ID_RE.findall(text)
        assert ids and all(_valid_id(cid) for cid in ids), ids


def test_rendered_truth_matches_content_and_has_an_id() -> None:
    page = generate_page(3, dpi=LOW_DPI)
    _, logical = document_lines(3)
    assert _collapse(page.text) == _collapse(logical)
    assert page.doc_title in page.text
    assert any(_valid_id(cid) for cid in ID_RE.findall(page.text))


def test_turns_are_exact_rotations() -> None:
    upright = np.asarray(generate_page(4, dpi=LOW_DPI, skew=1.0).image)
    turned = np.asarray(generate_page(4, dpi=LOW_DPI, skew=1.0, turn=180).image)
    assert np.array_equal(turned, np.rot90(upright, 2))
    sideways = np.asarray(generate_page(4, dpi=LOW_DPI, skew=1.0, turn=90).image)
    assert np.array_equal(sideways, np.rot90(upright, 1))  # counter-clockwise
    with pytest.raises(ValueError):
        generate_page(4, dpi=LOW_DPI, turn=45)


def test_skew_within_bounds_and_applied() -> None:
    assert all(abs(draw_skew(seed)) <= MAX_SKEW for seed in range(500))
    assert all(abs(skew) <= MAX_SKEW for _, skew, _ in plan_set(500, seed=1))
    page = generate_page(8, dpi=LOW_DPI)
    assert page.skew == draw_skew(8)
    straight = generate_page(8, dpi=LOW_DPI, skew=0.0, defects=False).image
    tilted = generate_page(8, dpi=LOW_DPI, skew=1.5, defects=False).image
    assert straight.tobytes() != tilted.tobytes()
    assert generate_page(8, dpi=LOW_DPI, skew=1.5, defects=False).text == page.text


def test_set_mix_of_turns() -> None:
    turns = [turn for _, _, turn in plan_set(1200, seed=2)]
    share = {t: turns.count(t) / len(turns) for t in (0, 90, 180, 270)}
    assert 0.12 < share[180] < 0.22  # about 1 in 6
    assert 0.08 < share[90] + share[270] < 0.17  # about 1 in 8
    assert share[0] > 0.6


def test_set_pages_are_reproducible_from_their_own_seed() -> None:
    pages = list(generate_set(3, seed=9, dpi=LOW_DPI, turns=[0, 180, 90]))
    assert [p.turn for p in pages] == [0, 180, 90]
    again = generate_page(pages[1].seed, dpi=LOW_DPI, skew=pages[1].skew, turn=180)
    assert again.image.tobytes() == pages[1].image.tobytes()


@pytest.mark.parametrize("fmt,ext", [("png", "png"), ("jpeg", "jpg"), ("tiff", "tif")])
def test_cli_writes_one_image_per_page(
    tmp_path: Path, fmt: str, ext: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "set"
    assert (
        cli_main([str(out), "--pages", "2", "--seed", "4", "--format", fmt, "--dpi", str(LOW_DPI)])
        == 0
    )
    assert capsys.readouterr().out.count("\n") == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 4 and len(manifest["pages"]) == 2
    pages = list(generate_set(2, seed=4, dpi=LOW_DPI))
    for i, (entry, page) in enumerate(zip(manifest["pages"], pages, strict=True), 1):
        assert entry["file"] == f"page-{i:04d}.{ext}"
        assert (entry["seed"], entry["skew"], entry["turn"]) == (page.seed, page.skew, page.turn)
        assert entry["title"] == page.doc_title
        truth = (out / "truth" / f"page-{i:04d}.txt").read_text(encoding="utf-8")
        assert truth == page.text + "\n"
        with Image.open(out / entry["file"]) as im:
            assert im.size == page.image.size


def test_cli_pdf_has_one_image_per_page(tmp_path: Path) -> None:
    cli_main([str(tmp_path), "--pages", "2", "--format", "pdf", "--dpi", str(LOW_DPI)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.pdf", "manifest.json", "truth"]
    _check_scanned_pdf(tmp_path / "batch.pdf", 2)
    assert len(list((tmp_path / "truth").glob("page-*.txt"))) == 2


def test_cli_multipage_group4_tiff(tmp_path: Path) -> None:
    cli_main(
        [
            str(tmp_path),
            "--pages",
            "2",
            "--format",
            "tiff",
            "--multipage",
            "--tiff-compression",
            "group4",
            "--dpi",
            str(LOW_DPI),
        ]
    )
    _check_tiff(tmp_path / "batch.tif", 2)


def test_cli_help_mentions_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for word in ("OUTDIR", "--pages", "--seed", "--format", "--dpi", "manifest.json", "batch.pdf"):
        assert word in help_text


def _check_scanned_pdf(path: Path, n_pages: int) -> None:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == n_pages
        for page in pdf.pages:
            xobjects = page.Resources.XObject
            images = [obj for _, obj in xobjects.items() if obj.Subtype == "/Image"]
            assert len(images) == 1
            assert images[0].Filter == pikepdf.Name.DCTDecode


def _check_tiff(path: Path, n_frames: int) -> None:
    with Image.open(path) as im:
        assert getattr(im, "n_frames", 1) == n_frames
        assert im.mode == "1"
        assert im.info["compression"] == "group4"


def test_committed_fixtures_are_small_and_consistent() -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_500_000
    for sub in ("jpeg", "pdf", "tiff"):
        manifest = json.loads((FIXTURES / sub / "manifest.json").read_text(encoding="utf-8"))
        for i, entry in enumerate(manifest["pages"], 1):
            truth = (FIXTURES / sub / entry["truth"]).read_text(encoding="utf-8")
            _, logical = document_lines(entry["seed"])
            assert _collapse(truth) == _collapse(logical), f"{sub} page {i}: regenerate"
    jpeg_pages = json.loads((FIXTURES / "jpeg" / "manifest.json").read_text(encoding="utf-8"))
    assert [e["turn"] for e in jpeg_pages["pages"]] == [0, 180, 90]
    for entry in jpeg_pages["pages"]:
        with Image.open(FIXTURES / "jpeg" / entry["file"]) as im:
            assert im.format == "JPEG" and im.mode == "L"
    _check_scanned_pdf(FIXTURES / "pdf" / "batch.pdf", 2)
    _check_tiff(FIXTURES / "tiff" / "batch.tif", 2)
