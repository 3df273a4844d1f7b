"""Scoring helpers shared by the tests and ``bench.classify``."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from classify.fields import KEYS, Field
from classify.text import fold, nfc, squash

#: Free-text fields may carry OCR damage; they match when this similar (folded).
TEXT_KEYS = ("ho_ten", "dia_chi")
TEXT_SIMILARITY = 0.9


def same_value(key: str, truth: str, found: str) -> bool:
    a, b = squash(fold(nfc(truth))), squash(fold(nfc(found)))
    if key in TEXT_KEYS:
        return difflib.SequenceMatcher(None, a, b).ratio() >= TEXT_SIMILARITY
    return a == b


@dataclass(frozen=True)
class FieldScore:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def field_scores(
    pairs: Iterable[tuple[Mapping[str, str], Mapping[str, Field]]],
) -> dict[str, FieldScore]:
    """Per key: a wrong value counts as a false positive and a false negative."""
    counts = {k: Counter[str]() for k in KEYS}
    for truth, found in pairs:
        for key in KEYS:
            t, f = truth.get(key), found.get(key)
            if t is not None and f is not None and same_value(key, t, f.value):
                counts[key]["tp"] += 1
                continue
            if f is not None:
                counts[key]["fp"] += 1
            if t is not None:
                counts[key]["fn"] += 1
    return {k: FieldScore(c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}


def confusion(
    truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> list[list[int]]:
    index = {c: i for i, c in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t]][index[p]] += 1
    return matrix
