"""The search index port. One indexed item is one page of one document."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from records.errors import ServiceUnavailable


class SearchUnavailable(ServiceUnavailable):
    """The search server cannot be reached or answered with an error (or the embedded
    index cannot be opened). The message, for a clerk, says to try again later."""


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
    procedures: tuple[str, ...] = ()  # procedure codes of the dossiers it is attached to


@dataclass(frozen=True)
class SearchQuery:
    """``text`` may hold field queries: ``loai:can_cuoc`` (or ``type:``),
    ``cccd:001203004567`` and ``thu_tuc:1.001193`` (or ``procedure:``); the rest is
    matched as words."""

    text: str
    batch_id: int | None = None
    doc_type: str | None = None
    cccd: str | None = None
    procedure: str | None = None  # a procedure code: pages of documents in its dossiers
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
    #: procedure code → matching pages (a page of a document attached to dossiers of two
    #: procedures counts for both)
    procedure_facets: dict[str, int] = field(default_factory=dict)


FIELD_QUERY = re.compile(r"\b(loai|type|cccd|thu_tuc|procedure):(\S+)", re.IGNORECASE)


def split_field_queries(query: SearchQuery) -> SearchQuery:
    """Move ``loai:``/``type:``, ``cccd:`` and ``thu_tuc:``/``procedure:`` terms out of the
    text into the query's filters (a term in the text wins over the parameter)."""
    doc_type, cccd, procedure = query.doc_type, query.cccd, query.procedure
    for key, value in FIELD_QUERY.findall(query.text):
        key = key.lower()
        if key == "cccd":
            cccd = value
        elif key in ("thu_tuc", "procedure"):
            procedure = value
        else:
            doc_type = value.lower()
    text = FIELD_QUERY.sub(" ", query.text).strip()
    return replace(query, text=text, doc_type=doc_type, cccd=cccd, procedure=procedure)


def has_filter(query: SearchQuery) -> bool:
    """A query without words still finds pages when it names a field to match."""
    return bool(query.doc_type or query.cccd or query.procedure)


class SearchIndex(Protocol):
    def add_pages(self, entries: Iterable[PageEntry]) -> None:
        """Index (or re-index) pages. Replaces earlier entries of the same documents."""
        ...

    def delete_document(self, document_id: int) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...
