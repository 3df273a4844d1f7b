"""What the database says of the watcher's files: their documents' outcome, earlier
copies of the same bytes, how to send a pending one through again, dossiers."""

from __future__ import annotations

from sqlalchemy import select

from hoso.bootstrap import Container
from hoso.watch.jobs import Outcome
from ingest.pipeline import Message
from records.errors import NotFound
from records.model import PageStatus
from records.reception import find
from records.sql import documents_table, pages_table, source_files_table


def outcomes(container: Container, source_ids: list[int]) -> dict[int, Outcome]:
    if not source_ids:
        return {}
    d = documents_table
    with container.uow() as uow:
        rows = uow.session.execute(
            select(d.c.source_file_id, d.c.id, d.c.status, d.c.error)
            .where(d.c.source_file_id.in_(set(source_ids)))
            .order_by(d.c.id)
        ).all()
    by_source: dict[int, list[tuple[int, str, str | None]]] = {}
    for source_id, doc_id, status, error in rows:
        by_source.setdefault(source_id, []).append((doc_id, str(status), error))
    out = {}
    for source_id in source_ids:
        docs = by_source.get(source_id, [])
        pairs = [(doc_id, status) for doc_id, status, _ in docs]
        failures = [(doc_id, e) for doc_id, status, e in docs if status == "failed"]
        if not docs:
            out[source_id] = Outcome("failed", [], "không có tài liệu nào được tạo từ tệp")
        elif any(status == "pending" for _, status, _ in docs):
            out[source_id] = Outcome("pending", pairs)
        elif failures:
            if len(docs) == 1:
                message = failures[0][1] or "xử lý tài liệu bị lỗi"
            else:
                message = "; ".join(f"tài liệu {i}: {e or 'bị lỗi'}" for i, e in failures)
            out[source_id] = Outcome("failed", pairs, message)
        else:
            out[source_id] = Outcome("done", pairs)
    return out


def processed(container: Container, sha: str) -> tuple[int, Outcome] | None:
    """The source file with these bytes that has documents (a finished one first)."""
    sf, d = source_files_table, documents_table
    with container.uow() as uow:
        ids = list(
            uow.session.scalars(
                select(sf.c.id)
                .where(sf.c.sha256 == sha, sf.c.id.in_(select(d.c.source_file_id)))
                .order_by(sf.c.id.desc())
            )
        )
    if not ids:
        return None
    found = outcomes(container, ids)
    rank = {"done": 0, "pending": 1, "failed": 2}
    best = min(ids, key=lambda i: rank[found[i].state])  # ties: the latest
    return best, found[best]


def resume_messages(container: Container, source_id: int) -> list[Message]:
    """Send a pending source through again. Every step is idempotent: ``split_source``
    splits it if that never happened and resends its pending pages; a finished page
    sent again does no OCR and only re-derives what follows its file's last page."""
    d, p = documents_table, pages_table
    with container.uow() as uow:
        page = uow.session.scalar(
            select(p.c.id)
            .join(d, d.c.id == p.c.document_id)
            .where(d.c.source_file_id == source_id, p.c.status == PageStatus.DONE)
            .limit(1)
        )
    return [Message("split_source", source_id)] + ([Message("ocr_page", page)] if page else [])


def dossier_exists(container: Container, code: str) -> bool:
    with container.uow() as uow:
        try:
            find(uow, code)
        except NotFound:
            return False
    return True
