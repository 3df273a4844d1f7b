"""Uploading batches of scans and following their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from api.batch_answers import batch_answer, check_language, entry_of
from api.deps import Box, Clerk, User
from api.multipart import UploadSink, boundary_of
from ingest.progress import batch_progress
from records.errors import BadInput, HosoError
from records.model import Batch, Document
from records.sql import batches_table, documents_table

router = APIRouter()


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
            sink.set_language, lambda v: check_language(v, box.settings.ocr_language)
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
    answer = batch_answer(sink.batch_id, [entry_of(r) for r in sink.received])
    request.app.state.dispatch(sink.messages)
    return answer


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
