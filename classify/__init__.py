"""Understand scanned documents: document type (rules + model) and fields.

Pure domain code: no web framework, ORM or storage client.  Training examples come
through the :class:`ExampleSource` port; a trained model is bytes for the object store.
"""

from classify.fields import KEYS, Box, Field, cccd_valid, extract, locate
from classify.model import (
    ClassifierSettings,
    ClassifyError,
    ModelFormatError,
    Prediction,
    TrainedModel,
    TrainingError,
    train,
)
from classify.training import Example, ExampleSource, StaticSource, SyntheticSource
from classify.types import DEFAULT_TYPES, OTHER, DocumentType, with_admin_types

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
