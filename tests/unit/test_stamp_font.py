"""The pre-subset stamp font (``signing.stamp.stamp_font``): a small copy of the 1000-upem
font that pyHanko parses per document; it must still draw every Vietnamese letter."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from signing.stamp import font_1000_upem, font_for_text, stamp_font

VOWELS = "aăâeêioôơuưy"
TONES = {"huyền": "\u0300", "sắc": "\u0301", "hỏi": "\u0309", "ngã": "\u0303", "nặng": "\u0323"}
CONSONANTS = "bcdđghklmnpqrstvx"


def _letters() -> list[str]:
    plain = list(VOWELS + CONSONANTS)
    toned = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES.values()]
    lower = plain + toned
    return lower + [c.upper() for c in lower]


def test_every_vietnamese_letter_with_each_tone_mark_has_a_glyph() -> None:
    letters = _letters()
    assert len(letters) == 2 * (12 + 17 + 12 * 5)
    assert all(len(c) == 1 for c in letters)  # each toned vowel is one precomposed code point
    font = TTFont(stamp_font())
    cmap = font.getBestCmap()
    glyf = font["glyf"]
    missing = [c for c in letters if ord(c) not in cmap]
    assert not missing, missing
    empty = [c for c in letters if glyf[cmap[ord(c)]].numberOfContours == 0]
    assert not empty, empty  # a real outline, not a blank glyph
    others = "0123456789 +:/-.,()%"
    assert all(ord(c) in cmap for c in others)
    for tone in TONES.values():  # text typed decomposed still finds the combining marks
        assert ord(tone) in cmap


def test_subset_is_small_and_keeps_1000_upem() -> None:
    path = Path(stamp_font())
    full = Path(font_1000_upem())
    assert path.parent == full.parent  # cached on disk beside the rescaled font
    assert path.stat().st_size < min(100_000, full.stat().st_size // 4)
    font = TTFont(str(path))
    assert font["head"].unitsPerEm == 1000
    # widths unchanged from the rescaled font (same advance for the same letter)
    ref = TTFont(str(full))
    for c in "Nguyễn Văn An Thời gian ký: 09:15:00":
        g, rg = font.getBestCmap()[ord(c)], ref.getBestCmap()[ord(c)]
        assert font["hmtx"][g][0] == ref["hmtx"][rg][0], c


def test_text_outside_the_subset_uses_the_whole_font() -> None:
    assert font_for_text("Người ký: Nguyễn Thị Ánh\nChức vụ: Chủ tịch") == stamp_font()
    assert font_for_text("Người ký: Ωmega") == font_1000_upem()
