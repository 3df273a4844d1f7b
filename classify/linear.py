"""The fitted document-type model as plain arrays, for prediction without scikit-learn.

Training fits a scikit-learn pipeline (TF-IDF features joined, then a logistic
regression; :mod:`classify.model`). Predicting needs only what it learnt: each
vectoriser's vocabulary and idf weights, the regression's coefficients. Kept as arrays,
a worker process loads a model in a few tens of milliseconds instead of importing
scikit-learn (~1 s of CPU per process) and unpickling it, and the stored form is plain
data (JSON + ``.npy``), not a pickle.

``LinearTextModel.from_pipeline`` reads a fitted pipeline's attributes (no scikit-learn
import); ``logits`` reproduces ``pipeline.decision_function`` (tested against it): the
same analysers (``char_wb`` and ``word`` n-grams), sublinear tf, idf, l2 norm per
vectoriser, then ``X @ coef.T + intercept``.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from classify.text import fold, nfc, squash


def folded(text: str) -> str:
    """Folded (no diacritics, đ→d), squashed: what the character n-grams see."""
    return squash(fold(nfc(text)))


def lowered(text: str) -> str:
    """Lower case with diacritics, squashed: what the word n-grams see."""
    return squash(nfc(text).lower())


def head(text: str) -> str:
    """The first ~300 folded characters, where titles and issuing bodies are."""
    return folded(text)[:300]


#: The preprocessors a stored model may name (by these names, never by code).
PREPROCESSORS: dict[str, Callable[[str], str]] = {
    "folded": folded,
    "lowered": lowered,
    "head": head,
}
_WHITE_SPACES = re.compile(r"\s\s+")
_FORMAT = 1


class UnsupportedModel(ValueError):
    """The fitted pipeline uses an option this predictor does not reproduce."""


def _char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``char_wb`` analyser: n-grams of each space-padded word."""
    grams: list[str] = []
    add = grams.append
    for word in _WHITE_SPACES.sub(" ", text).split():
        w = f" {word} "
        size = len(w)
        for n in range(low, high + 1):
            offset = 0
            add(w[offset : offset + n])
            while offset + n < size:
                offset += 1
                add(w[offset : offset + n])
            if offset == 0:  # a word shorter than n is counted once
                break
    return grams


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams of already tokenised text."""
    if high == 1:
        return tokens
    grams = list(tokens) if low == 1 else []
    start = max(low, 2)
    for n in range(start, min(high + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True)
class Vectoriser:
    """One TF-IDF feature block: analyser, n-gram range, vocabulary and idf weights."""

    analyzer: str  # "char_wb" or "word"
    preprocessor: str  # a key of PREPROCESSORS
    ngram_range: tuple[int, int]
    token_pattern: str | None
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool

    def terms(self, text: str) -> list[str]:
        prepared = PREPROCESSORS[self.preprocessor](text)
        low, high = self.ngram_range
        if self.analyzer == "char_wb":
            return _char_wb_ngrams(prepared, low, high)
        assert self.token_pattern is not None
        return _word_ngrams(re.findall(self.token_pattern, prepared), low, high)

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, l2-normalised tf-idf values) of ``text``'s known terms."""
        vocab = self.vocabulary
        counts = Counter(i for t in self.terms(text) if (i := vocab.get(t)) is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[idx]
        norm = math.sqrt(float(values @ values))
        return idx, values / norm if norm else values


@dataclass(frozen=True)
class LinearTextModel:
    """Joined TF-IDF blocks and a linear layer: ``logits(texts)`` per class."""

    classes: tuple[str, ...]
    blocks: tuple[Vectoriser, ...]
    coef: np.ndarray  # (classes, features); one row for a two-class model
    intercept: np.ndarray

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per class (a two-class model's single score
        becomes ``[0, score]``, as ``classify.model`` treats it)."""
        weights = self.coef.T  # (features, classes)
        rows = []
        for text in texts:
            z = self.intercept.astype(np.float64)  # a copy: added to below
            offset = 0
            for block in self.blocks:
                idx, values = block.features(text)
                if len(idx):
                    z += values @ weights[idx + offset]
                offset += len(block.idf)
            rows.append(z)
        out = np.array(rows, dtype=np.float64).reshape(len(rows), -1)
        return out if out.shape[1] > 1 else np.column_stack([np.zeros(len(out)), out[:, 0]])

    # -- from a fitted scikit-learn pipeline ----------------------------------------------
    @classmethod
    def from_pipeline(cls, pipeline: Any) -> LinearTextModel:
        """Read a fitted ``Pipeline([("features", FeatureUnion), ("clf", LogisticRegression)])``."""
        union, clf = pipeline.steps[0][1], pipeline.steps[-1][1]
        blocks = [_block(vec) for _name, vec in union.transformer_list]
        coef = np.asarray(clf.coef_, dtype=np.float64)
        if coef.shape[1] != sum(len(b.idf) for b in blocks):
            raise UnsupportedModel("coefficients do not match the features")
        return cls(
            classes=tuple(str(c) for c in clf.classes_),
            blocks=tuple(blocks),
            coef=coef,
            intercept=np.asarray(clf.intercept_, dtype=np.float64),
        )

    # -- plain-data serialisation ----------------------------------------------------------
    def to_bytes(self) -> bytes:
        """A JSON line (classes, blocks with their vocabularies in column order), then
        ``.npz`` arrays (idf per block, coef, intercept). No pickle."""
        meta = {
            "format": _FORMAT,
            "classes": list(self.classes),
            "blocks": [
                {
                    "analyzer": b.analyzer,
                    "preprocessor": b.preprocessor,
                    "ngram_range": list(b.ngram_range),
                    "token_pattern": b.token_pattern,
                    "sublinear_tf": b.sublinear_tf,
                    "terms": sorted(b.vocabulary, key=b.vocabulary.__getitem__),
                }
                for b in self.blocks
            ],
        }
        arrays: dict[str, np.ndarray] = {f"idf{i}": b.idf for i, b in enumerate(self.blocks)}
        arrays.update(coef=self.coef, intercept=self.intercept)
        buf = io.BytesIO()
        np.savez_compressed(buf, allow_pickle=False, **arrays)
        return json.dumps(meta, ensure_ascii=False).encode() + b"\n" + buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearTextModel:
        line, payload = data.split(b"\n", 1)
        meta = json.loads(line)
        if meta.get("format") != _FORMAT:
            raise UnsupportedModel(f"linear model format {meta.get('format')!r}")
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            blocks = tuple(
                Vectoriser(
                    analyzer=b["analyzer"],
                    preprocessor=b["preprocessor"],
                    ngram_range=(int(b["ngram_range"][0]), int(b["ngram_range"][1])),
                    token_pattern=b["token_pattern"],
                    vocabulary={t: i for i, t in enumerate(b["terms"])},
                    idf=np.asarray(arrays[f"idf{i}"], dtype=np.float64),
                    sublinear_tf=bool(b["sublinear_tf"]),
                )
                for i, b in enumerate(meta["blocks"])
            )
            return cls(
                classes=tuple(meta["classes"]),
                blocks=blocks,
                coef=np.asarray(arrays["coef"]),
                intercept=np.asarray(arrays["intercept"]),
            )


def _block(vec: Any) -> Vectoriser:
    """One fitted ``TfidfVectorizer``, refusing options this module does not reproduce."""
    prep = {fn: name for name, fn in PREPROCESSORS.items()}.get(vec.preprocessor)
    unsupported: list[str] = [
        what
        for what, bad in (
            ("analyzer", vec.analyzer not in ("char_wb", "word")),
            ("preprocessor", prep is None),
            ("tokenizer", vec.tokenizer is not None),
            ("stop_words", vec.stop_words is not None),
            ("binary", vec.binary),
            ("norm", vec.norm != "l2"),
            ("use_idf", not vec.use_idf),
        )
        if bad
    ]
    if unsupported:
        raise UnsupportedModel(f"unsupported vectoriser options: {', '.join(unsupported)}")
    assert prep is not None  # refused above
    vocabulary = {str(t): int(i) for t, i in vec.vocabulary_.items()}
    idf = np.asarray(vec.idf_, dtype=np.float64)
    if sorted(vocabulary.values()) != list(range(len(idf))):
        raise UnsupportedModel("vocabulary columns are not 0..n-1")
    return Vectoriser(
        analyzer=vec.analyzer,
        preprocessor=prep,
        ngram_range=(int(vec.ngram_range[0]), int(vec.ngram_range[1])),
        token_pattern=vec.token_pattern if vec.analyzer == "word" else None,
        vocabulary=vocabulary,
        idf=idf,
        sublinear_tf=bool(vec.sublinear_tf),
    )
