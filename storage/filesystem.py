"""Filesystem adapter of the object store (the embedded default)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from records.errors import FileTooLarge, NotFound
from storage.port import CHUNK, VerifyingReader, check_key, sha256_hex, verify


class FilesystemStore:
    """Objects under ``root/ab/cd/<sha256>``; written to a temp file, fsynced, renamed.

    The rename is atomic, so a reader never sees half an object and a crash leaves at
    most a stray temp file in ``root/tmp``.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._verified: set[str] = set()

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise FileTooLarge(f"vượt quá giới hạn {max_bytes // (1024 * 1024)} MB")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            self._commit(tmp_name, key)
            return key, size
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def _commit(self, tmp_name: str, key: str) -> None:
        final = self._path(key)
        if final.exists():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp_name, 0o444)
        os.replace(tmp_name, final)

    def put_bytes(self, data: bytes) -> str:
        key = sha256_hex(data)
        if self._path(key).exists():
            return key
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            self._commit(tmp_name, key)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return key

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def get_bytes(self, key: str) -> bytes:
        try:
            return verify(key, self._path(key).read_bytes())
        except FileNotFoundError as e:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}… trong kho lưu trữ") from e

    def open(self, key: str) -> BinaryIO:
        try:
            raw = self._path(key).open("rb")
        except FileNotFoundError as e:
            raise NotFound(f"Không tìm thấy đối tượng {key[:12]}… trong kho lưu trữ") from e
        return cast(BinaryIO, VerifyingReader(raw, key))

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if key not in self._verified:  # verify once per process, not on every page
            with self.open(key) as stream:
                while stream.read(CHUNK):
                    pass
            self._verified.add(key)
        yield path


def copy_to_file(stream: BinaryIO, path: Path) -> None:
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)
