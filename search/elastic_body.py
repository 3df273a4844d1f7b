"""Request bodies for the Elasticsearch/OpenSearch REST API, and reading the answers.

Pure functions shared by both client wrappers (``search.elastic_index``): the index
settings and mapping, the bulk actions for pages, the search body built from a
``SearchQuery`` and the ``SearchResult`` read from the answer. Both engines accept the
same JSON for everything used here.

One indexed document per page, id ``<document_id>-<page>``, with three views of its text:

- ``text``: the original (NFC), analysed with lower case only: exact-diacritic matches,
  boosted ×2 so "Nguyễn" ranks above "nguyên"; kept in ``_source`` for snippets.
- ``folded``: the same text folded in Python by ``search.fold.fold`` (lower case, no
  Vietnamese marks, đ→d), the field every query must match. Folding in Python makes the
  index and the query side agree exactly, on any engine and without the ICU plugin;
  it is left out of ``_source``.
- ``text.folded``: a sub-field of the original with Lucene's built-in ``asciifolding``
  filter, used only to highlight: the highlighter then marks "Nguyễn" for the query
  "nguyen" at the original text's offsets, so snippets keep their diacritics.

Pages of one ``add_pages`` call carry a ``generation`` (a microsecond clock, strictly
increasing within a process) used as an external version: a slower, older write of the
same page cannot overwrite a newer one, and a document's pages from older generations
are then deleted (see ``ElasticIndex.add_pages``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from search.fold import fold, nfc
from search.port import Hit, PageEntry, SearchQuery, SearchResult, has_filter, split_field_queries

EXACT_BOOST = 2.0
SNIPPET_CHARS = 240
#: the engines refuse ``from + size`` beyond this (``index.max_result_window``)
MAX_RESULT_WINDOW = 10_000
TYPE_FACETS = 50
PROCEDURE_FACETS = 100
# Private-use characters mark the highlighted words; the snippet is HTML-escaped in
# Python afterwards and they become <b>…</b>. They are removed from page text on indexing.
_PRE, _POST = "\ue000", "\ue001"
_MARKS = str.maketrans({_PRE: " ", _POST: " "})
_QUOTED = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w")

JsonDict = dict[str, Any]


def index_body() -> JsonDict:
    """Settings and mapping for ``indices.create``."""
    return {
        "settings": {
            "analysis": {
                "analyzer": {
                    "hoso_lower": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase"],
                    },
                    "hoso_highlight": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase", "asciifolding"],
                    },
                }
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_source": {"excludes": ["folded"]},
            "properties": {
                "text": {
                    "type": "text",
                    "analyzer": "hoso_lower",
                    "fields": {"folded": {"type": "text", "analyzer": "hoso_highlight"}},
                },
                "folded": {"type": "text", "analyzer": "hoso_lower"},
                "document_id": {"type": "long"},
                "page": {"type": "integer"},
                "batch_id": {"type": "long"},
                "source": {"type": "keyword"},
                "created": {"type": "date"},
                "doc_type": {"type": "keyword"},
                "cccd": {"type": "keyword"},
                "procedures": {"type": "keyword"},
                "generation": {"type": "long"},
            },
        },
    }


def page_id(document_id: int, page: int) -> str:
    return f"{document_id}-{page}"


def instant(value: datetime) -> str:
    """An aware ISO instant at the engines' millisecond precision; naive means UTC."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat(timespec="milliseconds")


def page_source(entry: PageEntry, generation: int) -> JsonDict:
    text = nfc(entry.text).translate(_MARKS)
    return {
        "text": text,
        "folded": fold(text),
        "document_id": entry.document_id,
        "page": entry.page,
        "batch_id": entry.batch_id,
        "source": entry.source,
        "created": instant(entry.created),
        "doc_type": entry.doc_type or None,
        "cccd": list(dict.fromkeys(entry.cccd)),
        "procedures": list(dict.fromkeys(entry.procedures)),
        "generation": generation,
    }


def bulk_operations(index: str, entries: Iterable[PageEntry], generation: int) -> list[JsonDict]:
    """``index`` actions, each followed by its page; externally versioned by generation."""
    operations: list[JsonDict] = []
    for e in entries:
        operations.append(
            {
                "index": {
                    "_index": index,
                    "_id": page_id(e.document_id, e.page),
                    "version": generation,
                    "version_type": "external_gte",
                }
            }
        )
        operations.append(page_source(e, generation))
    return operations


def bulk_failures(response: Mapping[str, Any]) -> list[str]:
    """Errors in a bulk answer other than version conflicts (a newer write won: fine)."""
    if not response.get("errors"):
        return []
    failures = []
    for item in response.get("items", []):
        for result in item.values():
            error = result.get("error")
            if error and result.get("status") != 409:
                failures.append(f"{result.get('_id')}: {error.get('type')}: {error.get('reason')}")
    return failures


def newer_pages_query(document_ids: Iterable[int], generation: int) -> JsonDict:
    """Which of these documents have pages of a later generation (a concurrent re-index
    that started after this one): their pages from this generation must go too."""
    ids = sorted(set(document_ids))
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"document_id": ids}},
                    {"range": {"generation": {"gt": generation}}},
                ]
            }
        },
        "aggs": {"documents": {"terms": {"field": "document_id", "size": len(ids)}}},
    }


def superseded(response: Mapping[str, Any]) -> set[int]:
    buckets = (response.get("aggregations") or {}).get("documents", {}).get("buckets", [])
    return {int(b["key"]) for b in buckets}


def older_pages_query(
    document_ids: Iterable[int], generation: int, superseded: Iterable[int] = ()
) -> JsonDict:
    """The pages these documents got from earlier generations, and, for documents a later
    generation already wrote, this generation's pages as well."""
    gone = set(superseded)
    kept = sorted(set(document_ids) - gone)
    parts = []
    for ids, bound in ((kept, "lt"), (sorted(gone), "lte")):
        if ids:
            parts.append(
                {
                    "bool": {
                        "filter": [
                            {"terms": {"document_id": ids}},
                            {"range": {"generation": {bound: generation}}},
                        ]
                    }
                }
            )
    return {"query": {"bool": {"should": parts, "minimum_should_match": 1}}}


def document_query(document_id: int) -> JsonDict:
    return {"query": {"bool": {"filter": [{"term": {"document_id": document_id}}]}}}


def _text_parts(text: str) -> tuple[list[str], str]:
    """Quoted phrases and the remaining loose words (quotes dropped)."""
    phrases = [p for p in _QUOTED.findall(text) if _WORD.search(fold(p))]
    loose = " ".join(_QUOTED.sub(" ", text).replace('"', " ").split())
    return phrases, loose if _WORD.search(fold(loose)) else ""


def _text_query(phrases: Sequence[str], loose: str) -> JsonDict | None:
    """Every loose word and every phrase must match the folded text (in any order, or
    adjacent for a phrase); matching the original diacritics as well scores ×2 more."""
    must: list[JsonDict] = []
    should: list[JsonDict] = []
    for phrase in phrases:
        must.append({"match_phrase": {"folded": {"query": fold(nfc(phrase))}}})
        should.append({"match_phrase": {"text": {"query": nfc(phrase), "boost": EXACT_BOOST}}})
    if loose:
        must.append({"match": {"folded": {"query": fold(nfc(loose)), "operator": "and"}}})
        should.append({"match": {"text": {"query": nfc(loose), "boost": EXACT_BOOST}}})
    if not must:
        return None
    return {"bool": {"must": must, "should": should}}


def _highlight(phrases: Sequence[str], loose: str) -> JsonDict:
    wanted: list[JsonDict] = [
        {"match_phrase": {"text.folded": {"query": fold(nfc(p))}}} for p in phrases
    ]
    if loose:
        wanted.append({"match": {"text.folded": {"query": fold(nfc(loose))}}})
    return {
        "pre_tags": [_PRE],
        "post_tags": [_POST],
        "fields": {
            "text.folded": {
                "type": "unified",
                "highlight_query": {"bool": {"should": wanted}},
                "number_of_fragments": 1,
                "fragment_size": SNIPPET_CHARS,
                "no_match_size": SNIPPET_CHARS,
            }
        },
    }


def _filters(query: SearchQuery) -> list[JsonDict]:
    filters: list[JsonDict] = []
    for field, value in (
        ("doc_type", query.doc_type),
        ("cccd", query.cccd),
        ("procedures", query.procedure),
    ):
        if value:
            filters.append({"term": {field: value}})
    if query.batch_id is not None:
        filters.append({"term": {"batch_id": query.batch_id}})
    if query.date_from is not None or query.date_to is not None:
        bounds: JsonDict = {}
        if query.date_from is not None:
            bounds["gte"] = instant(query.date_from)
        if query.date_to is not None:
            bounds["lte"] = instant(query.date_to)
        filters.append({"range": {"created": bounds}})
    return filters


def search_body(query: SearchQuery) -> JsonDict | None:
    """The search request, or None when there is nothing to look for (no words and no
    field filter), which finds nothing (as with the other adapters)."""
    query = split_field_queries(query)
    phrases, loose = _text_parts(query.text)
    text_query = _text_query(phrases, loose)
    if text_query is None and not has_filter(query):
        return None
    start = min(max(query.offset, 0), MAX_RESULT_WINDOW)
    body: JsonDict = {
        "query": {
            "bool": {
                "must": [text_query or {"match_all": {}}],
                "filter": _filters(query),
            }
        },
        "from": start,
        "size": max(0, min(query.limit, MAX_RESULT_WINDOW - start)),
        "track_total_hits": True,
        "track_scores": True,
        "sort": [{"_score": {"order": "desc"}}, {"document_id": "asc"}, {"page": "asc"}],
        "_source": ["document_id", "page", "batch_id", "source", "doc_type", "text"],
        "aggs": {
            "types": {"terms": {"field": "doc_type", "size": TYPE_FACETS}},
            "procedures": {"terms": {"field": "procedures", "size": PROCEDURE_FACETS}},
        },
    }
    if text_query is not None:
        body["highlight"] = _highlight(phrases, loose)
    return body


def snippet_html(fragment: str) -> str:
    """Escape everything, then turn the highlight marks into <b>…</b>."""
    return html.escape(fragment).replace(_PRE, "<b>").replace(_POST, "</b>")


def read_result(response: Mapping[str, Any]) -> SearchResult:
    hits = []
    for h in response["hits"]["hits"]:
        src = h["_source"]
        fragments = (h.get("highlight") or {}).get("text.folded") or []
        fragment = fragments[0] if fragments else str(src.get("text", ""))[:SNIPPET_CHARS]
        score = h.get("_score")
        if score is None and h.get("sort"):
            score = h["sort"][0]
        hits.append(
            Hit(
                document_id=int(src["document_id"]),
                page=int(src["page"]),
                batch_id=int(src["batch_id"]),
                source=str(src["source"]),
                score=float(score or 0.0),
                snippet_html=snippet_html(fragment),
                doc_type=src.get("doc_type") or None,
            )
        )
    total = response["hits"]["total"]
    aggs = response.get("aggregations") or {}
    return SearchResult(
        total=int(total["value"] if isinstance(total, Mapping) else total),
        hits=hits,
        facets=_buckets(aggs.get("types")),
        procedure_facets=_buckets(aggs.get("procedures")),
    )


def _buckets(aggregation: Mapping[str, Any] | None) -> dict[str, int]:
    if not aggregation:
        return {}
    return {str(b["key"]): int(b["doc_count"]) for b in aggregation["buckets"] if b["key"]}
