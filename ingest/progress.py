"""Progress of a batch, derived from page and document rows (never stored separately)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from records.errors import NotFound
from records.model import Batch, Document, DocumentStatus, PageStatus, SourceFile
from records.sql import UnitOfWork, documents_table, pages_table, source_files_table


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def batch_progress(uow: UnitOfWork, batch_id: int) -> dict[str, Any]:
    batch = uow.session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"Không tìm thấy lô quét số {batch_id}")
    counts = {
        row.document_id: row
        for row in uow.session.execute(
            select(
                pages_table.c.document_id,
                func.count().label("total"),
                func.sum(case((pages_table.c.status == PageStatus.DONE, 1), else_=0)).label("done"),
                func.sum(case((pages_table.c.status == PageStatus.FAILED, 1), else_=0)).label(
                    "failed"
                ),
                func.sum(
                    case((pages_table.c.kind.in_(("cover", "separator", "removed")), 1), else_=0)
                ).label("sheets"),
            )
            .join(Document, documents_table.c.id == pages_table.c.document_id)
            .where(documents_table.c.batch_id == batch_id)
            .group_by(pages_table.c.document_id)
        )
    }
    rows = uow.session.execute(
        select(Document, SourceFile)
        .join(SourceFile, source_files_table.c.id == documents_table.c.source_file_id)
        .where(documents_table.c.batch_id == batch_id)
        .order_by(documents_table.c.id)
    ).all()
    documents: list[dict[str, Any]] = []
    errors = []
    blanks: dict[int, list[int]] = {}
    for doc_id, number in uow.session.execute(
        select(pages_table.c.document_id, pages_table.c.number)
        .join(Document, documents_table.c.id == pages_table.c.document_id)
        .where(documents_table.c.batch_id == batch_id, pages_table.c.kind == "blank")
        .order_by(pages_table.c.number)
    ):
        blanks.setdefault(doc_id, []).append(number)
    for doc, source in rows:
        c = counts.get(doc.id)
        done = int(c.done) if c else 0
        failed = int(c.failed) if c else 0
        sheets = int(c.sheets or 0) if c else 0
        documents.append(
            {
                "id": doc.id,
                "source": source.filename,
                "status": str(doc.status),
                "pages": doc.page_count,
                "pages_done": done - sheets,  # sheets are not the document's pages
                "pages_failed": failed,
                "scanned": int(c.total) if c else 0,  # paper pages incl. cover/separator sheets
                "scanned_done": done,
                "sheets": sheets,
                "blank_pages": blanks.get(doc.id or 0, []),
                "dossier_code": doc.dossier_code,
                "doc_type_sheet": doc.doc_type_sheet,
                "type": doc.doc_type,
                "type_confidence": doc.doc_type_confidence,
                "needs_review": doc.needs_review,
                "fields": {k: v["value"] for k, v in (doc.fields or {}).items()},
                "error": doc.error,
                "finished": _iso(doc.finished),
            }
        )
        if doc.status == DocumentStatus.FAILED and doc.error:
            errors.append({"source": source.filename, "document_id": doc.id, "message": doc.error})
    duplicates = []
    for source in uow.session.scalars(
        select(SourceFile)
        .where(
            source_files_table.c.batch_id == batch_id,
            source_files_table.c.duplicate_of.is_not(None),
        )
        .order_by(source_files_table.c.id)
    ):
        earlier = uow.session.get(SourceFile, source.duplicate_of)
        doc_id = uow.session.scalar(
            select(documents_table.c.id).where(
                documents_table.c.source_file_id == source.duplicate_of
            )
        )
        duplicates.append(
            {
                "source": source.filename,
                "duplicate_of": source.duplicate_of,
                "document_id": doc_id,
                "batch_id": earlier.batch_id if earlier else None,
                "earlier_source": earlier.filename if earlier else None,
            }
        )
    refused = uow.session.scalars(
        select(SourceFile)
        .where(source_files_table.c.batch_id == batch_id, source_files_table.c.error.is_not(None))
        .order_by(source_files_table.c.id)
    )
    for source in refused:
        errors.append({"source": source.filename, "document_id": None, "message": source.error})
    finished = all(d["status"] != DocumentStatus.PENDING for d in documents)
    return {
        "id": batch.id,
        "created": _iso(batch.created),
        "language": batch.language,
        "status": "done" if finished else "processing",
        # every scanned paper page, sheets included: the unit of work and of progress
        "pages_total": sum(d["scanned"] for d in documents) or sum(d["pages"] for d in documents),
        "pages_done": sum(d["scanned_done"] for d in documents),
        "pages_failed": sum(d["pages_failed"] for d in documents),
        "documents": documents,
        "duplicates": duplicates,
        "errors": errors,
    }
