"""Clerks' corrections of what the classifier decided: document types and fields.

Every correction is kept (who, when, old, new): it is the audit trail and the training
material for the next model (``CorrectionSource`` gives them to ``classify.train``).
Admins add document types (:func:`add_type`, table ``document_types``): they join the
built-in ones wherever types are known (corrections, training, title rules, labels).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from classify.text import fold, nfc
from classify.types import DocumentType, with_admin_types
from records.errors import BadInput, Conflict, NotFound
from records.model import Document, now
from records.sql import UnitOfWork, corrections_table, document_types_table, pages_table

Uows = Callable[[], UnitOfWork]
TYPE_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Correction:
    document_id: int
    kind: str  # type | field
    key: str  # "type" or the field key
    old: str | None
    new: str
    user_id: int | None
    at: datetime


def _document(uow: UnitOfWork, doc_id: int) -> Document:
    doc = uow.session.get(Document, doc_id)
    if doc is None:
        raise NotFound(f"Không tìm thấy tài liệu số {doc_id}")
    return doc


def _record(uow: UnitOfWork, c: Correction) -> None:
    uow.session.execute(
        corrections_table.insert().values(
            document_id=c.document_id,
            kind=c.kind,
            key=c.key,
            old=c.old,
            new=c.new,
            user_id=c.user_id,
            at=c.at,
        )
    )


def _check_code(code: str) -> str:
    code = code.strip()
    if not code or len(code) > 64 or not set(code) <= TYPE_CODE_CHARS:
        raise BadInput("Mã loại giấy tờ chỉ gồm chữ thường không dấu, số và gạch dưới")
    return code


def admin_types(uow: UnitOfWork) -> list[DocumentType]:
    """The types admins added, oldest first."""
    t = document_types_table
    return [
        DocumentType(r.code, r.label, tuple(r.titles or ()))
        for r in uow.session.execute(select(t).order_by(t.c.created, t.c.code))
    ]


def known_types(uow: UnitOfWork) -> tuple[DocumentType, ...]:
    """Built-in types plus the admins' (``classify.types.with_admin_types``)."""
    return with_admin_types(admin_types(uow))


def title_pattern(title: str) -> str:
    """An admin's plain title ("Biên bản họp thôn") as a title rule: folded words, any
    spacing between them (OCR drops or doubles spaces)."""
    words = fold(nfc(title)).lower().split()
    return r"\s*".join(re.escape(w) for w in words)


def add_type(
    uows: Uows, code: str, label: str, titles: Iterable[str] = (), *, user_id: int | None
) -> DocumentType:
    """Store a new document type; ``titles`` are its standard titles as printed (plain
    text, not patterns), recognised by the title rules after the next retraining."""
    code = _check_code(code)
    label = " ".join(label.split())
    if not label or len(label) > 200:
        raise BadInput("Cần tên loại giấy tờ (tối đa 200 ký tự)")
    patterns = [title_pattern(x) for x in titles if x.strip()]
    if any(len(p) > 400 for p in patterns):
        raise BadInput("Tiêu đề quá dài")
    with uows() as uow:
        if code in {t.code for t in known_types(uow)}:
            raise Conflict(f"Đã có loại giấy tờ mã {code}")
        uow.session.execute(
            document_types_table.insert().values(
                code=code, label=label, titles=patterns, created_by=user_id, created=now()
            )
        )
        uow.commit()
    return DocumentType(code, label, tuple(patterns))


def correct_type(uows: Uows, doc_id: int, doc_type: str, *, user_id: int | None) -> None:
    doc_type = _check_code(doc_type)
    with uows() as uow:
        if doc_type not in {t.code for t in known_types(uow)}:
            raise BadInput(f"Không có loại giấy tờ mã {doc_type}")
        doc = _document(uow, doc_id)
        _record(uow, Correction(doc_id, "type", "type", doc.doc_type, doc_type, user_id, now()))
        doc.doc_type = doc_type
        doc.doc_type_confidence = 1.0
        doc.needs_review = False
        uow.commit()


def correct_field(uows: Uows, doc_id: int, key: str, value: str, *, user_id: int | None) -> None:
    value = " ".join(value.split())
    if not key.strip() or not value:
        raise BadInput("Cần tên trường và giá trị")
    with uows() as uow:
        doc = _document(uow, doc_id)
        fields = dict(doc.fields or {})
        old = fields.get(key, {}).get("value")
        _record(
            uow,
            Correction(
                doc_id, "field", key, None if old is None else str(old), value, user_id, now()
            ),
        )
        fields[key] = {**fields.get(key, {}), "value": value, "confidence": 1.0, "corrected": True}
        doc.fields = fields  # a new dict, so the JSON column is written
        uow.commit()


def corrections(uow: UnitOfWork, doc_id: int | None = None) -> list[Correction]:
    t = corrections_table
    query = select(t).order_by(t.c.id)
    if doc_id is not None:
        query = query.where(t.c.document_id == doc_id)
    return [
        Correction(r.document_id, r.kind, r.key, r.old, r.new, r.user_id, r.at)
        for r in uow.session.execute(query)
    ]


class CorrectionSource:
    """Corrected document types as training examples (``classify.ExampleSource``); each
    weighs more than a generated example, since it is what this centre actually scans."""

    def __init__(self, uows: Uows, text_of: Callable[[str], str], weight: float = 5.0) -> None:
        self._uows = uows
        self._text_of = text_of  # object-store key → text
        self._weight = weight

    def examples(self) -> Iterable[tuple[str, str, float]]:
        return list(self._iter())

    def _iter(self) -> Iterator[tuple[str, str, float]]:
        with self._uows() as uow:
            latest: dict[int, str] = {}
            for c in corrections(uow):
                if c.kind == "type":
                    latest[c.document_id] = c.new
            for doc_id, doc_type in latest.items():
                keys = uow.session.scalars(
                    select(pages_table.c.text_sha256)
                    .where(pages_table.c.document_id == doc_id, pages_table.c.kind == "page")
                    .order_by(pages_table.c.number)
                    .limit(3)
                )
                text = "\n".join(self._text_of(k) for k in keys if k)
                if text.strip():
                    yield text, doc_type, self._weight
