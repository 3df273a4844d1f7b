"""Text helpers that keep character offsets: folding never changes the length.

``fold_keep_case`` strips Vietnamese diacritics and maps Đ/đ to D/d one character at a
time, so a match at ``[i, j)`` in the folded text is the same span in the original (NFC)
text; fields report spans in the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_D = {"đ": "d", "Đ": "D"}


#: Tesseract often reads Vietnamese Đ/đ as the look-alike Icelandic Ð/ð (U+00D0/U+00F0),
#: which Vietnamese never uses; put back one for one (offsets unchanged).
_ETH = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_ETH)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in _D:
        return _D[c]
    if c.isascii():
        return c
    base = "".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x))
    if c == "²":
        return "2"
    return base if len(base) == 1 else c


def fold_keep_case(text: str) -> str:
    """Diacritics removed, case kept, same length as ``text`` (expects NFC)."""
    return "".join(_fold_char(c) for c in text)


def fold(text: str) -> str:
    """Diacritics removed and lower case, same length as ``text`` (expects NFC)."""
    out = fold_keep_case(text)
    lowered = out.lower()
    return lowered if len(lowered) == len(out) else "".join(c.lower()[:1] for c in out)


_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
