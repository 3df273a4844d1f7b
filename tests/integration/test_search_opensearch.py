"""The OpenSearch adapter against a real HTTP server (osmem-server on 127.0.0.1), beyond the
port contract that tests/unit/test_search*.py run on every adapter: several writer
processes, concurrent re-indexing of one document, lazy connection and index creation,
and rebuilding the index from the database (``hoso reindex`` after switching engines)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from search import open_index
from search.elastic_index import ElasticIndex
from search.port import PageEntry, SearchQuery, SearchUnavailable
from tests.search_server import opensearch_url, osmem  # noqa: F401  (fixture)

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def page(doc: int, number: int, text: str, batch: int = 1) -> PageEntry:
    return PageEntry(doc, number, batch, f"ho-so-{doc}.pdf", text, DAY)


@pytest.fixture
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from opensearch_url(request.getfixturevalue("osmem"), "hoso-pages")


def _write_documents(url: str, first: int, barrier: Any) -> None:
    index = open_index(url)
    barrier.wait()
    for doc in range(first, first + 6):  # one request per document
        index.add_pages([page(doc, 1, f"Ông Nguyễn Văn An hồ sơ {doc}", batch=first)])


def test_two_processes_write_at_once_and_both_land(url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_write_documents, args=(url, f, barrier)) for f in (1, 101)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    result = open_index(url).search(SearchQuery("nguyen van an", limit=100))
    assert sorted(h.document_id for h in result.hits) == [*range(1, 7), *range(101, 107)]
    assert result.total == 12


def _reindex_one_document(url: str, pages: int, rounds: int, barrier: Any) -> None:
    index = open_index(url)
    barrier.wait()
    for r in range(rounds):
        index.add_pages([page(7, n, f"bản {pages}-trang lần {r}") for n in range(1, pages + 1)])


def test_concurrent_reindexing_of_one_document_leaves_one_version(url: str) -> None:
    """Two workers re-index document 7 over and over, one as 3 pages, one as 2: at the end
    its pages all come from one write, never a mix (no page 3 left beside a 2-page one).
    The emulator makes writes visible at once, so the worst interleaving is rare here; the
    next test plays it in a fixed order."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_reindex_one_document, args=(url, pages, 15, barrier))
        for pages in (3, 2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    hits = open_index(url).search(SearchQuery("ban", limit=10)).hits
    numbers = sorted(h.page for h in hits)
    assert numbers in ([1, 2], [1, 2, 3])
    versions = {h.snippet_html.replace("<b>", "").replace("</b>", "") for h in hits}
    assert len(versions) == 1, versions  # the same write's text on every page
    assert versions.pop().startswith(f"bản {len(numbers)}-trang")


def test_an_older_write_arriving_late_does_not_leave_pages_behind(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the concurrent test above can only hit by chance, in a fixed order: a re-index
    that started earlier (generation 1000, 3 pages) writes after a later one (generation
    2000, 2 pages) has finished. Its pages 1-2 lose to the newer ones (external versions);
    its page 3 must not stay beside them."""
    from search import elastic_index

    index = open_index(url)
    monkeypatch.setattr(elastic_index._generations, "next", lambda: 2000)
    index.add_pages([page(7, n, f"bản mới trang {n}") for n in (1, 2)])
    monkeypatch.setattr(elastic_index._generations, "next", lambda: 1000)
    index.add_pages([page(7, n, f"bản cũ trang {n}") for n in (1, 2, 3)])
    hits = index.search(SearchQuery("trang", limit=10)).hits
    assert sorted((h.page, "mới" in h.snippet_html) for h in hits) == [(1, True), (2, True)]
    monkeypatch.undo()
    index.add_pages([page(7, 1, "bản sau cùng")])  # a real clock: newer than both
    assert [h.page for h in index.search(SearchQuery("ban", limit=10)).hits] == [1]


def test_nothing_connects_until_used_and_then_errors_are_loud() -> None:
    index = open_index("opensearch://127.0.0.1:9/hoso-pages")  # discard port: nothing there
    assert isinstance(index, ElasticIndex)
    assert index.search(SearchQuery("")).total == 0  # nothing to look for: no request
    with pytest.raises(SearchUnavailable, match=r"127\.0\.0\.1:9/hoso-pages\) không trả lời"):
        index.search(SearchQuery("dat dai"))


def test_two_instances_create_the_index_once(url: str) -> None:
    a, b = open_index(url), open_index(url)
    a.add_pages([page(1, 1, "đất đai")])
    b.add_pages([page(2, 1, "đất đai")])  # the index exists already: no error
    assert a.search(SearchQuery("dat dai")).total == 2


def test_reindex_all_fills_a_new_opensearch_index(url: str, tmp_path: Path) -> None:
    """The documents of a tantivy-era database, indexed again into OpenSearch."""
    from tests.unit.test_pipeline import World, pdf_of_pages

    world = World(tmp_path)
    try:
        _, messages, _ = world.upload({"a.pdf": pdf_of_pages(tmp_path, ["Nguyễn Thị Lan"])})
        world.drain(messages)
        server = open_index(url)
        world.index = server  # type: ignore[assignment]
        assert world.pipeline.reindex_all() == 1
        (hit,) = server.search(SearchQuery("nguyen thi lan")).hits
        assert "<b>Nguyễn</b>" in hit.snippet_html
    finally:
        world.engine.dispose()
