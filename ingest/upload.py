"""Receiving files into a batch: name cleaned, type sniffed, bytes streamed to the store.

A refused file is recorded on the batch with its reason; the other files carry on.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ingest.pipeline import Message
from ingest.sniff import HEAD_BYTES, describe, sniff
from records.errors import FileTooLarge
from records.model import Batch, Document, SourceFile
from records.sql import UnitOfWork
from storage.port import ObjectStore


@dataclass(frozen=True)
class Received:
    source_id: int
    filename: str
    error: str | None
    messages: list[Message]


def clean_filename(name: str | None) -> str:
    """The display name of an upload: no folders, no control characters, NFC, ≤ 200 chars.
    It is only ever shown, never used as a path."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return (name or "không tên")[:200]


def create_batch(uow_factory: Callable[[], UnitOfWork], user_id: int, language: str) -> int:
    with uow_factory() as uow:
        batch = Batch(created_by=user_id, language=language)
        uow.session.add(batch)
        uow.commit()
        assert batch.id is not None
        return batch.id


class _Prefixed(io.RawIOBase):
    """A stream that yields ``head`` then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._head:
            out, self._head = (self._head, b"") if n < 0 else (self._head[:n], self._head[n:])
            return out
        return self._rest.read(n)


def receive_file(
    uow_factory: Callable[[], UnitOfWork],
    store: ObjectStore,
    batch_id: int,
    filename: str | None,
    stream: BinaryIO,
    *,
    max_bytes: int,
) -> Received:
    name = clean_filename(filename)
    head = stream.read(HEAD_BYTES)
    kind = sniff(head)
    error = None
    sha, size = None, 0
    if kind is None:
        error = f"không phải PDF, TIFF, JPEG hay PNG ({describe(head)})"
    else:
        try:
            sha, size = store.put_stream(_Prefixed(head, stream), max_bytes=max_bytes)  # type: ignore[arg-type]
        except FileTooLarge as e:
            error = f"tệp {e.message}"
    with uow_factory() as uow:
        source = SourceFile(
            batch_id=batch_id, filename=name, kind=kind, sha256=sha, size=size, error=error
        )
        uow.session.add(source)
        uow.session.flush()
        assert source.id is not None
        messages = []
        if error is None:
            uow.session.add(Document(batch_id=batch_id, source_file_id=source.id))
            messages = [Message("split_source", source.id)]
        uow.commit()
        return Received(source.id, name, error, messages)
