"""Scoring helpers shared by the tests and ``bench.classify``."""

from __future__ import annotations

import difflib
import itertools
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


@dataclass(frozen=True)
class Bucket:
    """Predictions whose confidence falls in [low, high)."""

    low: float
    high: float
    n: int
    mean_confidence: float
    accuracy: float


def reliability(
    confidences: Sequence[float],
    correct: Sequence[bool],
    edges: Sequence[float] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99),
) -> tuple[float, list[Bucket]]:
    """Expected calibration error (the |accuracy − mean confidence| of each confidence
    bucket, weighted by its share of predictions) and the non-empty buckets. Bucket
    bounds are ``edges`` then 1.0 (a confidence of 1.0 falls in the last bucket).
    Calibrated: among predictions made with confidence ≈ p, a share ≈ p is right."""
    if len(confidences) != len(correct) or not confidences:
        raise ValueError("need as many outcomes as confidences, at least one")
    bounds = [*edges, 1.0]
    buckets: list[Bucket] = []
    ece = 0.0
    for i, (low, high) in enumerate(itertools.pairwise(bounds)):
        last = i == len(bounds) - 2
        inside = [
            (c, ok)
            for c, ok in zip(confidences, correct, strict=True)
            if low <= c < high or (last and c == high)
        ]
        if not inside:
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        acc = sum(ok for _, ok in inside) / len(inside)
        buckets.append(Bucket(low, high, len(inside), conf, acc))
        ece += len(inside) / len(confidences) * abs(acc - conf)
    return ece, buckets
