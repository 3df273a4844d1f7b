"""Documents: their pages, page images, OCR text and the searchable PDF."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import Box, Clerk, User
from classify import Field, locate
from ingest import editing
from records.errors import NotFound
from records.model import Document, DocumentStatus, Page, SourceFile
from records.sql import pages_table
from storage.port import CHUNK, ObjectStore

router = APIRouter()

ASSETS = {
    "image": ("image_sha256", None),
    "thumb": ("thumb_sha256", "image/jpeg"),
    "text": ("text_sha256", "text/plain; charset=utf-8"),
    "hocr": ("hocr_sha256", "text/html; charset=utf-8"),
}


def _doc(box: Box, doc_id: int) -> tuple[Document, SourceFile, list[Page]]:
    with box.uow() as uow:
        doc = uow.session.get(Document, doc_id)
        if doc is None:
            raise NotFound(f"Không tìm thấy tài liệu số {doc_id}")
        source = uow.session.get(SourceFile, doc.source_file_id)
        assert source is not None
        pages = list(
            uow.session.scalars(
                select(Page)
                .where(pages_table.c.document_id == doc_id)
                .order_by(pages_table.c.source_index)
            )
        )
        return doc, source, pages


def _paper(pages: list[Page]) -> list[Page]:
    """The document's own pages in order (cover and separator sheets are evidence only)."""
    return sorted((p for p in pages if p.kind in ("page", "blank")), key=lambda p: p.number or 0)


def _stream(store: ObjectStore, key: str) -> Iterator[bytes]:
    with store.open(key) as f:
        while chunk := f.read(CHUNK):
            yield chunk


@router.get("/api/documents/{doc_id}")
def document(doc_id: int, _user: User, box: Box) -> dict[str, Any]:
    doc, source, everything = _doc(box, doc_id)
    pages = _paper(everything)
    base = f"/api/documents/{doc_id}"
    return {
        "id": doc.id,
        "batch_id": doc.batch_id,
        "source": source.filename,
        "status": str(doc.status),
        "error": doc.error,
        "pages": doc.page_count,
        "dossier_code": doc.dossier_code,
        "doc_type_sheet": doc.doc_type_sheet,
        "type": doc.doc_type,
        "type_confidence": doc.doc_type_confidence,
        "needs_review": doc.needs_review,
        "fields": doc.fields or {},
        "sheets": [
            {"kind": p.kind, "value": p.sheet_value, "scan_page": p.source_index + 1}
            for p in everything
            if p.kind in ("cover", "separator")
        ],
        "pdf_url": f"{base}/pdf" if doc.pdf_sha256 else None,
        "signed_pdf_url": f"{base}/signed.pdf" if doc.signed_pdf_sha256 else None,
        "signed_at": doc.signed_at.isoformat() if doc.signed_at else None,
        "text_url": f"{base}/text",
        "page_list": [
            {
                "number": p.number,
                "status": str(p.status),
                "error": p.error,
                "turned": p.turned,
                "skew": p.skew,
                "confidence": p.confidence,
                "blank": p.kind == "blank",
                "image_url": f"{base}/pages/{p.number}/image" if p.image_sha256 else None,
                "thumb_url": f"{base}/pages/{p.number}/thumb" if p.thumb_sha256 else None,
                "text_url": f"{base}/pages/{p.number}/text" if p.text_sha256 else None,
            }
            for p in pages
        ],
    }


@router.get("/api/documents/{doc_id}/pdf")
def pdf(doc_id: int, _user: User, box: Box) -> Response:
    doc, source, _ = _doc(box, doc_id)
    if not doc.pdf_sha256:
        raise NotFound("Tài liệu chưa xử lý xong, chưa có tệp PDF")
    stem = source.filename.rsplit(".", 1)[0] or "tai-lieu"

    return StreamingResponse(
        _stream(box.store, doc.pdf_sha256),
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(stem)}.pdf"},
    )


@router.get("/api/documents/{doc_id}/text")
def text(doc_id: int, _user: User, box: Box) -> PlainTextResponse:
    """The document's OCR text, pages separated by form feeds (as pdftotext does)."""
    pages = _paper(_doc(box, doc_id)[2])
    texts = [box.store.get_bytes(p.text_sha256).decode() if p.text_sha256 else "" for p in pages]
    return PlainTextResponse("\f".join(texts))


@router.get("/api/documents/{doc_id}/pages/{number}/{asset}")
def page_asset(doc_id: int, number: int, asset: str, _user: User, box: Box) -> Response:
    if asset not in ASSETS:
        raise NotFound(f"Không có mục '{asset}' cho trang")
    pages = _paper(_doc(box, doc_id)[2])
    page = next((p for p in pages if p.number == number), None)
    field, media = ASSETS[asset]
    key = getattr(page, field) if page else None
    if not key:
        raise NotFound(f"Trang {number} chưa có {asset}")
    if media is None:
        media = "image/jpeg" if page.image_kind == "jpeg" else "image/png"  # type: ignore[union-attr]
    # Content-addressed: the ETag is the key; the URL's content changes after edits.
    headers = {"ETag": f'"{key}"', "Cache-Control": "private, no-cache"}
    return Response(box.store.get_bytes(key), media_type=media, headers=headers)


@router.post("/api/documents/{doc_id}/retry")
def retry(doc_id: int, request: Request, _user: Clerk, box: Box) -> dict[str, Any]:
    doc, _, _ = _doc(box, doc_id)
    if doc.status != DocumentStatus.FAILED:
        return {"id": doc_id, "status": str(doc.status), "retried": 0}
    messages = box.pipeline.retry_document(doc_id)
    request.app.state.dispatch(messages)
    return {"id": doc_id, "status": "pending", "retried": len(messages)}


class SplitIn(BaseModel):
    after_page: int


class MergeIn(BaseModel):
    other_document_id: int


class ReorderIn(BaseModel):
    order: list[int]


class RotateIn(BaseModel):
    degrees: int


@router.post("/api/documents/{doc_id}/split")
def split_document(
    doc_id: int, body: SplitIn, request: Request, _user: Clerk, box: Box
) -> dict[str, Any]:
    new_id, messages = editing.split(box.uow, doc_id, body.after_page)
    request.app.state.dispatch(messages)
    return {"documents": [doc_id, new_id], "status": "pending"}


@router.post("/api/documents/{doc_id}/merge")
def merge_documents(
    doc_id: int, body: MergeIn, request: Request, _user: Clerk, box: Box
) -> dict[str, Any]:
    request.app.state.dispatch(editing.merge(box.uow, box.index, doc_id, body.other_document_id))
    return {"documents": [doc_id], "removed": body.other_document_id, "status": "pending"}


@router.post("/api/documents/{doc_id}/reorder")
def reorder_pages(
    doc_id: int, body: ReorderIn, request: Request, _user: Clerk, box: Box
) -> dict[str, Any]:
    request.app.state.dispatch(editing.reorder(box.uow, doc_id, body.order))
    return {"documents": [doc_id], "status": "pending"}


@router.post("/api/documents/{doc_id}/pages/{number}/rotate")
def rotate_page(
    doc_id: int, number: int, body: RotateIn, request: Request, _user: Clerk, box: Box
) -> dict[str, Any]:
    request.app.state.dispatch(editing.rotate(box.uow, doc_id, number, body.degrees))
    return {"documents": [doc_id], "status": "pending"}


class MoveIn(BaseModel):
    target_document_id: int
    position: int | None = None


@router.post("/api/documents/{doc_id}/pages/{number}/move")
def move_page(
    doc_id: int, number: int, body: MoveIn, request: Request, _user: Clerk, box: Box
) -> dict[str, Any]:
    messages = editing.move_page(
        box.uow, box.index, doc_id, number, body.target_document_id, body.position
    )
    request.app.state.dispatch(messages)
    return {"documents": sorted({m.id for m in messages}), "status": "pending"}


@router.delete("/api/documents/{doc_id}/pages/{number}")
def remove_page(
    doc_id: int, number: int, request: Request, _user: Clerk, box: Box
) -> dict[str, Any]:
    request.app.state.dispatch(editing.remove_page(box.uow, doc_id, number))
    return {"documents": [doc_id], "status": "pending"}


@router.get("/api/documents/{doc_id}/fields")
def field_boxes(doc_id: int, _user: User, box: Box) -> dict[str, Any]:
    """Each field with where it was found: page number and boxes in page-image pixels
    (from the OCR word boxes), so the document view can highlight it."""
    doc, _, everything = _doc(box, doc_id)
    pages = {p.number: p for p in _paper(everything)}
    out: dict[str, Any] = {}
    for key, raw in (doc.fields or {}).items():
        entry: dict[str, Any] = dict(raw)
        page = pages.get(int(entry.get("page") or 0))
        boxes: list[dict[str, int]] = []
        if page is not None and page.words_sha256 and page.text_sha256 and "start" in entry:
            words = json.loads(box.store.get_bytes(page.words_sha256))
            text = box.store.get_bytes(page.text_sha256).decode("utf-8")
            span = Field(key, str(entry["value"]), 1.0, int(entry["start"]), int(entry["end"]))
            boxes = [
                {"left": b.left, "top": b.top, "width": b.width, "height": b.height}
                for b in locate(span, words, text)
            ]
        out[key] = {**entry, "boxes": boxes}
    return {"id": doc_id, "type": doc.doc_type, "fields": out}
