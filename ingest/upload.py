"""Receiving files into a batch: name cleaned, type sniffed from the first bytes, bytes
streamed into the object store as they arrive (memory stays bounded).

A refused file is recorded on the batch with its reason; the other files carry on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select

from ingest.messages import Message
from ingest.sniff import HEAD_BYTES, describe, sniff
from records.errors import FileTooLarge
from records.model import Batch, Document, SourceFile
from records.sql import UnitOfWork, documents_table, source_files_table
from storage.port import CHUNK, ObjectStore, ObjectWriter


@dataclass(frozen=True)
class Duplicate:
    """The same bytes were received before: linked, not stored or recognised again."""

    source_id: int  # the earlier source file
    document_id: int | None
    batch_id: int
    filename: str

    @property
    def message(self) -> str:
        where = f"lô {self.batch_id}" + (
            f", tài liệu {self.document_id}" if self.document_id else ""
        )
        return f"trùng với tệp '{self.filename}' đã nhận ({where}); không xử lý lại"


@dataclass(frozen=True)
class Received:
    source_id: int
    filename: str
    error: str | None
    messages: list[Message]
    duplicate: Duplicate | None = None


def clean_filename(name: str | None) -> str:
    """The display name of an upload: no folders, no control characters, NFC, ≤ 200 chars.
    It is only ever shown, never used as a path."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip() or "không tên"
    if len(name) > 200:  # keep the extension: it is what a clerk recognises
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 199 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:200]
    return name


def create_batch(uow_factory: Callable[[], UnitOfWork], user_id: int, language: str) -> int:
    with uow_factory() as uow:
        batch = Batch(created_by=user_id, language=language)
        uow.session.add(batch)
        uow.commit()
        assert batch.id is not None
        return batch.id


class FileIntake:
    """One file arriving in pieces (``feed``), then ``finish`` records it on the batch.

    The first 1 KiB is held back to sniff the type; after that every piece goes straight
    into an object-store writer, so a refused type is never stored and an oversized file
    stops being written at the limit.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        store: ObjectStore,
        batch_id: int,
        filename: str | None,
        *,
        max_bytes: int,
    ) -> None:
        self.name = clean_filename(filename)
        self._uow = uow_factory
        self._store = store
        self._batch_id = batch_id
        self._max = max_bytes
        self._head = bytearray()
        self._kind: str | None = None
        self._writer: ObjectWriter | None = None
        self._error: str | None = None
        self._sniffed = False

    def feed(self, data: bytes) -> None:
        if self._error is not None:
            return  # refused: the rest of the file is read and dropped
        if not self._sniffed:
            self._head += data
            if len(self._head) >= HEAD_BYTES:
                self._sniff()
            return
        self._write(data)

    def _sniff(self) -> None:
        self._sniffed = True
        head, self._head = bytes(self._head), bytearray()
        self._kind = sniff(head)
        if self._kind is None:
            self._error = f"không phải PDF, TIFF, JPEG hay PNG ({describe(head)})"
            return
        self._writer = self._store.writer(max_bytes=self._max)
        self._write(head)

    def _write(self, data: bytes) -> None:
        assert self._writer is not None
        try:
            self._writer.write(data)
        except FileTooLarge as e:
            self._writer = None  # the writer aborted itself
            self._error = f"tệp {e.message}"

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None

    def finish(self) -> Received:
        if not self._sniffed:
            self._sniff()  # a file shorter than the sniffing window
        sha, size = None, 0
        if self._writer is not None and self._error is None:
            sha, size = self._writer.commit()  # bytes stored before the row commits
        with self._uow() as uow:
            duplicate = _earlier(uow, sha) if sha else None
            source = SourceFile(
                batch_id=self._batch_id,
                filename=self.name,
                kind=self._kind if sha else None,
                sha256=sha,
                size=size,
                error=self._error,
                duplicate_of=duplicate.source_id if duplicate else None,
            )
            uow.session.add(source)
            uow.session.flush()
            assert source.id is not None
            messages = []
            if self._error is None and duplicate is None:
                uow.session.add(Document(batch_id=self._batch_id, source_file_id=source.id))
                messages = [Message("split_source", source.id)]
            uow.commit()
            return Received(source.id, self.name, self._error, messages, duplicate)


def _earlier(uow: UnitOfWork, sha: str) -> Duplicate | None:
    """The first accepted source file with these bytes, and its document."""
    sf, doc = source_files_table, documents_table
    row = uow.session.execute(
        select(sf.c.id, sf.c.batch_id, sf.c.filename, doc.c.id.label("document_id"))
        .join(doc, doc.c.source_file_id == sf.c.id)
        .where(sf.c.sha256 == sha, sf.c.duplicate_of.is_(None))
        .order_by(sf.c.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return Duplicate(row.id, row.document_id, row.batch_id, row.filename)


def receive_file(
    uow_factory: Callable[[], UnitOfWork],
    store: ObjectStore,
    batch_id: int,
    filename: str | None,
    stream: BinaryIO,
    *,
    max_bytes: int,
) -> Received:
    """Receive a whole file from a stream (CLI, scripts)."""
    intake = FileIntake(uow_factory, store, batch_id, filename, max_bytes=max_bytes)
    try:
        while chunk := stream.read(CHUNK):
            intake.feed(chunk)
    except BaseException:
        intake.abort()
        raise
    return intake.finish()
