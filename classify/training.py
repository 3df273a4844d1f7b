"""Training examples: the port, and labelled synthetic texts made from ``synth``.

Training never reads the database: the product implements :class:`ExampleSource`
(clerks' corrections) and hands it to :func:`classify.model.train` together with
:class:`SyntheticSource`.  The HOLD-OUT set (:func:`holdout_set`) uses the templates in
``synth.templates_holdout`` and is for evaluation only.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from classify.noise import damage, draw_level
from classify.types import OTHER

#: synth.content kinds -> our type codes (marriage registration and petitions are "other").
SYNTH_KINDS = {
    "khai_sinh": "to_khai_khai_sinh",
    "cu_tru": "giay_xac_nhan_cu_tru",
    "dat_dai": "don_dang_ky_dat_dai",
    "uy_quyen": "giay_uy_quyen",
    "quyet_dinh": "quyet_dinh",
    "ket_hon": OTHER,
    "don_de_nghi": OTHER,
}


@dataclass(frozen=True)
class Example:
    """One labelled text.  Clerks' corrections usually carry a weight > 1.

    ``group`` names the template a generated text was made from (empty for corrections):
    training calibrates the confidence on predictions for templates left out."""

    text: str
    type: str
    weight: float = 1.0
    group: str = ""


@dataclass(frozen=True)
class LabelledText:
    """A generated text with its type and field ground truth (canonical keys)."""

    text: str
    type: str
    fields: dict[str, str] = field(default_factory=dict)
    template: str = ""


@runtime_checkable
class ExampleSource(Protocol):
    """Where training examples come from (generated data, stored corrections, ...)."""

    def examples(self) -> Iterable[Example]: ...


@dataclass(frozen=True)
class StaticSource:
    """An in-memory list of examples (tests, or corrections already loaded by an adapter)."""

    items: tuple[Example, ...]

    def examples(self) -> Iterable[Example]:
        return self.items


@dataclass(frozen=True)
class LabelledDocument:
    """A generated document (``synth.content.Document``: styled lines, to render as a
    page) with its type and field ground truth."""

    document: Any
    type: str
    fields: dict[str, str] = field(default_factory=dict)
    template: str = ""


def _documents(
    templates: dict[str, list[tuple[str, object]]], n_per_type: int, seed: str
) -> Iterator[LabelledDocument]:
    for code in sorted(templates):
        makers = templates[code]
        for i in range(n_per_type):
            name, make = makers[i % len(makers)]
            made = make(random.Random(f"{seed}:{code}:{i}"))  # type: ignore[operator]
            doc, truth = made if isinstance(made, tuple) else (made, {})
            yield LabelledDocument(doc, code, dict(truth), name)


def _generated(
    templates: dict[str, list[tuple[str, object]]], n_per_type: int, seed: str, noise: float
) -> Iterator[LabelledText]:
    rng = random.Random(seed)
    for item in _documents(templates, n_per_type, seed):
        text = item.document.text
        text = damage(text, rng, draw_level(rng, noise)) if noise > 0 else text
        yield LabelledText(text, item.type, item.fields, item.template)


def _training_templates() -> dict[str, list[tuple[str, object]]]:
    """Type code -> (name, template), at least two templates per type: synth's page
    templates, ``templates_typed`` and the second wordings of ``templates_typed2``."""
    from synth import templates_civil, templates_land, templates_typed, templates_typed2

    table: dict[str, list[tuple[str, object]]] = {}
    for kind, make in {**templates_civil.TEMPLATES, **templates_land.TEMPLATES}.items():
        table.setdefault(SYNTH_KINDS[kind], []).append((f"synth.{kind}", make))
    for prefix, module in (("typed", templates_typed), ("typed2", templates_typed2)):
        for code, makers in module.TEMPLATES.items():
            for typed in makers:
                table.setdefault(code, []).append((f"{prefix}.{typed.__name__}", typed))
    return table


def _holdout_templates() -> dict[str, list[tuple[str, object]]]:
    from synth import templates_holdout

    return {
        code: [(f"holdout.{m.__name__}", m) for m in makers]
        for code, makers in templates_holdout.TEMPLATES.items()
    }


def training_set(n_per_type: int = 60, seed: int = 0, noise: float = 1.0) -> list[LabelledText]:
    """Noisy texts from the training templates (synth's pages, ``templates_typed`` and
    ``templates_typed2``); the types' templates take turns."""
    return list(_generated(_training_templates(), n_per_type, f"train:{seed}", noise))


def holdout_documents(n_per_type: int = 10, seed: int = 0) -> list[LabelledDocument]:
    """The HOLD-OUT documents themselves (to render and scan), with field ground truth.
    Evaluation only; ``holdout_set(n, seed, noise=0)`` has the same texts."""
    return list(_documents(_holdout_templates(), n_per_type, f"holdout:{seed}"))


def training_documents(n_per_type: int = 10, seed: int = 0) -> list[LabelledDocument]:
    """Documents from the training templates (to render and scan)."""
    return list(_documents(_training_templates(), n_per_type, f"train:{seed}"))


def holdout_set(n_per_type: int = 40, seed: int = 0, noise: float = 1.0) -> list[LabelledText]:
    """Noisy texts from the HOLD-OUT templates, with field ground truth.  Evaluation only."""
    return list(_generated(_holdout_templates(), n_per_type, f"holdout:{seed}", noise))


@dataclass(frozen=True)
class SyntheticSource:
    """Generated training examples (weight 1), as an :class:`ExampleSource`."""

    n_per_type: int = 60
    seed: int = 0
    noise: float = 1.0

    def examples(self) -> Iterable[Example]:
        for item in training_set(self.n_per_type, self.seed, self.noise):
            yield Example(item.text, item.type, 1.0, item.template)
