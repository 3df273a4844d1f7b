"""Understand scanned documents: document type (rules + model) and fields.

Pure domain code: no web framework, ORM or storage client.  Training examples come
through the :class:`ExampleSource` port; a trained model is bytes for the object store.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from classify.fields import KEYS, Box, Field, cccd_valid, extract, locate
from classify.training import Example, ExampleSource, StaticSource, SyntheticSource
from classify.types import DEFAULT_TYPES, OTHER, DocumentType, with_admin_types

# The model (scikit-learn, ~1 s to import) loads when first used: field extraction,
# types and the pipeline's steps that do not classify need none of it.
if TYPE_CHECKING:
    from classify.model import (
        ClassifierSettings,
        ClassifyError,
        ModelFormatError,
        Prediction,
        TrainedModel,
        TrainingError,
        train,
    )

_MODEL = {
    "ClassifierSettings",
    "ClassifyError",
    "ModelFormatError",
    "Prediction",
    "TrainedModel",
    "TrainingError",
    "train",
}


def __getattr__(name: str) -> Any:
    if name in _MODEL:
        return getattr(import_module("classify.model"), name)
    raise AttributeError(f"module 'classify' has no attribute {name!r}")


__all__ = [
    "DEFAULT_TYPES",
    "KEYS",
    "OTHER",
    "Box",
    "ClassifierSettings",
    "ClassifyError",
    "DocumentType",
    "Example",
    "ExampleSource",
    "Field",
    "ModelFormatError",
    "Prediction",
    "StaticSource",
    "SyntheticSource",
    "TrainedModel",
    "TrainingError",
    "cccd_valid",
    "extract",
    "locate",
    "train",
    "with_admin_types",
]
