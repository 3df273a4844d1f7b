"""Vietnamese folding: the same on the index side and the query side.

``fold("Nguyễn Văn An, đất đai")`` → ``"nguyen van an, dat dai"``. Unicode decomposition
strips tone and vowel marks; đ/Đ have no decomposition and are mapped by hand.
"""

from __future__ import annotations

import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
