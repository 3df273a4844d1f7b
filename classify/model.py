"""Document-type classifier: title rules + character n-gram TF-IDF and logistic regression.

``train(sources)`` -> :class:`TrainedModel`; ``model.predict(text)`` -> :class:`Prediction`.
A trained model serialises to bytes (a JSON header line, then the payload) so the
product can keep versions in the object store and roll back.  Only load bytes that this
product wrote: the payload is a pickle.

Prediction needs no scikit-learn: a model keeps what it learnt as plain arrays
(:class:`classify.linear.LinearTextModel`, format 3), so a worker loads it without importing
scikit-learn; the fitted pipeline is unpickled only when asked for (``TrainedModel.pipeline``).

Calibration: the logistic regression's probabilities are under-confident on unseen
wordings.  Training fits one temperature ``T`` (probabilities ``softmax(logits / T)``) on
leave-one-template-out predictions: each type's generated templates are split in two
folds, a model trained without one fold predicts it, and ``T`` minimises the negative
log-likelihood of those predictions.  It is applied before the title rules' combination.
Format 2 stores ``T``; format 1 models (no calibration) still load, with ``T = 1``.
Format 3 adds the plain-array model before the pickle; formats 1 and 2 still load (their
pipeline is unpickled and converted, which imports scikit-learn).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from classify.linear import LinearTextModel, folded, head, lowered
from classify.rules import match_title
from classify.text import nfc
from classify.training import Example, ExampleSource
from classify.types import DEFAULT_TYPES, DocumentType

# scikit-learn, SciPy and joblib (~1 s to import) are imported by training and by reading
# the pickle, never by prediction.
if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

MAGIC = b"HOSO-CLASSIFY"
FORMAT = 3
#: Formats this version reads (1: before calibration, read with temperature 1; 1 and 2:
#: no plain-array model, made from the unpickled pipeline).
READABLE = (1, 2, 3)


class ClassifyError(Exception):
    """Base error of the classify package."""


class ModelFormatError(ClassifyError):
    """The bytes are not a model this version can read (wrong magic, format or checksum)."""


class TrainingError(ClassifyError):
    """Not enough examples to train (fewer than two types)."""


@dataclass(frozen=True)
class ClassifierSettings:
    """Knobs of classification; the product reads them from its settings."""

    threshold: float = 0.7
    """Below this confidence a document goes to the review queue."""
    rule_reliability: float = 0.9
    """How much a standard-title match is trusted (combined with the model, noisy-OR)."""
    model_override: float = 0.9
    """The model overrides a disagreeing title rule only above this probability."""
    c: float = 20.0
    """Inverse regularisation of the logistic regression."""
    calibrate: bool = True
    """Fit the temperature on leave-one-template-out predictions (two more fits)."""


@dataclass(frozen=True)
class Prediction:
    type: str
    confidence: float
    runner_up: tuple[str, float] | None
    needs_review: bool
    source: str  # "rules+model", "rules", "model"
    title: str | None = None  # type named by the title rule, if any


# Pipelines pickled by formats 1 and 2 name these preprocessors by these names.
_folded, _lowered, _head = folded, lowered, head


def build_pipeline(c: float) -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=_folded,
                    analyzer="char_wb",
                    ngram_range=(2, 4),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=60_000,
                    dtype=np.float32,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    preprocessor=_lowered,
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=30_000,
                    dtype=np.float32,
                ),
            ),
            (
                "head",
                TfidfVectorizer(
                    preprocessor=_head,
                    analyzer="char_wb",
                    ngram_range=(3, 5),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=20_000,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("clf", LogisticRegression(C=c, max_iter=2000))])


def training_hash(examples: Sequence[Example], settings: ClassifierSettings) -> str:
    h = hashlib.sha256(f"format={FORMAT};c={settings.c};calibrate={settings.calibrate}\n".encode())
    for ex in sorted(examples, key=lambda e: (e.type, e.weight, e.group, e.text)):
        h.update(f"{ex.type}\t{ex.weight!r}\t{ex.group}\t".encode())
        h.update(nfc(ex.text).encode())
        h.update(b"\x00")
    return h.hexdigest()


@dataclass
class TrainedModel:
    linear: LinearTextModel
    """What prediction uses: the fitted features and weights as arrays."""
    types: tuple[DocumentType, ...]
    version: str
    training_hash: str
    created_at: str
    n_examples: int
    settings: ClassifierSettings = field(default_factory=ClassifierSettings)
    temperature: float = 1.0
    """Calibration: probabilities are ``softmax(logits / temperature)``; 1 = as fitted."""
    calibration: dict[str, float] = field(default_factory=dict)
    """How the temperature was fitted (held-out predictions, their accuracy, NLL)."""
    fitted: Any = field(default=None, repr=False)
    """The fitted scikit-learn pipeline, when at hand (after training); else see
    ``pickled``."""
    pickled: bytes | None = field(default=None, repr=False)
    """The joblib payload the pipeline is unpickled from on first use of ``pipeline``."""

    @property
    def pipeline(self) -> Pipeline:
        """The fitted scikit-learn pipeline (unpickled on first use: imports scikit-learn)."""
        if self.fitted is None:
            if self.pickled is None:
                raise ModelFormatError("this model carries no fitted pipeline")
            import joblib

            self.fitted = joblib.load(io.BytesIO(self.pickled))
        return self.fitted

    @property
    def classes(self) -> list[str]:
        return list(self.linear.classes)

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities of the statistical model, one row per text
        (``softmax(logits / T)``; with ``T = 1`` the logistic regression's own)."""
        return _softmax(self.linear.logits(texts) / self.temperature)

    # -- the two halves, each usable alone --------------------------------------------
    def model_proba(self, text: str) -> dict[str, float]:
        """The statistical model's (calibrated) probabilities per type (no rules)."""
        probs = self.proba([text])[0]
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}

    def rule_type(self, text: str) -> str | None:
        """The type named by a standard title, or None (no model)."""
        m = match_title(text, self.types)
        return m.type if m else None

    # -- combined ----------------------------------------------------------------------
    def predict(self, text: str, threshold: float | None = None) -> Prediction:
        return self.predict_many([text], threshold)[0]

    def predict_many(
        self, texts: Sequence[str], threshold: float | None = None
    ) -> list[Prediction]:
        limit = self.settings.threshold if threshold is None else threshold
        classes = self.classes
        out = []
        for text, probs in zip(texts, self.proba(texts), strict=True):
            scores = {c: float(p) for c, p in zip(classes, probs, strict=True)}
            out.append(self._combine(scores, self.rule_type(text), limit))
        return out

    def _combine(self, scores: dict[str, float], rule: str | None, limit: float) -> Prediction:
        s = self.settings
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, p_best = ranked[0]
        if rule is not None:
            p_rule = scores.get(rule, 0.0)
            if rule == best or p_best < s.model_override:
                conf = 1 - (1 - p_rule) * (1 - s.rule_reliability)
                if rule != best:  # rule against the model: trust it, but less
                    conf = min(conf, s.rule_reliability * (1 - p_best) + p_rule)
                scores = {**scores, rule: conf}
                source = "rules+model" if rule == best else "rules"
            else:
                source = "model"
        else:
            source = "model"
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        (top, conf), second = ranked[0], ranked[1] if len(ranked) > 1 else None
        conf = min(1.0, conf)
        runner = (second[0], round(second[1], 4)) if second else None
        return Prediction(top, round(conf, 4), runner, conf < limit, source, rule)

    # -- serialisation -----------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """MAGIC, a JSON header line, then the payload: the plain-array model
        (``linear_size`` bytes), then the joblib pickle of the fitted pipeline."""
        if self.pickled is None:
            import joblib

            buf = io.BytesIO()
            joblib.dump(self.pipeline, buf, compress=3)
            self.pickled = buf.getvalue()
        linear = self.linear.to_bytes()
        payload = linear + self.pickled
        import sklearn

        header = {
            "format": FORMAT,
            "version": self.version,
            "training_hash": self.training_hash,
            "created_at": self.created_at,
            "n_examples": self.n_examples,
            "sklearn": sklearn.__version__,
            "payload_sha256": hashlib.sha256(payload).hexdigest(),
            "types": [[t.code, t.label, list(t.titles)] for t in self.types],
            "settings": self.settings.__dict__,
            "temperature": self.temperature,
            "calibration": self.calibration,
            "linear_size": len(linear),
        }
        return MAGIC + b"\n" + json.dumps(header, ensure_ascii=False).encode() + b"\n" + payload

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedModel:
        try:
            magic, head, payload = data.split(b"\n", 2)
            header = json.loads(head)
        except ValueError as e:
            raise ModelFormatError("not a hoso classifier model") from e
        if magic != MAGIC or header.get("format") not in READABLE:
            raise ModelFormatError(
                f"unsupported model format {header.get('format')!r} (this version reads "
                f"{', '.join(map(str, READABLE))}); retrain the classifier"
            )
        if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
            raise ModelFormatError("model payload checksum mismatch")
        fitted = None
        if header["format"] >= 3:
            size = int(header["linear_size"])
            linear, pickled = LinearTextModel.from_bytes(payload[:size]), payload[size:]
        else:  # an older model: the pipeline is all there is
            import joblib

            pickled = payload
            fitted = joblib.load(io.BytesIO(payload))
            linear = LinearTextModel.from_pipeline(fitted)
        return cls(
            linear=linear,
            fitted=fitted,
            pickled=pickled,
            types=tuple(DocumentType(c, lbl, tuple(ts)) for c, lbl, ts in header["types"]),
            version=header["version"],
            training_hash=header["training_hash"],
            created_at=header["created_at"],
            n_examples=header["n_examples"],
            settings=ClassifierSettings(**header["settings"]),
            temperature=float(header.get("temperature", 1.0)),
            calibration=dict(header.get("calibration", {})),
        )

    @staticmethod
    def header(data: bytes) -> dict[str, object]:
        """The metadata of serialised model bytes, without unpickling the payload."""
        magic, head, _ = data.split(b"\n", 2)
        if magic != MAGIC:
            raise ModelFormatError("not a hoso classifier model")
        value: dict[str, object] = json.loads(head)
        return value


def train(
    sources: ExampleSource | Iterable[ExampleSource],
    types: Sequence[DocumentType] = DEFAULT_TYPES,
    settings: ClassifierSettings | None = None,
) -> TrainedModel:
    """Fit a model on every example of ``sources`` (weights respected).

    Examples whose type is not in ``types`` are ignored, so a type removed by an admin
    stops being predicted after the next training."""
    settings = settings or ClassifierSettings()
    source_list = [sources] if isinstance(sources, ExampleSource) else list(sources)
    known = {t.code for t in types}
    examples = [
        ex for src in source_list for ex in src.examples() if ex.type in known and ex.weight > 0
    ]
    if len({ex.type for ex in examples}) < 2:
        raise TrainingError("need examples of at least two document types")
    digest = training_hash(examples, settings)
    pipeline = _fit(examples, settings)
    temperature, calibration = (
        fit_temperature(examples, settings) if settings.calibrate else (1.0, {})
    )
    created = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return TrainedModel(
        linear=LinearTextModel.from_pipeline(pipeline),
        fitted=pipeline,
        types=tuple(types),
        version=f"{created}-{digest[:12]}",
        training_hash=digest,
        created_at=created,
        n_examples=len(examples),
        settings=settings,
        temperature=temperature,
        calibration=calibration,
    )


def _fit(examples: Sequence[Example], settings: ClassifierSettings) -> Pipeline:
    pipeline = build_pipeline(settings.c)
    pipeline.fit(
        [ex.text for ex in examples],
        [ex.type for ex in examples],
        clf__sample_weight=np.array([ex.weight for ex in examples]),
    )
    return pipeline


def _logits(pipeline: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """One column per class (a binary model's single score becomes ``[0, score]``)."""
    scores = np.asarray(pipeline.decision_function(list(texts)), dtype=np.float64)
    return scores if scores.ndim == 2 else np.column_stack([np.zeros_like(scores), scores])


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def template_folds(examples: Sequence[Example]) -> list[int]:
    """Per example: the fold (0 or 1) it is held out in, or -1 (always trained on).

    Each type's templates (``Example.group``) alternate between the folds, so every fold
    model still sees every type from its other templates; a type with a single template
    and examples without a group (corrections) are never held out."""
    groups: dict[str, list[str]] = {}
    for ex in examples:
        if ex.group and ex.group not in groups.setdefault(ex.type, []):
            groups[ex.type].append(ex.group)
    fold = {
        (t, g): i % 2 for t, gs in groups.items() if len(gs) >= 2 for i, g in enumerate(sorted(gs))
    }
    return [fold.get((ex.type, ex.group), -1) for ex in examples]


def fit_temperature(
    examples: Sequence[Example], settings: ClassifierSettings
) -> tuple[float, dict[str, float]]:
    """The temperature minimising the weighted negative log-likelihood of
    leave-one-template-out predictions (see :func:`template_folds`); 1.0 when no type
    has two templates."""
    folds = template_folds(examples)
    logits: list[np.ndarray] = []
    truth: list[int] = []
    weights: list[float] = []
    for k in (0, 1):
        train_on = [ex for ex, f in zip(examples, folds, strict=True) if f != k]
        held = [ex for ex, f in zip(examples, folds, strict=True) if f == k]
        if not held or len({ex.type for ex in train_on}) < 2:
            continue
        model = _fit(train_on, settings)
        index = {str(c): i for i, c in enumerate(model.classes_)}
        z = _logits(model, [ex.text for ex in held])
        logits.extend(z)
        truth.extend(index[ex.type] for ex in held)
        weights.extend(ex.weight for ex in held)
    if not logits:
        return 1.0, {}
    z_all, y, w = np.array(logits), np.array(truth), np.array(weights)

    def nll(log_t: float) -> float:
        p = _softmax(z_all / np.exp(log_t))
        return float(-(w * np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))).sum() / w.sum())

    from scipy.optimize import minimize_scalar

    best = minimize_scalar(nll, bounds=(np.log(0.02), np.log(20.0)), method="bounded")
    temperature = float(np.exp(best.x))
    right = float((z_all.argmax(axis=1) == y).mean())
    return round(temperature, 6), {
        "held_out": float(len(y)),
        "held_out_accuracy": round(right, 4),
        "nll_before": round(nll(0.0), 4),
        "nll_after": round(float(best.fun), 4),
    }
