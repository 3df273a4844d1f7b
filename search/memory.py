"""In-memory search index: the fake used by unit tests. Folded AND match, no ranking model."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from search.fold import fold
from search.port import (
    Hit,
    PageEntry,
    SearchQuery,
    SearchResult,
    has_filter,
    split_field_queries,
)


class MemoryIndex:
    def __init__(self) -> None:
        self.entries: dict[tuple[int, int], PageEntry] = {}

    def add_pages(self, entries: Iterable[PageEntry]) -> None:
        entries = list(entries)
        for doc_id in {e.document_id for e in entries}:
            self.delete_document(doc_id)
        for e in entries:
            self.entries[(e.document_id, e.page)] = e

    def delete_document(self, document_id: int) -> None:
        for key in [k for k in self.entries if k[0] == document_id]:
            del self.entries[key]

    def search(self, query: SearchQuery) -> SearchResult:
        query = split_field_queries(query)
        words = re.findall(r"\w+", fold(query.text))
        if not words and not has_filter(query):
            return SearchResult(total=0)
        matches = []
        for e in self.entries.values():
            page_words = re.findall(r"\w+", fold(e.text))
            if not all(w in page_words for w in words):
                continue
            if query.batch_id is not None and e.batch_id != query.batch_id:
                continue
            if query.doc_type and e.doc_type != query.doc_type:
                continue
            if query.cccd and query.cccd not in e.cccd:
                continue
            if query.procedure and query.procedure not in e.procedures:
                continue
            created = e.created if e.created.tzinfo else e.created.replace(tzinfo=UTC)
            if query.date_from and created < _aware(query.date_from):
                continue
            if query.date_to and created > _aware(query.date_to):
                continue
            score = float(sum(page_words.count(w) for w in words))
            matches.append(
                Hit(
                    e.document_id,
                    e.page,
                    e.batch_id,
                    e.source,
                    score,
                    html.escape(e.text[:240]),
                    e.doc_type,
                )
            )
        matches.sort(key=lambda h: (-h.score, h.document_id, h.page))
        window = matches[query.offset : query.offset + query.limit]
        facets: dict[str, int] = {}
        procedures: dict[str, int] = {}
        for h in matches:
            entry = self.entries[(h.document_id, h.page)]
            if entry.doc_type:
                facets[entry.doc_type] = facets.get(entry.doc_type, 0) + 1
            for code in set(entry.procedures):
                procedures[code] = procedures.get(code, 0) + 1
        return SearchResult(
            total=len(matches), hits=window, facets=facets, procedure_facets=procedures
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
