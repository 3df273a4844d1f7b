"""Partial uploads on disk (what the tus routes of :mod:`api.routes_resumable` write) and
batches made from complete ones.

Partial bytes live in ``HOSO_DATA_DIR/uploads/<random id>.part`` beside ``<id>.json``
(owner, declared length, metadata); the client's filename is never used as a path. A
complete upload goes through the same :class:`FileIntake` as a multipart upload (sniffed,
stored, duplicates found) and its ``.part`` is removed; ``<id>.json`` is kept as a
receipt (a client whose answer was lost may ask again and gets the same batch). Files idle
for a day are swept when a new upload is created.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from api.batch_answers import batch_answer, check_language, entry_of
from hoso.bootstrap import Container
from ingest.pipeline import Message
from ingest.upload import FileIntake, Received, create_batch
from records.errors import HosoError, NotFound
from storage.port import CHUNK

STALE_AFTER = 24 * 3600  # seconds without activity before partial bytes are swept
ID = re.compile(r"[0-9a-f]{32}")


class Locked(HosoError):
    """Another request is writing or finishing this upload right now."""

    http_status = 423
    exit_code = 2
    retryable = True


class NoSpace(HosoError):
    """The server's disk cannot hold the declared upload."""

    http_status = 507
    exit_code = 5
    retryable = True


@dataclass
class UploadInfo:
    id: str
    user_id: int
    length: int
    filename: str
    language: str | None
    metadata: str  # the Upload-Metadata header as sent, echoed by HEAD
    created: float
    receipt: dict[str, Any] | None = None  # once finished: {"batch_id", "kind", "entry"}


class UploadDir:
    """``<id>.part`` (the bytes so far; its size is the offset) and ``<id>.json``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def part(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.part"

    def _info_path(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.json"

    def create(
        self, user_id: int, length: int, metadata: str, filename: str, language: str | None
    ) -> UploadInfo:
        self.root.mkdir(parents=True, exist_ok=True)
        info = UploadInfo(
            id=secrets.token_hex(16),
            user_id=user_id,
            length=length,
            filename=filename,
            language=language,
            metadata=metadata,
            created=time.time(),
        )
        self.part(info.id).touch(exist_ok=False)
        self.save(info)
        return info

    def save(self, info: UploadInfo) -> None:
        tmp = self.root / f"{info.id}.json.tmp"
        tmp.write_text(json.dumps(asdict(info), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._info_path(info.id))

    def load(self, upload_id: str, user_id: int) -> UploadInfo:
        """The caller's upload (finished or not); anyone else's is not found."""
        missing = NotFound(
            "Không tìm thấy tải lên này (đã hết hạn, đã xóa hoặc không phải của bạn)"
        )
        if not ID.fullmatch(upload_id):
            raise missing
        try:
            info = UploadInfo(**json.loads(self._info_path(upload_id).read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            raise missing from None
        if info.user_id != user_id:
            raise missing
        return info

    def active(self, upload_id: str, user_id: int) -> UploadInfo:
        """An unfinished upload of the caller (what HEAD, PATCH and DELETE act on)."""
        info = self.load(upload_id, user_id)
        if info.receipt is not None or not self.part(upload_id).exists():
            raise NotFound("Tải lên này đã xong và đã được nhận vào lô; hãy tải lên lại nếu cần")
        return info

    def offset(self, upload_id: str) -> int:
        try:
            return self.part(upload_id).stat().st_size
        except FileNotFoundError:
            raise NotFound("Không tìm thấy tải lên này") from None

    @contextmanager
    def locked(self, upload_id: str) -> Iterator[IO[bytes]]:
        """The ``.part`` file opened for writing under an exclusive ``flock`` (423 if
        another request holds it: flock conflicts across processes and open files)."""
        try:
            f = self.part(upload_id).open("r+b")
        except FileNotFoundError:
            raise NotFound("Không tìm thấy tải lên này") from None
        with f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Locked(
                    "Tải lên này đang được ghi bởi một yêu cầu khác; thử lại sau ít giây"
                ) from None
            if os.fstat(f.fileno()).st_nlink == 0:  # finished or deleted while we waited
                raise NotFound("Không tìm thấy tải lên này")
            yield f

    def remove(self, upload_id: str) -> None:
        for path in (self.part(upload_id), self._info_path(upload_id)):
            with suppress(FileNotFoundError):
                path.unlink()

    def sweep(self, max_age: float = STALE_AFTER) -> int:
        """Delete uploads (and receipts, and stray temp files) idle for ``max_age``
        seconds: one ``stat`` per file. An upload being written right now is skipped."""
        if not self.root.is_dir():
            return 0
        latest: dict[str, float] = {}
        paths: dict[str, list[Path]] = {}
        with os.scandir(self.root) as entries:
            for entry in entries:
                upload_id = entry.name.split(".", 1)[0]
                with suppress(FileNotFoundError):
                    mtime = entry.stat().st_mtime
                    latest[upload_id] = max(latest.get(upload_id, 0.0), mtime)
                    paths.setdefault(upload_id, []).append(Path(entry.path))
        cutoff = time.time() - max_age
        removed = 0
        for upload_id, mtime in latest.items():
            if mtime >= cutoff:
                continue
            try:
                with self.locked(upload_id):
                    for path in paths[upload_id]:
                        with suppress(FileNotFoundError):
                            path.unlink()
            except Locked:
                continue
            except NotFound:  # a receipt or a stray file: nothing can be writing it
                for path in paths[upload_id]:
                    with suppress(FileNotFoundError):
                        path.unlink()
            removed += 1
        return removed


def uploads_of(box: Container) -> UploadDir:
    return UploadDir(box.settings.data_dir / "uploads")


def max_bytes(box: Container) -> int:
    return box.settings.max_file_mb * 1024 * 1024


# -- finishing uploads into a batch -------------------------------------------------------


def _ingest(box: Container, uploads: UploadDir, info: UploadInfo, batch_id: int) -> Received:
    """Feed a complete ``.part`` through :class:`FileIntake`; the receipt replaces it."""
    intake = FileIntake(
        box.uow,
        box.store,
        batch_id,
        info.filename,
        max_bytes=max_bytes(box),
    )
    with uploads.locked(info.id) as f:
        try:
            while chunk := f.read(CHUNK):
                intake.feed(chunk)
        except BaseException:
            intake.abort()
            raise
        received = intake.finish()  # bytes stored and rows committed before the .part goes
        kind, entry = entry_of(received)
        info.receipt = {"batch_id": batch_id, "kind": kind, "entry": entry}
        uploads.save(info)
        uploads.part(info.id).unlink()
    return received


def _error(source: str, message: str) -> tuple[str, dict[str, Any]]:
    return "errors", {"source": source, "message": message}


def finish_uploads(
    box: Container, user_id: int, ids: list[str], language: str | None, messages: list[Message]
) -> tuple[dict[str, Any], bool]:
    """The batch answer and whether any file was recorded now. Messages of the files
    recorded are appended to ``messages`` as they are (the caller dispatches them, even if
    a later file fails)."""
    uploads = uploads_of(box)
    infos: list[UploadInfo | str] = []
    for upload_id in dict.fromkeys(ids):  # each once, in the order given
        try:
            infos.append(uploads.load(upload_id, user_id))
        except NotFound:
            infos.append(upload_id)
    first = next((i.language for i in infos if isinstance(i, UploadInfo) and i.language), None)
    lang = check_language(language or first, box.settings.ocr_language)

    # Uploads already finished answer as they did: the client is asking again because the
    # reply was lost, or because an upload was busy (423); the rest joins the same batch.
    receipts = [i.receipt for i in infos if isinstance(i, UploadInfo) and i.receipt]
    batch_id: int | None = receipts[0]["batch_id"] if receipts else None
    ingested = False
    entries: list[tuple[str, dict[str, Any]]] = []
    for info in infos:
        if isinstance(info, str):
            entries.append(_error(info, "không tìm thấy tải lên (đã hết hạn hoặc đã xóa)"))
            continue
        if (r := info.receipt) is not None:
            if r["batch_id"] == batch_id:
                entries.append((r["kind"], r["entry"]))
            else:
                entries.append(_error(info.filename, f"đã được nhận vào lô {r['batch_id']}"))
            continue
        try:
            offset = uploads.offset(info.id)
        except NotFound:
            entries.append(_error(info.filename, "tải lên đã bị xóa"))
            continue
        if offset < info.length:
            entries.append(_error(info.filename, f"tải lên chưa xong: {offset}/{info.length} byte"))
            continue
        if batch_id is None:
            batch_id = create_batch(box.uow, user_id, lang)
        try:
            received = _ingest(box, uploads, info, batch_id)  # Locked: 423, ask again
        except NotFound as e:
            entries.append(_error(info.filename, e.message))
            continue
        ingested = True
        entries.append(entry_of(received))
        messages.extend(received.messages)
    return batch_answer(batch_id, entries), ingested
