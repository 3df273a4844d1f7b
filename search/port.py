"""The search index port. One indexed item is one page of one document."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PageEntry:
    """What the index keeps about a page."""

    document_id: int
    page: int  # 1-based page number within the document
    batch_id: int
    source: str  # the uploaded file's name
    text: str
    created: datetime
    doc_type: str | None = None  # the document's type, for filters and facets
    cccd: tuple[str, ...] = ()  # ID numbers found in the document's fields


@dataclass(frozen=True)
class SearchQuery:
    """``text`` may hold field queries: ``loai:can_cuoc`` (or ``type:``) and
    ``cccd:001203004567``; the rest is matched as words."""

    text: str
    batch_id: int | None = None
    doc_type: str | None = None
    cccd: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Hit:
    document_id: int
    page: int
    batch_id: int
    source: str
    score: float
    snippet_html: str  # the original text, matched words in <b>…</b>, everything else escaped
    doc_type: str | None = None


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: Sequence[Hit] = field(default_factory=list)
    facets: dict[str, int] = field(default_factory=dict)  # document type → matching pages


FIELD_QUERY = re.compile(r"\b(loai|type|cccd):(\S+)", re.IGNORECASE)


def split_field_queries(query: SearchQuery) -> SearchQuery:
    """Move ``loai:``/``type:``/``cccd:`` terms out of the text into the query's filters."""
    doc_type, cccd = query.doc_type, query.cccd
    for key, value in FIELD_QUERY.findall(query.text):
        if key.lower() == "cccd":
            cccd = value
        else:
            doc_type = value.lower()
    text = FIELD_QUERY.sub(" ", query.text).strip()
    return replace(query, text=text, doc_type=doc_type, cccd=cccd)


class SearchIndex(Protocol):
    def add_pages(self, entries: Iterable[PageEntry]) -> None:
        """Index (or re-index) pages. Replaces earlier entries of the same documents."""
        ...

    def delete_document(self, document_id: int) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...
