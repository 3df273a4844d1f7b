"""Clerks correct document types and fields (kept and audited); admins retrain the
classifier from those corrections, or roll it back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import Admin, Box, User
from classify.types import DEFAULT_TYPES
from records.corrections import (
    CorrectionSource,
    add_type,
    admin_types,
    correct_field,
    correct_type,
    corrections,
    known_types,
)
from records.model import Document
from records.sql import documents_table

router = APIRouter()


class TypeIn(BaseModel):
    type: str


class FieldIn(BaseModel):
    key: str
    value: str


class DocumentTypeIn(BaseModel):
    code: str
    label: str
    titles: list[str] = []


@router.post("/api/documents/{doc_id}/type")
def set_type(doc_id: int, body: TypeIn, user: User, box: Box) -> dict[str, Any]:
    correct_type(box.uow, doc_id, body.type, user_id=user.id)
    box.pipeline.reindex_document(doc_id)  # filters and facets follow the correction
    return {"id": doc_id, "type": body.type.strip(), "needs_review": False}


@router.post("/api/documents/{doc_id}/fields")
def set_field(doc_id: int, body: FieldIn, user: User, box: Box) -> dict[str, Any]:
    correct_field(box.uow, doc_id, body.key.strip(), body.value, user_id=user.id)
    box.pipeline.reindex_document(doc_id)
    return {"id": doc_id, "key": body.key.strip(), "value": " ".join(body.value.split())}


@router.get("/api/documents/{doc_id}/corrections")
def document_corrections(doc_id: int, _user: User, box: Box) -> list[dict[str, Any]]:
    with box.uow() as uow:
        return [
            {
                "kind": c.kind,
                "key": c.key,
                "old": c.old,
                "new": c.new,
                "user_id": c.user_id,
                "at": c.at.isoformat(),
            }
            for c in corrections(uow, doc_id)
        ]


@router.get("/api/review")
def review_queue(_user: User, box: Box, limit: int = 100) -> list[dict[str, Any]]:
    """Documents the classifier was unsure about, oldest first."""
    d = documents_table
    with box.uow() as uow:
        docs = uow.session.scalars(
            select(Document).where(d.c.needs_review.is_(True)).order_by(d.c.id).limit(limit)
        )
        return [
            {
                "id": x.id,
                "type": x.doc_type,
                "type_confidence": x.doc_type_confidence,
                "batch_id": x.batch_id,
                "url": f"/documents/{x.id}",
            }
            for x in docs
        ]


@router.post("/api/classifier/retrain")
def retrain(_admin: Admin, box: Box) -> dict[str, Any]:
    source = CorrectionSource(box.uow, lambda key: box.store.get_bytes(key).decode("utf-8"))
    examples = list(source.examples())
    with box.uow() as uow:
        extra = admin_types(uow)
    version = box.classifier.retrain(examples, extra)
    return {"version": version, "corrections_used": len(examples)}


@router.get("/api/document-types")
def document_types(_user: User, box: Box) -> list[dict[str, Any]]:
    """Every document type with its Vietnamese name: built-in, then admin-added."""
    builtin = {t.code for t in DEFAULT_TYPES}
    with box.uow() as uow:
        types = known_types(uow)
    return [
        {"code": t.code, "label": t.label, "titles": list(t.titles), "builtin": t.code in builtin}
        for t in types
    ]


@router.post("/api/document-types", status_code=201)
def new_document_type(body: DocumentTypeIn, admin: Admin, box: Box) -> dict[str, Any]:
    """Add a type (code, Vietnamese name, standard titles as printed). Clerks can correct
    documents to it at once; the classifier predicts it after the next retraining."""
    t = add_type(box.uow, body.code, body.label, body.titles, user_id=admin.id)
    return {"code": t.code, "label": t.label, "titles": list(t.titles), "builtin": False}


@router.post("/api/classifier/rollback")
def rollback(_admin: Admin, box: Box) -> dict[str, str]:
    return {"version": box.classifier.rollback()}


@router.get("/api/classifier")
def current(_user: User, box: Box) -> dict[str, str]:
    return {"version": box.classifier().version}
