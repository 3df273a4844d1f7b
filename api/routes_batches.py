"""Uploading batches of scans and following their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from api.deps import Box, Clerk, User
from api.multipart import UploadSink, boundary_of
from ingest.progress import batch_progress
from records.errors import BadInput, HosoError, UnsupportedFile
from records.model import Batch, Document
from records.sql import batches_table, documents_table

router = APIRouter()

LANGUAGE_CHARS = set("abcdefghijklmnopqrstuvwxyz_+")


def _language(value: object, default: str) -> str:
    lang = str(value or default).strip()
    if not lang or not set(lang) <= LANGUAGE_CHARS or len(lang) > 50:
        raise BadInput(f"Ngôn ngữ nhận dạng '{lang}' không hợp lệ (ví dụ: vie, vie+eng)")
    return lang


@router.post("/api/batches", status_code=201)
async def upload(request: Request, user: Clerk, box: Box) -> dict[str, Any]:
    """Multipart upload, field ``files`` (repeatable), optional ``language``.

    Each file streams into the object store as it arrives; memory stays bounded whatever
    its size. A refused file is reported in ``errors`` and the others carry on; if no
    file at all is accepted the answer is 4xx naming each file and why.
    """
    sink = UploadSink(box, user.id, box.settings.ocr_language)
    parser = sink.parser(boundary_of(request.headers.get("content-type", "")))
    try:
        async for chunk in request.stream():
            await run_in_threadpool(parser.write, chunk)
        parser.finalize()
        await run_in_threadpool(
            sink.set_language, lambda v: _language(v, box.settings.ocr_language)
        )
    except HosoError as e:
        sink.abort()
        sink.cancel(e.message)  # a refused request starts no work; files stay retryable
        raise
    except BaseException:
        sink.abort()
        request.app.state.dispatch(sink.messages)  # a dropped upload: what arrived is kept
        raise
    if not sink.received:
        raise BadInput("Chưa chọn tệp nào để tải lên (trường 'files')")
    accepted = [
        {"source": r.filename, "source_id": r.source_id}
        for r in sink.received
        if not r.error and not r.duplicate
    ]
    duplicates = [
        {
            "source": r.filename,
            "message": r.duplicate.message,
            "duplicate_of": r.duplicate.source_id,
            "document_id": r.duplicate.document_id,
            "batch_id": r.duplicate.batch_id,
        }
        for r in sink.received
        if r.duplicate
    ]
    errors = [{"source": r.filename, "message": r.error} for r in sink.received if r.error]
    if not accepted and not duplicates:
        refused = "; ".join(f"{e['source']}: {e['message']}" for e in errors)
        raise UnsupportedFile(f"Không tệp nào được nhận: {refused}")
    request.app.state.dispatch(sink.messages)
    batch_id = sink.batch_id
    return {
        "id": batch_id,
        "url": f"/api/batches/{batch_id}",
        "accepted": accepted,
        "duplicates": duplicates,
        "errors": errors,
    }


@router.get("/api/batches")
def list_batches(_user: User, box: Box, limit: int = 50) -> list[dict[str, Any]]:
    with box.uow() as uow:
        rows = uow.session.execute(
            select(Batch, func.count(documents_table.c.id))
            .outerjoin(Document, documents_table.c.batch_id == batches_table.c.id)
            .group_by(batches_table.c.id)
            .order_by(batches_table.c.id.desc())
            .limit(min(max(limit, 1), 500))
        ).all()
        return [
            {"id": b.id, "created": b.created.isoformat(), "documents": n, "language": b.language}
            for b, n in rows
        ]


@router.get("/api/batches/{batch_id}")
def progress(batch_id: int, _user: User, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        return batch_progress(uow, batch_id)
