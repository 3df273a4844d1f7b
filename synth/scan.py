"""A generated document printed and scanned: rendered on an A4 page in a drawn font and
layout, then degraded the way a flatbed scan is (slight skew, now and then upside down,
paper tone, border shadow, blur, noise, specks, JPEG), greyscale at 200–300 dpi.

    from synth.scan import scan_document
    page = scan_document(doc.lines, random.Random(7))
    page.image  # PIL mode "L"; page.dpi; page.text is what was drawn (ground truth)

Pure function of the ``random.Random`` passed in (and the fonts installed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from synth import defects
from synth.content import Line
from synth.render import choose_layout, render

DPIS = (200, 240, 300)
MAX_SKEW = 1.5
P_UPSIDE_DOWN = 0.1


@dataclass(frozen=True)
class ScannedPage:
    image: Image.Image  # mode "L"
    dpi: int
    text: str  # the lines drawn, joined by "\n" (NFC)
    complete: bool  # every line of the document fitted on the page
    skew: float  # degrees counter-clockwise
    turn: int  # 0 or 180
    font: str
    jpeg_quality: int | None

    def save(self, folder: Path, stem: str) -> Path:
        """As a scanner would write it: JPEG when the scan was JPEG-compressed, else PNG."""
        if self.jpeg_quality is not None:
            path = folder / f"{stem}.jpg"
            self.image.save(path, format="JPEG", quality=self.jpeg_quality, dpi=(self.dpi,) * 2)
        else:
            path = folder / f"{stem}.png"
            self.image.save(path, format="PNG", dpi=(self.dpi,) * 2)
        return path


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def scan_document(
    lines: Sequence[Line],
    rng: random.Random,
    *,
    dpi: int | None = None,
    upside_down: float = P_UPSIDE_DOWN,
) -> ScannedPage:
    """One page for ``lines``; ``dpi`` None draws one of DPIS."""
    dpi = dpi or rng.choice(DPIS)
    layout = choose_layout(rng)
    page = render(lines, layout, dpi)
    wanted = _squash(" ".join(line.text for line in lines))
    angle = round(rng.uniform(-MAX_SKEW, MAX_SKEW), 2)
    image = defects.skew(page.image, angle)
    params = defects.draw_params(rng)
    image = defects.apply(image, params, dpi, np.random.default_rng(rng.getrandbits(64)))
    turn = 180 if rng.random() < upside_down else 0
    image = defects.turn(image, turn)
    return ScannedPage(
        image=image,
        dpi=dpi,
        text=page.text,
        complete=_squash(" ".join(page.lines)) == wanted,
        skew=angle,
        turn=turn,
        font=layout.family.name,
        jpeg_quality=params.jpeg_quality,
    )
