"""Render document lines onto a clean greyscale A4 page.

The page is black text on white; scan defects are added later by
:mod:`synth.defects`.  Sizes are given in points/millimetres and converted
with the dpi, so a page looks the same at 200 and 300 dpi, only sharper.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from synth.content import Line

A4_MM = (210.0, 297.0)
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/dejavu"),
)


@dataclass(frozen=True)
class FontFamily:
    """``min_spacing``: line height (in font sizes) below which stacked Vietnamese
    diacritics (Ở, Ẫ) would touch the descenders of the line above; DejaVu's
    accents are much taller than Liberation's."""

    name: str
    regular: str
    bold: str
    min_spacing: float


FAMILIES = (
    FontFamily("Liberation Serif", "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", 1.3),
    FontFamily("Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", 1.3),
    FontFamily("DejaVu Serif", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", 1.45),
    FontFamily("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 1.45),
)


@dataclass(frozen=True)
class Layout:
    """Typographic choices for one page (drawn per page for variety)."""

    family: FontFamily
    size_pt: float = 13.0
    title_pt: float = 15.0
    spacing: float = 1.45  # line height as a multiple of the font size
    margins_mm: tuple[float, float, float, float] = (25.0, 18.0, 18.0, 18.0)  # l, t, r, b


@dataclass(frozen=True)
class RenderedPage:
    image: Image.Image  # mode "L", white background
    lines: tuple[str, ...]  # physical lines, top to bottom: the ground truth

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def mm_to_px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def pt_to_px(pt: float, dpi: int) -> int:
    return round(pt / 72.0 * dpi)


def page_size(dpi: int) -> tuple[int, int]:
    return mm_to_px(A4_MM[0], dpi), mm_to_px(A4_MM[1], dpi)


def available_families() -> list[FontFamily]:
    return [f for f in FAMILIES if _find(f.regular) and _find(f.bold)]


def choose_layout(rng: random.Random) -> Layout:
    families = available_families()
    if not families:
        raise RuntimeError(f"no TrueType font found in {', '.join(map(str, FONT_DIRS))}")
    size = rng.choice((12.0, 12.5, 13.0, 13.0, 13.5))
    family = rng.choice(families)
    return Layout(
        family=family,
        size_pt=size,
        title_pt=size + rng.choice((1.5, 2.0, 2.5)),
        spacing=family.min_spacing + rng.uniform(0.05, 0.25),
        margins_mm=(
            rng.uniform(22, 30),
            rng.uniform(15, 22),
            rng.uniform(15, 20),
            rng.uniform(15, 20),
        ),
    )


@cache
def _find(filename: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / filename).is_file():
            return folder / filename
    return None


@lru_cache(maxsize=64)
def _font(filename: str, px: int) -> ImageFont.FreeTypeFont:
    path = _find(filename)
    if path is None:
        raise FileNotFoundError(filename)
    return ImageFont.truetype(str(path), px)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap; a single over-long word is kept whole."""
    out: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    return out


@dataclass(frozen=True)
class _Placed:
    text: str
    font: ImageFont.FreeTypeFont
    align: str
    advance: int  # distance from the previous baseline
    rule: bool


def _place(lines: Sequence[Line], layout: Layout, dpi: int, width: int) -> list[_Placed]:
    body_px = pt_to_px(layout.size_pt, dpi)
    line_h = body_px * layout.spacing
    placed: list[_Placed] = []
    for line in lines:
        size = layout.title_pt if line.style == "title" else layout.size_pt
        name = layout.family.regular if line.style == "normal" else layout.family.bold
        font = _font(name, pt_to_px(size, dpi))
        parts = _wrap(line.text, font, width)
        for i, part in enumerate(parts):
            gap = line.gap if i == 0 else 0.0
            advance = round(pt_to_px(size, dpi) * layout.spacing + gap * line_h)
            last = i == len(parts) - 1
            placed.append(_Placed(part, font, line.align, advance, line.rule_below and last))
    return placed


def _fit(lines: Sequence[Line], layout: Layout, dpi: int) -> tuple[Layout, list[_Placed]]:
    """Tighten spacing, then the font size, until the text fits the page."""
    w, h = page_size(dpi)
    left, top, right, bottom = (mm_to_px(m, dpi) for m in layout.margins_mm)
    while True:
        placed = _place(lines, layout, dpi, w - left - right)
        if sum(p.advance for p in placed) <= h - top - bottom or layout.size_pt <= 10.5:
            return layout, placed
        floor = layout.family.min_spacing
        if layout.spacing > floor:
            layout = replace(layout, spacing=max(floor, layout.spacing - 0.05))
        else:
            layout = replace(layout, size_pt=layout.size_pt - 0.5, title_pt=layout.title_pt - 0.5)


def render(lines: Sequence[Line], layout: Layout, dpi: int = 300) -> RenderedPage:
    """Draw ``lines`` on a white A4 page; lines that still do not fit are dropped."""
    w, h = page_size(dpi)
    layout, placed = _fit(lines, layout, dpi)
    left, top, right, bottom = (mm_to_px(m, dpi) for m in layout.margins_mm)
    inner = w - left - right
    image = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(image)
    y = top
    drawn: list[str] = []
    for item in placed:
        y += item.advance
        if y > h - bottom:
            break
        text_w = item.font.getlength(item.text)
        if item.align == "center":
            x = left + (inner - text_w) / 2
        elif item.align == "right_half":  # centred on the right half, kept inside the margin
            x = max(left, min(left + inner * 0.75 - text_w / 2, left + inner - text_w))
        else:
            x = left
        draw.text((x, y), item.text, font=item.font, fill=0, anchor="ls")
        if item.rule:
            rule_y = y + round(item.font.size * 0.45)
            rule_w = text_w * 0.55
            x0 = x + (text_w - rule_w) / 2
            draw.line(
                (x0, rule_y, x0 + rule_w, rule_y), fill=0, width=max(1, round(item.font.size / 22))
            )
        drawn.append(item.text)
    return RenderedPage(image, tuple(drawn))
