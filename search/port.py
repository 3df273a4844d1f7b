"""The search index port. One indexed item is one page of one document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class SearchQuery:
    text: str
    batch_id: int | None = None
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


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: Sequence[Hit] = field(default_factory=list)


class SearchIndex(Protocol):
    def add_pages(self, entries: Iterable[PageEntry]) -> None:
        """Index (or re-index) pages. Replaces earlier entries of the same documents."""
        ...

    def delete_document(self, document_id: int) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...
