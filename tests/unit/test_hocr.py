"""Words, boxes, confidences and line numbers out of Tesseract's hOCR."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr.engine import Word
from ocr.hocr import parse_words

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "hocr" / "vie-page.hocr"


@pytest.fixture(scope="module")
def words() -> list[Word]:
    return parse_words(SAMPLE.read_text(encoding="utf-8"))


def test_words_in_reading_order(words: list[Word]) -> None:
    assert [w.text for w in words] == [
        "CỘNG",
        "HÒA",
        "XÃ",
        "HỘI",
        "Độc",
        "lập",
        "-",
        "Tự",
        "do",
        "Ông",
        "Nguyễn",
        "Văn",
        "Bình",
        "&",
        '"đất"',
        "đai's",
        "<5>",
        "Số:12/QĐ-UBND",
    ]


def test_boxes_are_left_top_width_height(words: list[Word]) -> None:
    nguyen = next(w for w in words if w.text == "Nguyễn")
    assert (nguyen.left, nguyen.top, nguyen.width, nguyen.height) == (214, 301, 146, 40)
    first = words[0]
    assert (first.left, first.top, first.width, first.height) == (180, 96, 120, 34)


def test_confidences(words: list[Word]) -> None:
    by_text = {w.text: w.confidence for w in words}
    assert by_text["CỘNG"] == 96.0
    assert by_text["XÃ"] == 93.5
    assert by_text["Bình"] == 71.0
    assert by_text["Số:12/QĐ-UBND"] == 0.0  # no x_wconf in the title
    assert all(isinstance(w.confidence, float) for w in words)


def test_line_indices_count_every_kind_of_line(words: list[Word]) -> None:
    lines = {w.text: w.line for w in words}
    assert [lines[t] for t in ("CỘNG", "HÒA", "XÃ", "HỘI")] == [0, 0, 0, 0]  # ocr_header
    assert [lines[t] for t in ("Độc", "lập", "-", "Tự", "do")] == [1, 1, 1, 1, 1]
    assert [lines[t] for t in ("Ông", "Nguyễn", "Văn", "Bình", "<5>")] == [2, 2, 2, 2, 2]
    assert lines["Số:12/QĐ-UBND"] == 3  # ocr_caption


def test_entities_are_decoded(words: list[Word]) -> None:
    texts = [w.text for w in words]
    assert "&" in texts
    assert '"đất"' in texts
    assert "đai's" in texts
    assert "<5>" in texts
    assert not any("&amp;" in t or "&quot;" in t or "&#" in t for t in texts)


def test_markup_inside_a_word_keeps_its_text(words: list[Word]) -> None:
    texts = [w.text for w in words]
    assert "Tự" in texts  # <strong>
    assert "Bình" in texts  # <em>
    tu = next(w for w in words if w.text == "Tự")
    assert (tu.left, tu.width) == (612, 78)


def test_blank_words_are_dropped(words: list[Word]) -> None:
    assert all(w.text.strip() == w.text and w.text for w in words)
    assert not any(w.left == 864 for w in words)


def test_words_are_ocr_engine_words(words: list[Word]) -> None:
    assert all(isinstance(w, Word) for w in words)
    assert words[1] == Word("HÒA", 314, 96, 96, 34, 95.0, 0)


def test_empty_and_wordless_documents() -> None:
    assert parse_words("") == []
    assert (
        parse_words("<html><body><div class='ocr_page' title='bbox 0 0 10 10'/></body></html>")
        == []
    )


def test_minimal_snippet_without_line_spans() -> None:
    hocr = "<span class='ocrx_word' title='bbox 1 2 11 22; x_wconf 50'>Hà&nbsp;Nội</span>"
    (word,) = parse_words(hocr)
    assert word == Word("Hà\xa0Nội", 1, 2, 10, 20, 50.0, 0)


def test_scale_result_maps_boxes_back_to_the_full_size_image() -> None:
    """Recognised on a copy shrunk to 2/3: every box and size in the hOCR and the words
    comes back ×1.5, and the hOCR names the published image, not the scratch copy."""
    from ocr.engine import OcrResult
    from ocr.hocr import parse_words, scale_result

    hocr = (
        "<div class='ocr_page' id='page_1' title='image \"ocr-input.pgm\"; bbox 0 0 1654 2339;"
        " ppageno 0; scan_res 200 200'>"
        "<span class='ocr_line' id='line_1_1' title=\"bbox 10 20 110 60; baseline -0.009 -6;"
        ' x_size 38; x_descenders 6; x_ascenders 8">'
        "<span class='ocrx_word' id='word_1_1' title='bbox 10 20 60 58; x_wconf 96'>CỘNG</span>"
        "</span></div>"
    )
    small = OcrResult("CỘNG", hocr, (Word("CỘNG", 10, 20, 50, 38, 96.0, 0),))
    big = scale_result(small, 1.5, 1.5, image="image.jpg")
    assert big.text == "CỘNG"
    assert big.words == (Word("CỘNG", 15, 30, 75, 57, 96.0, 0),)
    assert parse_words(big.hocr) == list(big.words)
    assert "bbox 0 0 2481 3508" in big.hocr and "scan_res 300 300" in big.hocr
    assert "baseline -0.009 -9;" in big.hocr and "x_size 57;" in big.hocr
    assert 'image "image.jpg"' in big.hocr and "ocr-input" not in big.hocr
