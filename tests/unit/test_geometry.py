"""Page geometry: skew detection on a synthetic page, exact quarter turns, fine rotation."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.geometry import MAX_SKEW, MIN_CORRECTION, detect_skew, glyph_height, rotate, turn
from synth.content import make_document
from synth.render import choose_layout, render

W, H = 1240, 1754  # A4 at 150 dpi
HEADING = "CONG HOA XA HOI CHU NGHIA VIET NAM Doc lap Tu do Hanh phuc GIAY CHUNG NHAN"
WORDS = HEADING.split(" ")


@cache
def straight_page() -> Image.Image:
    """~25 lines of black text on a white greyscale A4 page."""
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=30)
    words = WORDS
    for i in range(25):
        line = " ".join(words[(i + j) % len(words)] for j in range(9))
        draw.text((110, 140 + i * 58), line, fill=0, font=font)
    return img


def skewed(angle: float) -> np.ndarray:
    """The page rotated ``angle`` degrees counter-clockwise, as a scanner might skew it."""
    page = straight_page()
    if angle:
        page = page.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return np.asarray(page, dtype=np.uint8)


@pytest.mark.parametrize("angle", [-2.0, -1.0, 0.5, 1.5])
def test_detect_skew_returns_the_straightening_angle(angle: float) -> None:
    found = detect_skew(skewed(angle))
    assert found == pytest.approx(-angle, abs=0.15)


def test_detect_skew_on_a_straight_page_is_near_zero() -> None:
    assert detect_skew(skewed(0.0)) == pytest.approx(0.0, abs=0.15)


def test_a_straight_page_is_left_alone() -> None:
    assert abs(detect_skew(skewed(0.0))) < MIN_CORRECTION


def test_rotating_by_the_detected_angle_straightens_the_page() -> None:
    page = skewed(1.5)
    straightened = rotate(page, detect_skew(page))
    assert detect_skew(straightened) == pytest.approx(0.0, abs=0.15)


def test_detect_skew_stays_within_the_search_range() -> None:
    assert abs(detect_skew(skewed(-2.0))) <= MAX_SKEW


@pytest.mark.parametrize("value", [255, 240, 128])
def test_blank_page_is_zero(value: int) -> None:
    assert detect_skew(np.full((H, W), value, dtype=np.uint8)) == 0.0


def test_blank_page_with_scanner_noise_is_zero() -> None:
    rng = np.random.default_rng(0)
    noisy = np.clip(rng.normal(245, 2, size=(H, W)), 0, 255).astype(np.uint8)
    assert detect_skew(noisy) == 0.0


@pytest.fixture
def asymmetric() -> np.ndarray:
    rng = np.random.default_rng(42)
    return rng.integers(0, 256, size=(30, 50), dtype=np.uint8)


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_turn_is_an_exact_clockwise_quarter_turn(asymmetric: np.ndarray, degrees: int) -> None:
    turned = turn(asymmetric, degrees)
    expected = np.rot90(asymmetric, k=-(degrees // 90))  # negative k: clockwise
    assert turned.dtype == np.uint8
    assert turned.shape == expected.shape
    assert np.array_equal(turned, expected)
    assert turned.flags["C_CONTIGUOUS"]


def test_turn_90_moves_the_top_left_corner_to_the_top_right(asymmetric: np.ndarray) -> None:
    turned = turn(asymmetric, 90)
    assert turned.shape == (50, 30)
    assert turned[0, -1] == asymmetric[0, 0]
    assert turned[-1, -1] == asymmetric[0, -1]


def test_turn_matches_pillow_clockwise(asymmetric: np.ndarray) -> None:
    pil = Image.fromarray(asymmetric).transpose(Image.Transpose.ROTATE_270)  # 90° clockwise
    assert np.array_equal(turn(asymmetric, 90), np.asarray(pil))


@pytest.mark.parametrize("degrees", [0, 360, -360])
def test_turn_by_a_full_turn_is_the_identity(asymmetric: np.ndarray, degrees: int) -> None:
    assert np.array_equal(turn(asymmetric, degrees), asymmetric)


def test_turn_by_minus_90_is_270(asymmetric: np.ndarray) -> None:
    assert np.array_equal(turn(asymmetric, -90), turn(asymmetric, 270))


def test_four_quarter_turns_restore_the_image(asymmetric: np.ndarray) -> None:
    image = asymmetric
    for _ in range(4):
        image = turn(image, 90)
    assert np.array_equal(image, asymmetric)


def test_rotate_keeps_shape_and_fills_white() -> None:
    black = np.zeros((400, 300), dtype=np.uint8)
    out = rotate(black, 3.0)
    assert out.shape == black.shape
    assert out.dtype == np.uint8
    # Corners come from outside the source image: white fill, not black.
    for y, x in ((0, 0), (0, -1), (-1, 0), (-1, -1)):
        assert out[y, x] == 255
    assert out[200, 150] == 0  # the centre stays put


def test_rotate_is_counter_clockwise() -> None:
    image = np.full((401, 401), 255, dtype=np.uint8)
    image[200, 300:390] = 0  # a horizontal dash right of the centre
    out = rotate(image, 90.0)
    ys, xs = np.nonzero(out < 128)
    # Counter-clockwise on screen (y down): a point right of the centre moves above it.
    assert ys.max() < 200
    assert abs(np.median(xs) - 200) <= 1


def test_rotate_by_zero_is_lossless() -> None:
    image = np.random.default_rng(1).integers(0, 256, size=(64, 48), dtype=np.uint8)
    assert np.array_equal(rotate(image, 0.0), image)


@pytest.mark.parametrize(
    ("size_pt", "low", "high"), [(7.0, 14, 20), (10.0, 21, 27), (13.0, 28, 35)]
)
def test_glyph_height_follows_the_font_size(size_pt: float, low: float, high: float) -> None:
    """On generated 300 dpi pages the median glyph height is about 0.58 em."""
    height = glyph_height(_page_of(size_pt))
    assert height is not None and low <= height <= high


def test_glyph_height_of_a_blank_page_is_unknown() -> None:
    assert glyph_height(np.full((800, 600), 250, dtype=np.uint8)) is None


def _page_of(size_pt: float) -> np.ndarray:
    """A generated page of Vietnamese text set at ``size_pt``, 300 dpi, no defects."""
    layout = replace(choose_layout(random.Random(3)), size_pt=size_pt, title_pt=size_pt)
    lines = make_document(random.Random(5)).lines
    return np.array(render(lines, layout, 300).image)
