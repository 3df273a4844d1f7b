"""Filesystem adapter of the object store (the embedded default)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, cast

from records.errors import NotFound
from storage.port import (
    CHUNK,
    VerifyingReader,
    check_key,
    put_bytes_via,
    put_stream_via,
    too_large,
    verify,
)


class FilesystemWriter:
    """Writes into a temp file beside the store while hashing; commit renames it."""

    def __init__(self, store: FilesystemStore, max_bytes: int | None) -> None:
        self._store = store
        self._max = max_bytes
        self._hash = hashlib.sha256()
        self.size = 0
        fd, self._tmp = tempfile.mkstemp(dir=store.tmp_dir)
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._max is not None and self.size > self._max:
            self.abort()
            raise too_large(self._max)
        self._hash.update(data)
        self._file.write(data)

    def commit(self) -> tuple[str, int]:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        key = self._hash.hexdigest()
        final = self._store.path_of(key)
        if final.exists():
            os.unlink(self._tmp)
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(self._tmp, 0o444)
            os.replace(self._tmp, final)
        return key, self.size

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        if os.path.exists(self._tmp):
            os.unlink(self._tmp)


class FilesystemStore:
    """Objects under ``root/ab/cd/<sha256>``; written to a temp file, fsynced, renamed.

    The rename is atomic, so a reader never sees half an object and a crash leaves at
    most a stray temp file in ``root/tmp``. Objects are read-only files and the port has
    no delete, so nothing is ever overwritten; ``retain`` records a retention date in
    ``root/retention/<sha256>`` (a plain filesystem cannot enforce it against root).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._verified: set[str] = set()

    def path_of(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def writer(self, *, max_bytes: int | None = None) -> FilesystemWriter:
        return FilesystemWriter(self, max_bytes)

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        return put_stream_via(self.writer(max_bytes=max_bytes), stream)

    def put_bytes(self, data: bytes) -> str:
        return put_bytes_via(self.writer(), data)

    def exists(self, key: str) -> bool:
        return self.path_of(key).exists()

    def get_bytes(self, key: str) -> bytes:
        try:
            return verify(key, self.path_of(key).read_bytes())
        except FileNotFoundError as e:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}… trong kho lưu trữ") from e

    def open(self, key: str) -> BinaryIO:
        try:
            raw = self.path_of(key).open("rb")
        except FileNotFoundError as e:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}… trong kho lưu trữ") from e
        return cast(BinaryIO, VerifyingReader(raw, key))

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        path = self.path_of(key)
        if key not in self._verified:  # verify once per process, not on every page
            with self.open(key) as stream:
                while stream.read(CHUNK):
                    pass
            self._verified.add(key)
        yield path

    def _retention_path(self, key: str) -> Path:
        return self.root / "retention" / check_key(key)

    def retain(self, key: str, until: datetime) -> None:
        if not self.exists(key):
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}… trong kho lưu trữ")
        current = self.retained_until(key)
        if current is not None and until <= current:
            return
        path = self._retention_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.tmp_dir)
        with os.fdopen(fd, "w") as f:
            f.write(until.isoformat())
        os.replace(tmp, path)

    def retained_until(self, key: str) -> datetime | None:
        try:
            return datetime.fromisoformat(self._retention_path(key).read_text().strip())
        except FileNotFoundError:
            return None
