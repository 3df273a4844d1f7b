"""Full-text search over every recognised page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter

from api.deps import Box, Searcher
from records.errors import BadInput
from search import SearchQuery

router = APIRouter()


def _day(value: str | None, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError as e:
        raise BadInput(f"Ngày '{value}' không hợp lệ (dạng YYYY-MM-DD)") from e
    return datetime.combine(d, time.max if end else time.min, tzinfo=UTC)


@router.get("/api/search")
def search(
    _user: Searcher,
    box: Box,
    q: str = "",
    batch: int | None = None,
    doc_type: str | None = None,
    cccd: str | None = None,
    procedure: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    if not q.strip() and not doc_type and not cccd and not procedure:
        raise BadInput("Hãy nhập từ khóa cần tìm")
    if len(q) > 500:
        raise BadInput("Từ khóa quá dài (tối đa 500 ký tự)")
    query = SearchQuery(
        text=q,
        batch_id=batch,
        doc_type=doc_type or None,
        cccd=cccd.strip() if cccd else None,
        procedure=procedure.strip() if procedure else None,
        date_from=_day(date_from, end=False),
        date_to=_day(date_to, end=True),
        limit=min(max(limit, 1), 100),
        offset=max(offset, 0),
    )
    result = box.index().search(query)
    return {
        "total": result.total,
        "facets": {"type": result.facets, "procedure": result.procedure_facets},
        "hits": [
            {
                "document_id": h.document_id,
                "batch_id": h.batch_id,
                "source": h.source,
                "page": h.page,
                "type": h.doc_type,
                "score": round(h.score, 4),
                "snippet": h.snippet_html,
                "document_url": f"/documents/{h.document_id}#page-{h.page}",
                "pdf_url": f"/api/documents/{h.document_id}/pdf#page={h.page}",
            }
            for h in result.hits
        ],
    }
