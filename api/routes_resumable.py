"""Resumable uploads (tus 1.0.0: core, creation, termination) and batches made from them.

A weak connection drops a long upload part-way; with tus the client asks how far the
server got (``HEAD`` → ``Upload-Offset``) and sends the rest (``PATCH``). Once complete,
uploads become a batch with ``POST /api/batches/from-uploads``. The partial uploads on
disk and the batches made from them are :mod:`api.upload_store`; this module is the HTTP
protocol.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import errno
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import IO, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from api.batch_answers import check_language
from api.deps import Box, Clerk
from api.multipart import MAX_FILES
from api.upload_store import NoSpace, finish_uploads, max_bytes, uploads_of
from ingest.pipeline import Message
from ingest.upload import clean_filename
from records.errors import BadInput, Conflict, FileTooLarge, HosoError

log = logging.getLogger("hoso.api.uploads")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
OFFSET_TYPE = "application/offset+octet-stream"
STALL_TIMEOUT = 60.0  # seconds without a byte before a PATCH is given up (lock released)
WRITE_BUFFER = 256 * 1024
MAX_METADATA = 4096
DIGITS = re.compile(r"[0-9]{1,19}")


class Stalled(Exception):
    """No byte arrived for :data:`STALL_TIMEOUT` seconds."""


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
            "Tus-Max-Size": str(max_bytes(box)),
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
    limit = max_bytes(box)
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


# -- batches made from complete uploads ----------------------------------------------


class FromUploads(BaseModel):
    uploads: list[str]
    language: str | None = None


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
