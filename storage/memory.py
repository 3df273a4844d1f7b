"""In-memory object store: the fake used by unit tests (same port, same checks)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from records.errors import FileTooLarge, NotFound
from storage.port import CHUNK, VerifyingReader, check_key, sha256_hex, verify


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        buf = io.BytesIO()
        while chunk := stream.read(CHUNK):
            buf.write(chunk)
            if max_bytes is not None and buf.tell() > max_bytes:
                raise FileTooLarge(f"vượt quá giới hạn {max_bytes // (1024 * 1024)} MB")
        data = buf.getvalue()
        return self.put_bytes(data), len(data)

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
