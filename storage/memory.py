"""In-memory object store: the fake used by unit tests (same port, same checks)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, cast

from records.errors import NotFound
from storage.port import VerifyingReader, check_key, put_stream_via, sha256_hex, too_large, verify


class MemoryWriter:
    def __init__(self, store: MemoryStore, max_bytes: int | None) -> None:
        self._store = store
        self._max = max_bytes
        self._buf = io.BytesIO()

    def write(self, data: bytes) -> None:
        self._buf.write(data)
        if self._max is not None and self._buf.tell() > self._max:
            self.abort()
            raise too_large(self._max)

    def commit(self) -> tuple[str, int]:
        data = self._buf.getvalue()
        return self._store.put_bytes(data), len(data)

    def abort(self) -> None:
        self._buf = io.BytesIO()


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.retention: dict[str, datetime] = {}

    def writer(self, *, max_bytes: int | None = None) -> MemoryWriter:
        return MemoryWriter(self, max_bytes)

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        return put_stream_via(self.writer(max_bytes=max_bytes), stream)

    def put_bytes(self, data: bytes) -> str:
        key = sha256_hex(data)
        self.objects.setdefault(key, data)
        return key

    def exists(self, key: str) -> bool:
        return check_key(key) in self.objects

    def get_bytes(self, key: str) -> bytes:
        if check_key(key) not in self.objects:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}…")
        return verify(key, self.objects[key])

    def open(self, key: str) -> BinaryIO:
        if check_key(key) not in self.objects:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}…")
        return cast(BinaryIO, VerifyingReader(io.BytesIO(self.objects[key]), key))

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        data = self.get_bytes(key)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / key
            path.write_bytes(data)
            yield path

    def retain(self, key: str, until: datetime) -> None:
        if check_key(key) not in self.objects:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}…")
        current = self.retention.get(key)
        if current is None or until > current:
            self.retention[key] = until

    def retained_until(self, key: str) -> datetime | None:
        return self.retention.get(check_key(key))
