"""The Elasticsearch/OpenSearch request bodies and URL forms, without a server (the
behaviour on a server: tests/unit/test_search*.py and tests/integration/test_search_*)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from search import elastic_body as body
from search.elastic_index import DEFAULT_INDEX, parse_url
from search.port import PageEntry, SearchQuery


@pytest.mark.parametrize(
    ("url", "engine", "base", "index", "auth"),
    [
        ("opensearch://os:9200", "opensearch", "http://os:9200", DEFAULT_INDEX, None),
        ("http+opensearch://os/ho-so", "opensearch", "http://os:9200", "ho-so", None),
        (
            "https+opensearch://u:p%40ss@os:443/x",
            "opensearch",
            "https://os:443",
            "x",
            ("u", "p@ss"),
        ),
        ("elasticsearch://es:9200/ho-so", "elasticsearch", "http://es:9200", "ho-so", None),
        ("https+elasticsearch://es:9243", "elasticsearch", "https://es:9243", DEFAULT_INDEX, None),
    ],
)
def test_url_forms(
    url: str, engine: str, base: str, index: str, auth: tuple[str, str] | None
) -> None:
    got_engine, address = parse_url(url)
    assert (got_engine, address.url, address.index, address.auth) == (engine, base, index, auth)


@pytest.mark.parametrize("url", ["opensearch:///x", "opensearch://os/Ho-So", "ftp://os/x"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ValueError):
        parse_url(url)


def test_folded_and_exact_views_of_the_page() -> None:
    entry = PageEntry(
        4, 3, 12, "a.pdf", "Ông Nguyễn\ue000 Văn An, đất", datetime(2026, 3, 2, 9, 0, 0, 123456)
    )
    src = body.page_source(entry, 7)
    assert src["text"] == "Ông Nguyễn  Văn An, đất"  # highlight marks cannot come from a page
    assert src["folded"] == "ong nguyen  van an, dat"
    assert src["created"] == "2026-03-02T09:00:00.123+00:00"  # naive is UTC; milliseconds
    mapping = body.index_body()["mappings"]
    assert mapping["_source"] == {"excludes": ["folded"]}
    assert set(mapping["properties"]) >= {"text", "folded", "procedures", "cccd", "generation"}


def test_empty_queries_send_nothing() -> None:
    for text in ("", "   ", '""', '" "', "!!"):
        assert body.search_body(SearchQuery(text)) is None
    only_filter = body.search_body(SearchQuery("thu_tuc:1.001193"))
    assert only_filter is not None
    assert only_filter["query"]["bool"]["must"] == [{"match_all": {}}]
    assert {"term": {"procedures": "1.001193"}} in only_filter["query"]["bool"]["filter"]
    assert "highlight" not in only_filter


def test_words_phrases_boost_and_filters() -> None:
    hanoi = timezone(timedelta(hours=7))
    q = SearchQuery(
        '"Văn An" Nguyễn loai:can_cuoc',
        batch_id=3,
        cccd="001203004567",
        date_from=datetime(2026, 3, 2, 15, 0, tzinfo=hanoi),
    )
    request = body.search_body(q)
    assert request is not None
    text = request["query"]["bool"]["must"][0]["bool"]
    assert {"match_phrase": {"folded": {"query": "van an"}}} in text["must"]
    assert {"match": {"folded": {"query": "nguyen", "operator": "and"}}} in text["must"]
    assert {"match_phrase": {"text": {"query": "Văn An", "boost": 2.0}}} in text["should"]
    assert {"match": {"text": {"query": "Nguyễn", "boost": 2.0}}} in text["should"]
    highlight = request["highlight"]["fields"]["text.folded"]["highlight_query"]["bool"]
    assert {"match": {"text.folded": {"query": "nguyen"}}} in highlight["should"]
    filters = request["query"]["bool"]["filter"]
    assert {"term": {"doc_type": "can_cuoc"}} in filters
    assert {"term": {"batch_id": 3}} in filters
    assert {"term": {"cccd": "001203004567"}} in filters
    assert {"range": {"created": {"gte": "2026-03-02T08:00:00.000+00:00"}}} in filters


def test_paging_stays_inside_the_result_window() -> None:
    far = body.search_body(SearchQuery("dat", limit=20, offset=50_000))
    assert far is not None and (far["from"], far["size"]) == (body.MAX_RESULT_WINDOW, 0)
    edge = body.search_body(SearchQuery("dat", limit=20, offset=9_990))
    assert edge is not None and (edge["from"], edge["size"]) == (9_990, 10)


def test_snippets_are_escaped_and_marked() -> None:
    html = body.snippet_html('a \ue000<b>\ue001 & "x"')
    assert html == "a <b>&lt;b&gt;</b> &amp; &quot;x&quot;"


def test_bulk_failures_ignore_version_conflicts() -> None:
    answer = {
        "errors": True,
        "items": [
            {"index": {"_id": "1-1", "status": 409, "error": {"type": "version_conflict"}}},
            {"index": {"_id": "1-2", "status": 400, "error": {"type": "x", "reason": "bad"}}},
            {"index": {"_id": "1-3", "status": 201}},
        ],
    }
    assert body.bulk_failures(answer) == ["1-2: x: bad"]
    assert body.bulk_failures({"errors": False, "items": []}) == []


def test_replacing_pages_keeps_newer_generations() -> None:
    q = body.older_pages_query([1, 2, 2], 50, superseded=[2])
    parts = q["query"]["bool"]["should"]
    assert parts[0]["bool"]["filter"] == [
        {"terms": {"document_id": [1]}},
        {"range": {"generation": {"lt": 50}}},
    ]
    assert parts[1]["bool"]["filter"] == [
        {"terms": {"document_id": [2]}},
        {"range": {"generation": {"lte": 50}}},
    ]
    answer = {"aggregations": {"documents": {"buckets": [{"key": 2, "doc_count": 1}]}}}
    assert body.superseded(answer) == {2}
    assert body.instant(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000+00:00"
