"""Character error rate, as the accuracy tests and benchmarks compute it."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein


def normalise(text: str) -> str:
    """NFC, every run of whitespace (line breaks included) collapsed to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(truth: str, found: str) -> float:
    t, f = normalise(truth), normalise(found)
    return Levenshtein.distance(t, f) / max(len(t), 1)


def pooled_cer(pairs: list[tuple[str, str]]) -> float:
    errors = sum(Levenshtein.distance(normalise(t), normalise(f)) for t, f in pairs)
    return errors / max(sum(len(normalise(t)) for t, _ in pairs), 1)
