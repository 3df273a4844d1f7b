"""The object store port: bytes addressed by their SHA-256, verified on read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from records.errors import FileTooLarge, IntegrityError, ServiceUnavailable

CHUNK = 1024 * 1024


class StorageUnavailable(ServiceUnavailable):
    """The object store cannot be reached or refused us (network, credentials, bucket).

    The message names the endpoint. Retrying later may succeed (the server may be back).
    """


class ObjectWriter(Protocol):
    """An object being written piece by piece (for bytes that arrive pushed, e.g. an
    HTTP upload). ``commit`` stores it under its digest; ``abort`` leaves nothing."""

    def write(self, data: bytes) -> None:
        """Raises ``FileTooLarge`` past the writer's ``max_bytes`` (then aborts itself)."""
        ...

    def commit(self) -> tuple[str, int]: ...

    def abort(self) -> None: ...


class ObjectStore(Protocol):
    """Content-addressed storage. Keys are lowercase hex SHA-256 digests of the bytes."""

    def writer(self, *, max_bytes: int | None = None) -> ObjectWriter:
        """Start an object written piece by piece; memory stays bounded."""
        ...

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        """Store everything readable from ``stream``; return ``(sha256, size)``.

        Memory stays bounded (chunks). Raises ``FileTooLarge`` past ``max_bytes``;
        nothing is stored then. Storing bytes already present is a no-op.
        """
        ...

    def put_bytes(self, data: bytes) -> str:
        """Store a small object held in memory; return its key."""
        ...

    def exists(self, key: str) -> bool: ...

    def get_bytes(self, key: str) -> bytes:
        """Return the object, verified against its key (``IntegrityError`` if not)."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a stream over the object; the digest is checked when it reaches the end."""
        ...

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        """A path to a verified local copy, for tools that need a file (pdftoppm, qpdf)."""
        ...

    def retain(self, key: str, until: datetime) -> None:
        """Keep the object unchangeable and undeletable until ``until`` (signed results).

        Where the store supports it this is enforced by the store itself (S3 object lock in
        compliance mode); otherwise it is recorded and honoured by hoso. A retention can be
        extended, never shortened. ``NotFound`` if the object does not exist.
        """
        ...

    def retained_until(self, key: str) -> datetime | None:
        """The retention date set by ``retain``, or None."""
        ...


def too_large(max_bytes: int) -> FileTooLarge:
    return FileTooLarge(f"vượt quá giới hạn {max_bytes // (1024 * 1024)} MB")


def put_stream_via(writer: ObjectWriter, stream: BinaryIO) -> tuple[str, int]:
    """``put_stream`` in terms of a writer: the one copy loop every adapter shares."""
    try:
        while chunk := stream.read(CHUNK):
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.commit()


def put_bytes_via(writer: ObjectWriter, data: bytes) -> str:
    """``put_bytes`` in terms of a writer (adapters whose commit does the real work)."""
    writer.write(data)
    return writer.commit()[0]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_key(key: str) -> str:
    """Refuse anything that is not a SHA-256 hex digest (keys become paths)."""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError(f"not a sha256 key: {key!r}")
    return key


def verify(key: str, data: bytes) -> bytes:
    if sha256_hex(data) != key:
        raise IntegrityError(f"Dữ liệu lưu trữ bị hỏng: đối tượng {key[:12]}… không khớp mã băm")
    return data


class VerifyingReader:
    """Wraps a binary stream; hashes what is read and checks the digest at EOF."""

    def __init__(self, raw: BinaryIO, key: str) -> None:
        self._raw = raw
        self._key = key
        self._hash = hashlib.sha256()
        self._checked = False

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        if data:
            self._hash.update(data)
        if (n is None or n < 0 or not data) and not self._checked:  # at the end: check
            self._checked = True
            if self._hash.hexdigest() != self._key:
                raise IntegrityError(
                    f"Dữ liệu lưu trữ bị hỏng: đối tượng {self._key[:12]}… không khớp mã băm"
                )
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> VerifyingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
