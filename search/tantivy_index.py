"""Embedded search adapter on tantivy.

Each page is one tantivy document with two views of its text: ``body`` (folded: lower
case, no Vietnamese marks, đ→d; stored as the original so snippets show diacritics) and
``exact`` (lower case only, boosted ×2, so exact-diacritic matches rank first).

tantivy allows one writer per index directory across processes, so writes take an
exclusive ``fcntl`` lock for open → add → commit; many worker processes can index safely.
Custom analyzers are not persisted by tantivy: every open registers them again.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from search.fold import nfc
from search.port import (
    Hit,
    PageEntry,
    SearchQuery,
    SearchResult,
    has_filter,
    split_field_queries,
)

FOLD = "vi_fold"
EXACT = "vi_exact"
EXACT_BOOST = 2.0
_QUOTED = re.compile(r'"([^"]*)"')


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=True, tokenizer_name=FOLD)
    sb.add_text_field("exact", stored=False, tokenizer_name=EXACT)
    sb.add_integer_field("document_id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("page", stored=True, indexed=True)
    sb.add_integer_field("batch_id", stored=True, indexed=True, fast=True)
    sb.add_text_field("source", stored=True, tokenizer_name="raw")
    sb.add_date_field("created", stored=False, indexed=True, fast=True)
    sb.add_text_field("doc_type", stored=True, tokenizer_name="raw", fast=True)
    sb.add_text_field("cccd", stored=False, tokenizer_name="raw")
    sb.add_text_field("procedure", stored=False, tokenizer_name="raw", fast=True)
    return sb.build()


def _analyzers() -> dict[str, tantivy.TextAnalyzer]:
    base = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
        tantivy.Filter.remove_long(64)
    )
    exact = base.filter(tantivy.Filter.lowercase()).build()
    fold = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
    return {FOLD: fold, EXACT: exact}


class TantivyIndex:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._schema = _schema()
        try:
            self._index = tantivy.Index(self._schema, path=str(path))
        except ValueError as e:
            if "schema does not match" not in str(e):
                raise
            raise ValueError(
                f"Chỉ mục tìm kiếm {path} được tạo bởi phiên bản cũ (khác lược đồ). "
                "Hãy dời thư mục đó đi rồi chạy `hoso reindex` để lập chỉ mục lại."
            ) from e
        self._analyzers = _analyzers()
        for name, analyzer in self._analyzers.items():
            self._index.register_tokenizer(name, analyzer)

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        with open(self._path / "hoso-writer.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            writer = self._index.writer(heap_size=50_000_000, num_threads=1)
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise

    def add_pages(self, entries: Iterable[PageEntry]) -> None:
        entries = list(entries)
        if not entries:
            return
        with self._writer() as writer:
            for doc_id in {e.document_id for e in entries}:
                writer.delete_documents_by_term("document_id", doc_id)
            for e in entries:
                text = nfc(e.text)
                doc = tantivy.Document(
                    body=text,
                    exact=text,
                    document_id=e.document_id,
                    page=e.page,
                    batch_id=e.batch_id,
                    source=e.source,
                    created=_utc(e.created),
                    doc_type=e.doc_type or "",
                )
                for number in e.cccd:
                    doc.add_text("cccd", number)
                for code in dict.fromkeys(e.procedures):  # once each, in order
                    doc.add_text("procedure", code)
                writer.add_document(doc)

    def delete_document(self, document_id: int) -> None:
        with self._writer() as writer:
            writer.delete_documents_by_term("document_id", document_id)

    def search(self, query: SearchQuery) -> SearchResult:
        query = split_field_queries(query)
        text_query = self._text_query(query.text)
        if text_query is None and not has_filter(query):
            return SearchResult(total=0, hits=[])
        clauses = [(tantivy.Occur.Must, text_query or tantivy.Query.all_query())]
        for field_name, value in (
            ("doc_type", query.doc_type),
            ("cccd", query.cccd),
            ("procedure", query.procedure),
        ):
            if value:
                clauses.append(
                    (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, field_name, value))
                )
        if query.batch_id is not None:
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.term_query(self._schema, "batch_id", query.batch_id),
                )
            )
        if query.date_from is not None or query.date_to is not None:
            lower = _utc(query.date_from or datetime(1970, 1, 1, tzinfo=UTC))
            upper = _utc(query.date_to or datetime(2200, 1, 1, tzinfo=UTC))
            clauses.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        self._schema, "created", tantivy.FieldType.Date, lower, upper
                    ),
                )
            )
        full = tantivy.Query.boolean_query(clauses)
        self._index.reload()
        searcher = self._index.searcher()
        result = searcher.search(full, query.limit, count=True, offset=query.offset)
        snippets = tantivy.SnippetGenerator.create(searcher, full, self._schema, "body")
        snippets.set_max_num_chars(240)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            hits.append(
                Hit(
                    document_id=doc["document_id"][0],
                    page=doc["page"][0],
                    batch_id=doc["batch_id"][0],
                    source=doc["source"][0],
                    score=float(score),
                    snippet_html=snippets.snippet_from_doc(doc).to_html(),
                    doc_type=(doc["doc_type"] or [None])[0] or None,
                )
            )
        buckets = searcher.aggregate(
            full,
            {
                "types": {"terms": {"field": "doc_type", "size": 50}},
                "procedures": {"terms": {"field": "procedure", "size": 100}},
            },
        )
        return SearchResult(
            total=getattr(result, "count", None) or 0,
            hits=hits,
            facets=_counts(buckets["types"]),
            procedure_facets=_counts(buckets["procedures"]),
        )

    def _tokens(self, analyzer: str, text: str) -> list[str]:
        return list(self._analyzers[analyzer].analyze(nfc(text)))

    def _text_query(self, text: str) -> tantivy.Query | None:
        """All words must match (folded or exact); "quoted words" match as a phrase."""
        parts: list[tantivy.Query] = []
        phrases = _QUOTED.findall(text)
        loose = _QUOTED.sub(" ", text).replace('"', " ")
        for phrase in phrases:
            q = self._either(phrase, phrase=True)
            if q is not None:
                parts.append(q)
        for word in loose.split():
            for token in self._tokens(EXACT, word):
                q = self._either(token, phrase=False)
                if q is not None:
                    parts.append(q)
        if not parts:
            return None
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])

    def _either(self, text: str, *, phrase: bool) -> tantivy.Query | None:
        folded = self._tokens(FOLD, text)
        exact = self._tokens(EXACT, text)
        if not folded:
            return None
        if phrase and len(folded) > 1:
            fq = tantivy.Query.phrase_query(self._schema, "body", _words(folded))
            eq = tantivy.Query.phrase_query(self._schema, "exact", _words(exact))
        else:
            fq = _terms(self._schema, "body", folded)
            eq = _terms(self._schema, "exact", exact)
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, fq),
                (tantivy.Occur.Should, tantivy.Query.boost_query(eq, EXACT_BOOST)),
            ]
        )


def _terms(schema: tantivy.Schema, field: str, tokens: list[str]) -> tantivy.Query:
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, field, tokens[0])
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.term_query(schema, field, t)) for t in tokens]
    )


def _words(tokens: list[str]) -> list[str | tuple[int, str]]:
    return list(tokens)


def _counts(aggregation: dict[str, Any]) -> dict[str, int]:
    return {b["key"]: int(b["doc_count"]) for b in aggregation["buckets"] if b["key"]}


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
