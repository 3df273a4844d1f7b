"""The document classifier a deployment uses: trained once, kept in the object store.

The current model's key is written to ``HOSO_DATA_DIR/models/current``; the first worker
that needs a model and finds none trains one from generated examples (about 5 s) under
a file lock, so several workers never train twice. Retraining from clerks' corrections
will write a new key here, keeping the old object for rollback.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from classify import SyntheticSource, TrainedModel, train
from storage import ObjectStore


class ModelProvider:
    def __init__(self, folder: Path, store: ObjectStore, cache: Path | None = None) -> None:
        self._folder = folder
        self._store = store
        self._cache = cache  # shared across data directories (tests, several sites)
        self._model: TrainedModel | None = None

    def __call__(self) -> TrainedModel:
        if self._model is None:
            self._model = self._load_or_train()
        return self._model

    def _load_or_train(self) -> TrainedModel:
        self._folder.mkdir(parents=True, exist_ok=True)
        pointer = self._folder / "current"
        with open(self._folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if pointer.exists():
                return TrainedModel.from_bytes(self._store.get_bytes(pointer.read_text().strip()))
            data = self._initial_model()
            key = self._store.put_bytes(data)
            model = TrainedModel.from_bytes(data)
            tmp = pointer.with_suffix(".tmp")
            tmp.write_text(key)
            tmp.replace(pointer)
            return model

    def _initial_model(self) -> bytes:
        """The model trained on generated examples (deterministic: seeded), from the shared
        cache when one is configured."""
        cached = self._cache / "synthetic-initial.model" if self._cache else None
        if cached is not None and cached.exists():
            return cached.read_bytes()
        data = train(SyntheticSource()).to_bytes()
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{id(self)}.tmp")
            tmp.write_bytes(data)
            tmp.replace(cached)
        return data
