"""OCR-like damage to clean text: lost or confused diacritics, look-alike characters,
merged and split lines.  Pure functions of a ``random.Random``."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # huyền sắc ngã hỏi nặng
_VOWEL_MARKS = ("\u0302", "\u0306", "\u031b")  # circumflex, breve, horn (ư, ơ, ă, â, ê, ô)
LOOKALIKES = {
    "l": "1I",
    "I": "l1",
    "i": "l",
    "O": "0",
    "o": "0c",
    "0": "O",
    "1": "l",
    "5": "S",
    "8": "B",
    "c": "e",
    "e": "c",
    "h": "b",
    "n": "m",
    "m": "n",
    "u": "v",
    "a": "o",
    ",": ".",
    ".": ",",
    ":": ";",
}


@dataclass(frozen=True)
class NoiseLevel:
    """Per-character probabilities of each kind of damage."""

    drop_tone: float = 0.03
    swap_tone: float = 0.02
    drop_vowel_mark: float = 0.02
    d_bar: float = 0.1  # Đ/đ read as D/d
    lookalike: float = 0.006
    digit_lookalike: float = 0.002
    merge_lines: float = 0.1
    split_line: float = 0.03
    superscript: float = 0.5  # m² read as m2
    wrap: float = 0.0  # chance that lines are wrapped at a page's width (as printed)


CLEAN = NoiseLevel(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
#: Characters per printed line on A4 (12–13.5 pt, narrow to wide fonts, usual margins).
WRAP_WIDTH = (55, 90)


def draw_level(rng: random.Random, scale: float = 1.0) -> NoiseLevel:
    """A page's noise: from nearly clean to a bad scan."""
    s = scale * rng.choice((0.0, 0.5, 1.0, 1.0, 2.0, 3.0))
    return NoiseLevel(
        drop_tone=0.03 * s,
        swap_tone=0.02 * s,
        drop_vowel_mark=0.02 * s,
        d_bar=min(1.0, 0.15 * s),
        lookalike=0.006 * s,
        digit_lookalike=0.002 * s,
        merge_lines=min(0.6, 0.1 * s),
        split_line=0.03 * s,
        superscript=min(1.0, 0.4 * s),
        wrap=0.6 if s else 0.0,
    )


def _char(c: str, rng: random.Random, lv: NoiseLevel) -> str:
    if c in "Đđ":
        return ("D" if c == "Đ" else "d") if rng.random() < lv.d_bar else c
    if c == "²":
        return "2" if rng.random() < lv.superscript else c
    if c.isdigit():
        if rng.random() < lv.digit_lookalike:
            return rng.choice(LOOKALIKES.get(c, c))
        return c
    if c.isascii():
        if c in LOOKALIKES and rng.random() < lv.lookalike:
            return rng.choice(LOOKALIKES[c])
        return c
    parts = list(unicodedata.normalize("NFD", c))
    out = [parts[0]]
    for mark in parts[1:]:
        if mark in _TONES:
            r = rng.random()
            if r < lv.drop_tone:
                continue
            if r < lv.drop_tone + lv.swap_tone:
                mark = rng.choice(_TONES)
        elif mark in _VOWEL_MARKS and rng.random() < lv.drop_vowel_mark:
            continue
        out.append(mark)
    return unicodedata.normalize("NFC", "".join(out))


def wrap(text: str, width: int) -> str:
    """Long lines broken at spaces before ``width`` characters, as a printed page breaks
    them (titles and addresses end up on two lines in the OCR text)."""
    out: list[str] = []
    for line in text.split("\n"):
        current = ""
        for word in line.split(" "):
            if current and len(current) + 1 + len(word) > width:
                out.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        out.append(current)
    return "\n".join(out)


def damage(text: str, rng: random.Random, level: NoiseLevel) -> str:
    """``text`` as a mediocre OCR engine might return it from a printed page (NFC)."""
    text = unicodedata.normalize("NFC", text)
    if level.wrap and rng.random() < level.wrap:
        text = wrap(text, rng.randint(*WRAP_WIDTH))
    chars = "".join(_char(c, rng, level) for c in text)
    lines = chars.split("\n")
    out: list[str] = []
    for line in lines:
        if out and rng.random() < level.merge_lines:
            out[-1] = f"{out[-1]} {line}"
            continue
        if rng.random() < level.split_line and " " in line.strip():
            cut = rng.choice([i for i, c in enumerate(line) if c == " "])
            out.extend((line[:cut], line[cut + 1 :]))
            continue
        out.append(line)
    return "\n".join(out)
