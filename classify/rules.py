"""Rules on the standard titles: an upper-case run of text in the first lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from classify.text import fold, nfc
from classify.types import DEFAULT_TYPES, DocumentType

#: Titles sit near the top; body text quoting another document's name is not a title.
MAX_TITLE_LINE = 25
MIN_UPPER = 0.8


@dataclass(frozen=True)
class TitleMatch:
    type: str
    line: int
    start: int  # character offsets in the NFC text
    end: int


@lru_cache(maxsize=64)
def _compiled(types: tuple[DocumentType, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((t.code, re.compile(p)) for t in types for p in t.titles)


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def match_title(text: str, types: Sequence[DocumentType] = DEFAULT_TYPES) -> TitleMatch | None:
    """The first upper-case title of a known type in the first lines (a merged OCR line may
    carry text before it, so the title is searched, and must itself be upper case)."""
    text = nfc(text)
    patterns = _compiled(tuple(types))
    offset = 0
    for i, line in enumerate(text.split("\n")):
        if i >= MAX_TITLE_LINE:
            break
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        folded = fold(stripped)
        found = []
        for code, pattern in patterns:
            m = pattern.search(folded)
            if m and _upper_ratio(stripped[m.start() : m.end()]) >= MIN_UPPER:
                found.append((m.start(), -(m.end() - m.start()), code, m.end()))
        if found:  # the earliest (then longest) title on the line
            start, _, code, end = min(found)
            return TitleMatch(code, i, offset + lead + start, offset + lead + end)
        offset += len(line) + 1
    return None
