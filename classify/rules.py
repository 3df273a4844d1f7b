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


def _search(
    joined: str, head: int, patterns: tuple[tuple[str, re.Pattern[str]], ...]
) -> tuple[int, int, str] | None:
    """The earliest (then longest) upper-case title in ``joined`` starting before ``head``."""
    folded = fold(joined)
    found = []
    for code, pattern in patterns:
        m = pattern.search(folded)
        if m is None or m.start() >= head:
            continue
        if _upper_ratio(joined[m.start() : m.end()]) >= MIN_UPPER:
            found.append((m.start(), -(m.end() - m.start()), code, m.end()))
    if not found:
        return None
    begin, _, code, end = min(found)
    return begin, end, code


def match_title(text: str, types: Sequence[DocumentType] = DEFAULT_TYPES) -> TitleMatch | None:
    """The first upper-case title of a known type in the first lines (a merged OCR line may
    carry text before it, so the title is searched, and must itself be upper case).

    A long title wraps on the page ("ĐƠN ĐĂNG KÝ, CẤP GIẤY CHỨNG NHẬN QUYỀN SỬ" / "DỤNG
    ĐẤT", maybe with an empty line between in the OCR text): a line where no title is found
    alone is tried again joined with the next non-empty line, the title starting on it."""
    text = nfc(text)
    patterns = _compiled(tuple(types))
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    for i, line in enumerate(lines[:MAX_TITLE_LINE]):
        lead = len(line) - len(line.lstrip())
        first = line[lead:].rstrip()
        hit = _search(first, len(first), patterns)
        if hit:
            begin, end, code = hit
            return TitleMatch(code, i, starts[i] + lead + begin, starts[i] + lead + end)
        j = next((k for k in range(i + 1, len(lines)) if lines[k].strip()), None)
        if j is None or not first:
            continue
        nxt = lines[j].strip()
        hit = _search(f"{first} {nxt}", len(first), patterns)
        if hit:
            begin, end, code = hit
            if end > len(first):  # ends on the next line
                nxt_lead = len(lines[j]) - len(lines[j].lstrip())
                stop = starts[j] + nxt_lead + end - len(first) - 1
            else:
                stop = starts[i] + lead + end
            return TitleMatch(code, i, starts[i] + lead + begin, stop)
    return None
