"""Resumable uploads (tus 1.0.0: core, creation, termination) and batches made from them.

A weak connection drops a long upload part-way; with tus the client asks how far the
server got (``HEAD`` → ``Upload-Offset``) and sends the rest (``PATCH``). Partial bytes
live in ``HOSO_DATA_DIR/uploads/<random id>.part`` beside ``<id>.json`` (owner, declared
length, metadata); the client's filename is never used as a path. Once complete, uploads
become a batch with ``POST /api/batches/from-uploads``: each goes through the same
:class:`FileIntake` as a multipart upload (sniffed, stored, duplicates found) and its
``.part`` is removed; ``<id>.json`` is kept as a receipt (a client whose answer was lost
may ask again and gets the same batch). Files idle for a day are swept when a new upload
is created.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import errno
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from api.batch_answers import batch_answer, check_language, entry_of
from api.deps import Box, Clerk
from api.multipart import MAX_FILES
from hoso.bootstrap import Container
from ingest.pipeline import Message
from ingest.upload import FileIntake, Received, clean_filename, create_batch
from records.errors import BadInput, Conflict, FileTooLarge, HosoError, NotFound
from storage.port import CHUNK

log = logging.getLogger("hoso.api.uploads")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
OFFSET_TYPE = "application/offset+octet-stream"
STALE_AFTER = 24 * 3600  # seconds without activity before partial bytes are swept
STALL_TIMEOUT = 60.0  # seconds without a byte before a PATCH is given up (lock released)
WRITE_BUFFER = 256 * 1024
MAX_METADATA = 4096
ID = re.compile(r"[0-9a-f]{32}")
DIGITS = re.compile(r"[0-9]{1,19}")


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


class Stalled(Exception):
    """No byte arrived for :data:`STALL_TIMEOUT` seconds."""


# -- the partial uploads on disk ---------------------------------------------------------


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


# -- tus --------------------------------------------------------------------------------


class TusRoute(APIRoute):
    """Every answer carries ``Tus-Resumable``; a request without the version we speak
    gets 412 and is not processed; errors (auth included) become ``{"error": …}`` with
    the tus headers still on."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def tus_handler(request: Request) -> Response:
            if request.method != "OPTIONS" and request.headers.get("tus-resumable") != TUS_VERSION:
                response: Response = JSONResponse(
                    {"error": f"Cần tiêu đề Tus-Resumable: {TUS_VERSION} (giao thức tus)"},
                    status_code=412,
                    headers={"Tus-Version": TUS_VERSION},
                )
            else:
                try:
                    response = await handler(request)
                except HosoError as e:
                    if e.http_status >= 500:
                        log.error("error on %s: %s", request.url.path, e.message)
                    response = JSONResponse({"error": e.message}, status_code=e.http_status)
            response.headers["Tus-Resumable"] = TUS_VERSION
            return response

        return tus_handler


tus = APIRouter(route_class=TusRoute, tags=["uploads"])


def _max_bytes(box: Container) -> int:
    return box.settings.max_file_mb * 1024 * 1024


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    if len(header) > MAX_METADATA:
        raise BadInput("Tiêu đề Upload-Metadata quá dài")
    pairs: dict[str, str] = {}
    for item in header.split(","):
        if not item.strip():
            continue
        parts = item.strip().split(" ")
        if len(parts) > 2 or not parts[0] or parts[0] in pairs:
            raise BadInput(f"Upload-Metadata không hợp lệ: '{item.strip()[:50]}'")
        try:
            value = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError):
            raise BadInput(f"Upload-Metadata: giá trị của '{parts[0]}' không phải base64") from None
        pairs[parts[0]] = value
    return pairs


def _length(value: str | None, name: str) -> int:
    if value is None or not DIGITS.fullmatch(value.strip()):
        raise BadInput(f"Thiếu hoặc sai tiêu đề {name} (số byte, số nguyên không âm)")
    return int(value)


@tus.options("/api/uploads/", status_code=204)
@tus.options("/api/uploads", status_code=204, include_in_schema=False)
def tus_options(_user: Clerk, box: Box) -> Response:
    """What this server speaks: tus version, extensions, largest upload."""
    return Response(
        status_code=204,
        headers={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(_max_bytes(box)),
        },
    )


@tus.post("/api/uploads/", status_code=201)
@tus.post("/api/uploads", status_code=201, include_in_schema=False)
def create_upload(request: Request, user: Clerk, box: Box) -> Response:
    """Creation: ``Upload-Length`` (bytes) and ``Upload-Metadata`` (base64 ``filename``,
    optional ``language``) → 201 with ``Location``. Too large → 413, before any byte."""
    if request.headers.get("upload-defer-length") is not None:
        raise BadInput("Máy chủ không hỗ trợ Upload-Defer-Length: hãy gửi Upload-Length")
    if request.headers.get("upload-concat") is not None:
        raise BadInput("Máy chủ không hỗ trợ Upload-Concat")
    length = _length(request.headers.get("upload-length"), "Upload-Length")
    limit = _max_bytes(box)
    raw_metadata = request.headers.get("upload-metadata", "")
    metadata = parse_metadata(raw_metadata)
    filename = clean_filename(metadata.get("filename"))
    if length > limit:
        raise FileTooLarge(f"{filename}: tệp vượt quá giới hạn {box.settings.max_file_mb} MB")
    language = metadata.get("language") or None
    if language is not None:
        language = check_language(language, box.settings.ocr_language)
    uploads = uploads_of(box)
    uploads.sweep()
    uploads.root.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(uploads.root).free < length:
        raise NoSpace(f"{filename}: máy chủ không còn đủ chỗ trống để nhận tệp này")
    info = uploads.create(user.id, length, raw_metadata, filename, language)
    location = f"/api/uploads/{info.id}"
    return JSONResponse(
        {"id": info.id, "url": location},
        status_code=201,
        headers={"Location": location, "Upload-Offset": "0"},
    )


@tus.head("/api/uploads/{upload_id}")
def upload_status(upload_id: str, user: Clerk, box: Box) -> Response:
    """How far the upload got: ``Upload-Offset`` (never cached)."""
    uploads = uploads_of(box)
    info = uploads.active(upload_id, user.id)
    headers = {
        "Upload-Offset": str(uploads.offset(upload_id)),
        "Upload-Length": str(info.length),
        "Cache-Control": "no-store",
    }
    if info.metadata:
        headers["Upload-Metadata"] = info.metadata
    return Response(status_code=200, headers=headers)


async def _chunks(request: Request) -> AsyncIterator[bytes]:
    """The request body as it arrives; :class:`Stalled` when nothing comes for a while
    (a dead 3G link may never send a FIN: the upload must not stay locked for ever)."""
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), STALL_TIMEOUT)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise Stalled from None
        yield chunk


@tus.patch("/api/uploads/{upload_id}", status_code=204)
async def append(upload_id: str, request: Request, user: Clerk, box: Box) -> Response:
    """Core: bytes at ``Upload-Offset`` → 204 with the new offset. Wrong offset → 409;
    past the declared length → 413 (nothing of this request kept). A dropped connection
    keeps what arrived: the client asks with HEAD and goes on from there."""
    uploads = uploads_of(box)
    info = uploads.active(upload_id, user.id)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OFFSET_TYPE:
        return JSONResponse({"error": f"PATCH cần Content-Type: {OFFSET_TYPE}"}, status_code=415)
    offset = _length(request.headers.get("upload-offset"), "Upload-Offset")
    declared = request.headers.get("content-length")
    if (
        declared is not None
        and DIGITS.fullmatch(declared.strip())
        and offset + int(declared) > info.length
    ):
        raise FileTooLarge(
            f"{info.filename}: dữ liệu gửi vượt quá độ dài đã khai ({info.length} byte)"
        )
    with uploads.locked(upload_id) as f:
        start = os.fstat(f.fileno()).st_size
        if offset != start:
            raise Conflict(f"Upload-Offset {offset} khác vị trí hiện tại của máy chủ ({start})")
        f.seek(start)
        received, pending = 0, bytearray()
        dropped = False
        try:
            async for chunk in _chunks(request):
                received += len(chunk)
                if start + received > info.length:
                    await run_in_threadpool(f.truncate, start)
                    raise FileTooLarge(
                        f"{info.filename}: dữ liệu gửi vượt quá độ dài đã khai ({info.length} byte)"
                    )
                pending += chunk
                if len(pending) >= WRITE_BUFFER:
                    await run_in_threadpool(f.write, bytes(pending))
                    pending.clear()
        except (ClientDisconnect, Stalled) as e:
            dropped = True
            log.info("upload %s: %s after %d bytes", upload_id, type(e).__name__, received)
        if pending:
            await run_in_threadpool(f.write, bytes(pending))
        await run_in_threadpool(_sync, f)
        offset = start + received
    if dropped:  # nobody is listening; what arrived is kept for the resume
        return Response(status_code=400)
    return Response(status_code=204, headers={"Upload-Offset": str(offset)})


def _sync(f: IO[bytes]) -> None:
    f.flush()
    os.fsync(f.fileno())


@tus.delete("/api/uploads/{upload_id}", status_code=204)
def terminate(upload_id: str, user: Clerk, box: Box) -> Response:
    """Termination: the partial bytes are deleted; the URL answers 404 from now on."""
    uploads = uploads_of(box)
    uploads.active(upload_id, user.id)
    with uploads.locked(upload_id):
        uploads.remove(upload_id)
    return Response(status_code=204)


@tus.post("/api/uploads/{upload_id}", include_in_schema=False)
async def method_override(upload_id: str, request: Request, user: Clerk, box: Box) -> Response:
    """``X-HTTP-Method-Override`` (core protocol) for clients that can only GET/POST."""
    method = request.headers.get("x-http-method-override", "").upper()
    if method == "PATCH":
        return await append(upload_id, request, user, box)
    if method == "DELETE":
        return await run_in_threadpool(terminate, upload_id, user, box)
    if method == "HEAD":
        return await run_in_threadpool(upload_status, upload_id, user, box)
    return JSONResponse({"error": "Phương thức không được hỗ trợ"}, status_code=405)


# -- finishing uploads into a batch -------------------------------------------------------


class FromUploads(BaseModel):
    uploads: list[str]
    language: str | None = None


def _ingest(box: Container, uploads: UploadDir, info: UploadInfo, batch_id: int) -> Received:
    """Feed a complete ``.part`` through :class:`FileIntake`; the receipt replaces it."""
    intake = FileIntake(box.uow, box.store, batch_id, info.filename, max_bytes=_max_bytes(box))
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


router = APIRouter()
router.include_router(tus)


@router.post("/api/batches/from-uploads", status_code=201, tags=["uploads"])
async def from_uploads(body: FromUploads, request: Request, user: Clerk, box: Box) -> Response:
    """Complete tus uploads → one batch, answered like ``POST /api/batches``. An
    incomplete upload is named in ``errors`` and kept (resume it, then ask again).
    Asking again is safe: finished uploads answer with their batch (200 when nothing new
    was recorded); an upload busy in another request gives 423 (ask again shortly)."""
    if not body.uploads:
        raise BadInput("Chưa có tải lên nào (trường 'uploads')")
    if len(body.uploads) > MAX_FILES:
        raise BadInput(f"Một lô chỉ nhận tối đa {MAX_FILES} tệp")
    messages: list[Message] = []
    try:
        answer, recorded = await run_in_threadpool(
            finish_uploads, box, user.id, body.uploads, body.language, messages
        )
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise NoSpace("Máy chủ hết chỗ lưu trữ") from e
        raise
    finally:
        request.app.state.dispatch(messages)  # what was recorded is processed in any case
    return JSONResponse(answer, status_code=201 if recorded else 200)
