"""Synthetic "scanned" Vietnamese administrative pages with ground truth.

Used to measure the OCR pipeline (orientation, deskew, Tesseract) without
real citizens' documents.  Everything is a pure function of the seed::

    from synth import generate_page, generate_set
    page = generate_page(42, skew=1.2, turn=180)
    page.image  # PIL mode "L", A4 at 300 dpi, turned 180 degrees
    page.text   # ground truth, upright reading order, NFC

Conventions: ``skew`` and ``turn`` are counter-clockwise degrees (PIL's
``Image.rotate`` convention) applied to the upright page; to restore it,
undo the turn first (``image.rotate(-turn, expand=True)``) and then rotate
by ``-skew``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synth import defects as _defects
from synth.content import make_document
from synth.render import choose_layout, render

__all__ = ["MAX_SKEW", "SyntheticPage", "draw_skew", "generate_page", "generate_set", "plan_set"]

MAX_SKEW = 2.0
P_TURN_180 = 1 / 6
P_TURN_SIDEWAYS = 1 / 8  # split evenly between 90 and 270


@dataclass(frozen=True)
class SyntheticPage:
    image: Image.Image  # mode "L"
    text: str  # ground truth: the drawn lines joined by "\n", NFC
    seed: int
    skew: float  # degrees, counter-clockwise, applied before the turn
    turn: int  # 0, 90, 180 or 270 degrees counter-clockwise
    doc_title: str
    font: str = ""
    dpi: int = 300


def _stream(seed: int, name: str) -> random.Random:
    """Independent random stream per aspect, so e.g. forcing the skew does not
    change the content or the defects of a page."""
    return random.Random(f"{name}:{seed}")


def draw_skew(seed: int) -> float:
    return round(_stream(seed, "skew").uniform(-MAX_SKEW, MAX_SKEW), 2)


def generate_page(
    seed: int, *, dpi: int = 300, skew: float | None = None, turn: int = 0, defects: bool = True
) -> SyntheticPage:
    """One A4 page for ``seed``; ``skew=None`` draws an angle in +/-2 degrees."""
    if turn % 360 not in _defects.TURNS:
        raise ValueError(f"turn must be one of {_defects.TURNS}, got {turn}")
    doc = make_document(_stream(seed, "content"))
    layout = choose_layout(_stream(seed, "layout"))
    page = render(doc.lines, layout, dpi)
    angle = draw_skew(seed) if skew is None else float(skew)
    image = _defects.skew(page.image, angle)
    if defects:
        params = _defects.draw_params(_stream(seed, "defects"))
        gen = np.random.default_rng(_stream(seed, "noise").getrandbits(64))
        image = _defects.apply(image, params, dpi, gen)
    image = _defects.turn(image, turn % 360)
    return SyntheticPage(
        image=image,
        text=page.text,
        seed=seed,
        skew=angle,
        turn=turn % 360,
        doc_title=doc.title,
        font=layout.family.name,
        dpi=dpi,
    )


def plan_set(
    n: int, seed: int = 0, turns: Sequence[int] | None = None
) -> list[tuple[int, float, int]]:
    """(page seed, skew, turn) for each page of a set, without rendering."""
    rng = random.Random(f"set:{seed}")
    plan = []
    for i in range(n):
        page_seed = rng.getrandbits(32)
        angle = round(rng.uniform(-MAX_SKEW, MAX_SKEW), 2)
        r = rng.random()
        side = rng.choice((90, 270))
        drawn = 180 if r < P_TURN_180 else side if r < P_TURN_180 + P_TURN_SIDEWAYS else 0
        plan.append((page_seed, angle, turns[i % len(turns)] if turns else drawn))
    return plan


def generate_set(
    n: int,
    seed: int = 0,
    *,
    dpi: int = 300,
    defects: bool = True,
    turns: Sequence[int] | None = None,
) -> Iterator[SyntheticPage]:
    """``n`` pages: mostly upright with skew in +/-2 degrees, about 1 in 6 turned
    180 degrees and 1 in 8 turned 90 or 270.  ``turns`` (cycled) overrides the
    drawn turns.  Each page equals ``generate_page(p.seed, skew=p.skew, turn=p.turn)``."""
    for page_seed, angle, page_turn in plan_set(n, seed, turns):
        yield generate_page(page_seed, dpi=dpi, skew=angle, turn=page_turn, defects=defects)
