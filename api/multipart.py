"""Streaming ``multipart/form-data`` for uploads: each file part goes straight into the
object store as it arrives (python-multipart's push parser), never to a temp file
outside the data directory and never whole in memory."""

from __future__ import annotations

from collections.abc import Callable

from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy import select

from hoso.bootstrap import Container
from ingest.pipeline import Message
from ingest.upload import FileIntake, Received, create_batch
from records.errors import BadInput
from records.model import Batch, Document, DocumentStatus, now
from records.sql import documents_table

MAX_FILES = 1000
MAX_FIELD = 200


def boundary_of(content_type: str) -> bytes:
    kind, params = parse_options_header(content_type.encode("latin-1", "replace"))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadInput("Hãy gửi tệp dạng multipart/form-data, trường 'files'")
    return boundary


class UploadSink:
    """Callbacks for the parser: file parts named ``files`` become a batch's files; the
    ``language`` field sets the batch's OCR language; other fields are ignored."""

    def __init__(self, box: Container, user_id: int, default_language: str) -> None:
        self._box = box
        self._user_id = user_id
        self.language = default_language
        self.batch_id: int | None = None
        self.received: list[Received] = []
        self._headers: dict[bytes, bytes] = {}
        self._field: bytes = b""
        self._value: bytes = b""
        self._name: bytes | None = None
        self._file: FileIntake | None = None
        self._field_name: bytes | None = None

    def parser(self, boundary: bytes) -> MultipartParser:
        callbacks = {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._append("_field", d[s:e]),
            "on_header_value": lambda d, s, e: self._append("_value", d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }
        return MultipartParser(boundary, callbacks, max_header_size=8192)  # type: ignore[arg-type]

    def _append(self, attr: str, data: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + data)

    def _part_begin(self) -> None:
        self._headers, self._field, self._value = {}, b"", b""
        self._file, self._field_name = None, None
        self._fieldbuf = b""

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"")
        filename = options.get(b"filename")
        if name == b"files" and filename is not None:
            if len(self.received) >= MAX_FILES:
                raise BadInput(f"Một lô chỉ nhận tối đa {MAX_FILES} tệp")
            if self.batch_id is None:
                self.batch_id = create_batch(self._box.uow, self._user_id, self.language)
            self._file = FileIntake(
                self._box.uow,
                self._box.store,
                self.batch_id,
                filename.decode("utf-8", "replace"),
                max_bytes=self._box.settings.max_file_mb * 1024 * 1024,
            )
        else:
            self._field_name = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self._file.feed(data[start:end])
        elif self._field_name is not None and len(self._fieldbuf) < MAX_FIELD:
            self._fieldbuf += data[start:end]

    def _part_end(self) -> None:
        if self._file is not None:
            self.received.append(self._file.finish())
            self._file = None
        elif self._field_name == b"language":
            self.language = self._fieldbuf[:MAX_FIELD].decode("utf-8", "replace")

    def abort(self) -> None:
        if self._file is not None:
            self._file.abort()

    def set_language(self, check: Callable[[str], str]) -> None:
        """Apply the ``language`` field (it may come after the files) before any OCR."""
        language = check(self.language)
        if self.batch_id is None:
            return
        with self._box.uow() as uow:
            batch = uow.session.get(Batch, self.batch_id)
            assert batch is not None
            batch.language = language
            uow.commit()

    def cancel(self, reason: str) -> None:
        """Mark the documents of files already received as failed (retryable)."""
        ids = [r.source_id for r in self.received if not r.error]
        if not ids:
            return
        with self._box.uow() as uow:
            docs = uow.session.scalars(
                select(Document).where(documents_table.c.source_file_id.in_(ids))
            )
            for doc in docs:
                doc.status = DocumentStatus.FAILED
                doc.error = f"Tải lên bị hủy: {reason}"
                doc.finished = now()
            uow.commit()

    @property
    def messages(self) -> list[Message]:
        return [m for r in self.received for m in r.messages]
