"""Liberation Serif (Times New Roman metrics) registered as embedded TrueType.

The PDF standard fonts cover Latin-1 only; Vietnamese needs letters such as ơ, ư, ạ, ễ.
An embedded TrueType subset carries every glyph and a ToUnicode map, so the text prints
and also extracts (pdftotext, search) as the same Vietnamese.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "HosoSerif"
REGULAR, BOLD, ITALIC, BOLD_ITALIC = (
    FAMILY,
    f"{FAMILY}-Bold",
    f"{FAMILY}-Italic",
    f"{FAMILY}-BoldItalic",
)

# Regular last: its presence is what tells ``register`` the whole family is there.
_FILES = {
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
    REGULAR: "LiberationSerif-Regular.ttf",
}

# Debian's fonts-liberation2 and fonts-liberation, then the Fedora/Arch layouts.
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/liberation-serif"),
    Path("/usr/share/fonts/liberation"),
    Path("/usr/share/fonts/TTF"),
)


def _find(filename: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / filename).is_file():
            return folder / filename
    searched = ", ".join(str(d) for d in FONT_DIRS)
    raise FileNotFoundError(
        f"{filename} not found in {searched}; install fonts-liberation2 (Debian/Ubuntu)"
    )


def register() -> str:
    """Register the family once per process; returns the regular face's name."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return REGULAR
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_find(filename))))
    # So that <b> and <i> in paragraph markup pick the right faces.
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD_ITALIC)
    return REGULAR


def width(text: str, font: str, size: float) -> float:
    """Printed width of ``text`` in points."""
    register()
    return float(pdfmetrics.stringWidth(text, font, size))
