"""Uploading batches of scans and following their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import Box, Clerk, User
from ingest.progress import batch_progress
from ingest.upload import create_batch, receive_file
from records.errors import BadInput, UnsupportedFile
from records.model import Batch, Document
from records.sql import batches_table, documents_table

router = APIRouter()

MAX_FILES = 1000
LANGUAGE_CHARS = set("abcdefghijklmnopqrstuvwxyz_+")


def _language(value: object, default: str) -> str:
    lang = str(value or default).strip()
    if not lang or not set(lang) <= LANGUAGE_CHARS or len(lang) > 50:
        raise BadInput(f"Ngôn ngữ nhận dạng '{lang}' không hợp lệ (ví dụ: vie, vie+eng)")
    return lang


@router.post("/api/batches", status_code=201)
async def upload(request: Request, user: Clerk, box: Box) -> dict[str, Any]:
    """Multipart upload, field ``files`` (repeatable), optional ``language``.

    Files are spooled to disk by the form parser and streamed into the object store;
    memory stays bounded whatever their size. A refused file is reported in ``errors``
    and the others carry on; if no file at all is accepted the answer is 4xx.
    """
    form = await request.form(max_files=MAX_FILES, max_fields=50)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        raise BadInput("Chưa chọn tệp nào để tải lên (trường 'files')")
    language = _language(form.get("language"), box.settings.ocr_language)
    batch_id = await run_in_threadpool(create_batch, box.uow, user.id, language)
    accepted, errors, messages = [], [], []
    max_bytes = box.settings.max_file_mb * 1024 * 1024
    for f in files:
        received = await run_in_threadpool(
            receive_file, box.uow, box.store, batch_id, f.filename, f.file, max_bytes=max_bytes
        )
        await f.close()
        if received.error:
            errors.append({"source": received.filename, "message": received.error})
        else:
            accepted.append({"source": received.filename, "source_id": received.source_id})
            messages.extend(received.messages)
    if not accepted:
        refused = "; ".join(f"{e['source']}: {e['message']}" for e in errors)
        raise UnsupportedFile(f"Không tệp nào được nhận: {refused}")
    request.app.state.dispatch(messages)
    return {
        "id": batch_id,
        "url": f"/api/batches/{batch_id}",
        "accepted": accepted,
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
