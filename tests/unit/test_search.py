"""The search index port over every adapter (tantivy, the default; memory, the fake;
OpenSearch through opensearch-py against osmem-server), then what the real engines do
(tantivy, OpenSearch) and the fake does not: diacritic-aware ranking, phrases, snippets;
then tantivy's own: several writer processes on one directory, reopening."""

from __future__ import annotations

import multiprocessing
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from search import open_index
from search.elastic_index import ElasticIndex
from search.memory import MemoryIndex
from search.port import PageEntry, SearchIndex, SearchQuery
from search.tantivy_index import TantivyIndex
from tests.search_server import ENGINES, opensearch_url, osmem  # noqa: F401  (fixture)

DAY = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def page(
    doc: int,
    number: int,
    text: str,
    *,
    batch: int = 1,
    created: datetime = DAY,
    source: str = "",
) -> PageEntry:
    return PageEntry(doc, number, batch, source or f"ho-so-{doc}.pdf", text, created)


def found(index: SearchIndex, text: str, **kw: object) -> list[tuple[int, int]]:
    result = index.search(SearchQuery(text, **kw))  # type: ignore[arg-type]
    return sorted((h.document_id, h.page) for h in result.hits)


def make_index(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if kind == "tantivy":
        yield TantivyIndex(tmp_path / "ix")
    elif kind == "memory":
        yield MemoryIndex()
    else:
        for url in opensearch_url(request.getfixturevalue("osmem"), "hoso-test"):
            yield open_index(url)


@pytest.fixture(params=ENGINES)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    yield from make_index(request.param, request, tmp_path)


# --- shared behaviour --------------------------------------------------------------------


def test_folded_query_finds_diacritic_text(index: SearchIndex) -> None:
    index.add_pages(
        [
            page(1, 1, "Ông Nguyễn Văn An sinh năm 1980 tại xã Tân Phú"),
            page(2, 1, "Giấy chứng nhận quyền sử dụng đất đai số 123"),
            page(3, 1, "Hồ sơ không liên quan"),
        ]
    )
    assert found(index, "nguyen van an") == [(1, 1)]
    assert found(index, "dat dai") == [(2, 1)]
    assert found(index, "DAT DAI") == [(2, 1)]


def test_diacritic_query_finds_the_same_pages(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "Ông Nguyễn Văn An"), page(2, 1, "đất đai")])
    assert found(index, "Nguyễn Văn An") == [(1, 1)]
    assert found(index, "ĐẤT ĐAI") == [(2, 1)]
    assert found(index, "Hướng") == []


def test_nfd_text_and_query_match_nfc(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, unicodedata.normalize("NFD", "Phường Bến Nghé")), page(2, 1, "x")])
    assert found(index, "phuong ben nghe") == [(1, 1)]
    assert found(index, "Phường Bến Nghé") == [(1, 1)]
    assert found(index, unicodedata.normalize("NFD", "Phường")) == [(1, 1)]


def test_all_words_must_match(index: SearchIndex) -> None:
    index.add_pages(
        [
            page(1, 1, "hợp đồng chuyển nhượng đất"),
            page(2, 1, "hợp đồng thuê nhà"),
            page(3, 1, "chuyển nhượng cổ phần"),
        ]
    )
    assert found(index, "hop dong") == [(1, 1), (2, 1)]
    assert found(index, "hop dong chuyen nhuong") == [(1, 1)]
    assert found(index, "hop dong xe") == []


def test_words_may_come_in_any_order(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "Ông Nguyễn Văn An")])
    assert found(index, "an nguyen") == [(1, 1)]


def test_words_next_to_punctuation_match(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "Ông Nguyễn Văn An, sinh năm 1980. Thửa đất đai.")])
    assert found(index, "nguyen van an") == [(1, 1)]
    assert found(index, "dat dai") == [(1, 1)]


def test_batch_filter(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "đất đai", batch=7)])
    index.add_pages([page(2, 1, "đất đai", batch=8)])
    assert found(index, "dat dai") == [(1, 1), (2, 1)]
    assert found(index, "dat dai", batch_id=7) == [(1, 1)]
    assert found(index, "dat dai", batch_id=8) == [(2, 1)]
    assert found(index, "dat dai", batch_id=9) == []


def test_date_filter(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "đất đai", created=datetime(2024, 3, 10, 8, 0, tzinfo=UTC))])
    index.add_pages([page(2, 1, "đất đai", created=datetime(2024, 3, 12, 8, 0, tzinfo=UTC))])
    index.add_pages([page(3, 1, "đất đai", created=datetime(2024, 3, 14, 8, 0, tzinfo=UTC))])
    d = datetime
    assert found(index, "dat dai", date_from=d(2024, 3, 11, tzinfo=UTC)) == [(2, 1), (3, 1)]
    assert found(index, "dat dai", date_to=d(2024, 3, 13, tzinfo=UTC)) == [(1, 1), (2, 1)]
    window = {"date_from": d(2024, 3, 11, tzinfo=UTC), "date_to": d(2024, 3, 13, tzinfo=UTC)}
    assert found(index, "dat dai", **window) == [(2, 1)]
    assert found(index, "dat dai", date_from=d(2024, 3, 15, tzinfo=UTC)) == []


def test_date_bounds_are_inclusive(index: SearchIndex) -> None:
    at = datetime(2024, 3, 12, 8, 0, 0, tzinfo=UTC)
    index.add_pages([page(1, 1, "đất đai", created=at)])
    assert found(index, "dat dai", date_from=at, date_to=at) == [(1, 1)]
    assert found(index, "dat dai", date_from=at + timedelta(seconds=1)) == []
    assert found(index, "dat dai", date_to=at - timedelta(seconds=1)) == []


def test_date_filter_compares_instants_across_time_zones(index: SearchIndex) -> None:
    # 2024-03-12 08:00 UTC is 15:00 in Hà Nội (UTC+7); naive datetimes count as UTC.
    index.add_pages([page(1, 1, "đất đai", created=datetime(2024, 3, 12, 8, 0))])
    hanoi = timezone(timedelta(hours=7))
    assert found(index, "dat dai", date_from=datetime(2024, 3, 12, 14, 59, tzinfo=hanoi)) == [
        (1, 1)
    ]
    assert found(index, "dat dai", date_from=datetime(2024, 3, 12, 15, 1, tzinfo=hanoi)) == []
    assert found(index, "dat dai", date_to=datetime(2024, 3, 12, 8, 1)) == [(1, 1)]


def test_reindexing_a_document_replaces_its_pages(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "bản cũ trang một"), page(1, 2, "bản cũ trang hai")])
    index.add_pages([page(2, 1, "bản cũ của hồ sơ khác")])
    assert found(index, "ban cu") == [(1, 1), (1, 2), (2, 1)]
    index.add_pages([page(1, 1, "bản mới trang một")])
    assert found(index, "ban cu") == [(2, 1)]
    assert found(index, "ban moi") == [(1, 1)]
    assert found(index, "trang") == [(1, 1)]  # the old page 2 is gone too


def test_delete_document(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "đất đai"), page(1, 2, "đất đai")])
    index.add_pages([page(2, 1, "đất đai")])
    index.delete_document(1)
    assert found(index, "dat dai") == [(2, 1)]
    index.delete_document(1)  # deleting again is harmless
    index.delete_document(99)
    assert found(index, "dat dai") == [(2, 1)]


def test_add_nothing_is_a_no_op(index: SearchIndex) -> None:
    index.add_pages([page(1, 1, "đất đai")])
    index.add_pages([])
    assert found(index, "dat dai") == [(1, 1)]


def test_total_counts_every_match_while_limit_and_offset_page_through(index: SearchIndex) -> None:
    index.add_pages([page(d, 1, f"quyết định số {d}") for d in range(1, 26)])
    index.add_pages([page(100, 1, "không khớp")])
    first = index.search(SearchQuery("quyet dinh", limit=10))
    assert first.total == 25
    assert len(first.hits) == 10
    seen = [h.document_id for h in first.hits]
    for offset in (10, 20):
        more = index.search(SearchQuery("quyet dinh", limit=10, offset=offset))
        assert more.total == 25
        seen += [h.document_id for h in more.hits]
    assert sorted(seen) == list(range(1, 26))
    past = index.search(SearchQuery("quyet dinh", limit=10, offset=30))
    assert (past.total, list(past.hits)) == (25, [])


def test_hits_carry_the_page_metadata(index: SearchIndex) -> None:
    index.add_pages([page(4, 3, "Sổ hộ khẩu", batch=12, source="scan 01.pdf")])
    (hit,) = index.search(SearchQuery("so ho khau")).hits
    assert (hit.document_id, hit.page, hit.batch_id, hit.source) == (4, 3, 12, "scan 01.pdf")
    assert hit.score > 0


@pytest.mark.parametrize("text", ["", "   ", '""', '" "'])
def test_empty_query_finds_nothing(index: SearchIndex, text: str) -> None:
    index.add_pages([page(1, 1, "đất đai")])
    result = index.search(SearchQuery(text))
    assert result.total == 0
    assert list(result.hits) == []


def test_open_index_urls(tmp_path: Path) -> None:
    assert isinstance(open_index("memory://"), MemoryIndex)
    ix = open_index((tmp_path / "chỉ mục").as_uri().replace("file:", "tantivy:"))
    assert isinstance(ix, TantivyIndex)
    assert (tmp_path / "chỉ mục").is_dir()
    # a server URL connects to nothing until used (port 9 is discard: nothing listens)
    for url in ("opensearch://127.0.0.1:9", "elasticsearch://127.0.0.1:9/ho-so"):
        assert isinstance(open_index(url), ElasticIndex)
    with pytest.raises(ValueError, match="HOSO_SEARCH_URL"):
        open_index("http://127.0.0.1:9200")


# --- the real engines (not the fake) -----------------------------------------------------


@pytest.fixture(params=[e for e in ENGINES if e != "memory"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    yield from make_index(request.param, request, tmp_path)


def test_exact_diacritics_rank_first(engine: SearchIndex) -> None:
    engine.add_pages([page(1, 1, "Bộ Tài nguyên và Môi trường"), page(2, 1, "ông Nguyễn Văn A")])
    hits = engine.search(SearchQuery("Nguyễn")).hits
    assert [h.document_id for h in hits] == [2, 1]
    assert hits[0].score > hits[1].score
    hits = engine.search(SearchQuery("nguyên")).hits
    assert [h.document_id for h in hits] == [1, 2]
    assert hits[0].score > hits[1].score


def test_exact_diacritics_rank_first_regardless_of_insertion_order(engine: SearchIndex) -> None:
    engine.add_pages([page(2, 1, "ông Nguyễn Văn A")])
    engine.add_pages([page(1, 1, "Bộ Tài nguyên và Môi trường")])
    assert [h.document_id for h in engine.search(SearchQuery("Nguyễn")).hits] == [2, 1]
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert [h.document_id for h in engine.search(SearchQuery(nfd)).hits] == [2, 1]


def test_phrase_query_requires_adjacency(engine: SearchIndex) -> None:
    engine.add_pages(
        [
            page(1, 1, "Ông Nguyễn Văn An"),
            page(2, 1, "An đã ký văn bản"),  # both words, not adjacent, wrong order
            page(3, 1, "văn phòng An Giang"),  # both words, not adjacent
        ]
    )
    assert found(engine, "van an") == [(1, 1), (2, 1), (3, 1)]
    assert found(engine, '"van an"') == [(1, 1)]
    assert found(engine, '"Văn An"') == [(1, 1)]
    assert found(engine, '"an van"') == []
    assert found(engine, '"van an" nguyen') == [(1, 1)]
    assert found(engine, '"van an" giang') == []


def test_snippet_shows_diacritics_and_bolds_matches(engine: SearchIndex) -> None:
    engine.add_pages([page(1, 1, "Ông Nguyễn Văn An có quyền sử dụng đất đai tại thửa số 5")])
    (hit,) = engine.search(SearchQuery("nguyen dat")).hits
    assert "<b>Nguyễn</b>" in hit.snippet_html
    assert "<b>đất</b>" in hit.snippet_html
    assert "Văn An" in hit.snippet_html  # not matched: not bold, diacritics kept


def test_snippet_escapes_html_from_the_page(engine: SearchIndex) -> None:
    engine.add_pages([page(1, 1, 'Biên bản <script>alert("x")</script> & <i>đất đai</i>')])
    (hit,) = engine.search(SearchQuery("bien ban")).hits
    assert "&lt;script" in hit.snippet_html
    assert "<script" not in hit.snippet_html
    assert "<i>" not in hit.snippet_html
    assert "&amp;" in hit.snippet_html
    assert "<b>Biên</b>" in hit.snippet_html


# --- tantivy only ------------------------------------------------------------------------


def test_reopening_the_directory_keeps_folding(tmp_path: Path) -> None:
    TantivyIndex(tmp_path / "ix").add_pages([page(1, 1, "Ông Nguyễn Văn An, đất đai")])
    again = TantivyIndex(tmp_path / "ix")
    assert found(again, "nguyen van an") == [(1, 1)]
    assert found(again, "dat dai") == [(1, 1)]
    again.add_pages([page(2, 1, "Hướng dẫn")])
    third = TantivyIndex(tmp_path / "ix")
    assert found(third, "huong dan") == [(2, 1)]
    assert found(third, "dat") == [(1, 1)]


def test_a_reader_sees_writes_made_through_another_instance(tmp_path: Path) -> None:
    reader = TantivyIndex(tmp_path / "ix")
    assert found(reader, "dat") == []
    TantivyIndex(tmp_path / "ix").add_pages([page(1, 1, "đất đai")])
    assert found(reader, "dat") == [(1, 1)]


DOCS_PER_WRITER = 6


def _write_from_another_process(path: str, first_doc: int, barrier: object) -> None:
    index = TantivyIndex(Path(path))
    barrier.wait()  # type: ignore[attr-defined]
    for doc in range(first_doc, first_doc + DOCS_PER_WRITER):  # one commit per document
        index.add_pages([page(doc, 1, f"Ông Nguyễn Văn An hồ sơ {doc}", batch=first_doc)])


def test_two_processes_write_at_once_and_both_land(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    reader = TantivyIndex(path)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [
        ctx.Process(target=_write_from_another_process, args=(str(path), first, barrier))
        for first in (1, 101)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    expected = list(range(1, 1 + DOCS_PER_WRITER)) + list(range(101, 101 + DOCS_PER_WRITER))
    result = reader.search(SearchQuery("nguyen van an", limit=100))
    assert result.total == len(expected)
    assert sorted(h.document_id for h in result.hits) == expected
    assert found(reader, "ho so", batch_id=101) == [(d, 1) for d in range(101, 107)]
