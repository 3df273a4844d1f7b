"""The document classifier a deployment uses: trained once, kept in the object store,
retrained from clerks' corrections, and rolled back when a new model is worse.

``HOSO_DATA_DIR/models/current`` holds the key of the current model's bytes in the object
store, ``models/history`` the keys it replaced (newest last). The first worker that needs
a model and finds none trains one from generated examples (about 5 s) under a file lock,
so several workers never train twice. Every process notices a new ``current`` (its
modification time) and loads it.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from classify import Example, StaticSource, SyntheticSource, TrainedModel, train
from classify.types import DocumentType, with_admin_types
from records.errors import Conflict
from storage import ObjectStore


class ModelProvider:
    def __init__(self, folder: Path, store: ObjectStore, cache: Path | None = None) -> None:
        self._folder = folder
        self._store = store
        self._cache = cache  # shared across data directories (tests, several sites)
        self._model: TrainedModel | None = None
        self._seen: float | None = None
        self._loading = threading.Lock()  # a warm-up thread and a step may ask at once

    @property
    def _pointer(self) -> Path:
        return self._folder / "current"

    def __call__(self) -> TrainedModel:
        with self._loading:
            stamp = self._pointer.stat().st_mtime if self._pointer.exists() else None
            if self._model is None or stamp != self._seen:
                self._model = self._load_or_train()
                self._seen = self._pointer.stat().st_mtime
            return self._model

    def _locked(self) -> TextIO:
        """An open lock file, exclusively locked; closing it (``with``) releases it."""
        self._folder.mkdir(parents=True, exist_ok=True)
        lock = open(self._folder / ".lock", "w")  # noqa: SIM115
        fcntl.flock(lock, fcntl.LOCK_EX)
        return lock

    def _load_or_train(self) -> TrainedModel:
        with self._locked():
            if self._pointer.exists():
                key = self._pointer.read_text().strip()
                return TrainedModel.from_bytes(self._store.get_bytes(key))
            data = self._initial_model()
            self._point_to(self._store.put_bytes(data), remember=False)
            return TrainedModel.from_bytes(data)

    def _point_to(self, key: str, *, remember: bool) -> None:
        if remember and self._pointer.exists():
            with (self._folder / "history").open("a") as history:
                history.write(self._pointer.read_text().strip() + "\n")
        tmp = self._pointer.with_suffix(".tmp")
        tmp.write_text(key)
        tmp.replace(self._pointer)

    def _initial_model(self) -> bytes:
        """The model trained on generated examples (deterministic: seeded), from the shared
        cache when one is configured."""
        from classify.model import FORMAT

        # one file per format: a cache written by an older version is not read as current
        cached = self._cache / f"synthetic-initial.v{FORMAT}.model" if self._cache else None
        if cached is not None and cached.exists():
            return cached.read_bytes()
        data = train(SyntheticSource()).to_bytes()
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{id(self)}.tmp")
            tmp.write_bytes(data)
            tmp.replace(cached)
        return data

    def retrain(
        self,
        corrections: Iterable[tuple[str, str, float]],
        admin_types: Iterable[DocumentType] = (),
    ) -> str:
        """Train on generated examples plus the corrections; the new model becomes current
        and the old one stays in the history for rollback. Returns the new version.

        ``admin_types`` (stored by admins) join the built-in types: corrections to them
        are learnt, and their titles become title rules of the new model."""
        extra = [Example(text, doc_type, weight) for text, doc_type, weight in corrections]
        types = with_admin_types(admin_types)
        model = train([SyntheticSource(), StaticSource(tuple(extra))], types)
        with self._locked():
            self._point_to(self._store.put_bytes(model.to_bytes()), remember=True)
        self._model, self._seen = model, self._pointer.stat().st_mtime
        return model.version

    def rollback(self) -> str:
        """Go back to the model the current one replaced."""
        history = self._folder / "history"
        with self._locked():
            keys = history.read_text().split() if history.exists() else []
            if not keys:
                raise Conflict("Không có mô hình cũ để quay lại")
            history.write_text("".join(k + "\n" for k in keys[:-1]))
            self._point_to(keys[-1], remember=False)
        return self().version
