"""Field filters and facets: document type and ID number, in the query or as filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from search import PageEntry, SearchIndex, SearchQuery
from search.memory import MemoryIndex
from search.tantivy_index import TantivyIndex

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["tantivy", "memory"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> SearchIndex:
    ix: SearchIndex = TantivyIndex(tmp_path / "ix") if request.param == "tantivy" else MemoryIndex()
    ix.add_pages(
        [
            PageEntry(
                1,
                1,
                1,
                "cc.jpg",
                "Căn cước công dân Nguyễn Văn An",
                NOW,
                "can_cuoc",
                ("001203004567",),
            ),
            PageEntry(
                2,
                1,
                1,
                "qd.pdf",
                "Quyết định cấp đất cho Nguyễn Văn An",
                NOW,
                "quyet_dinh",
                ("001203004567",),
            ),
            PageEntry(
                3,
                1,
                1,
                "uq.pdf",
                "Giấy ủy quyền của Nguyễn Văn An",
                NOW,
                "giay_uy_quyen",
                ("079301000001",),
            ),
        ]
    )
    return ix


def ids(index: SearchIndex, query: SearchQuery) -> list[int]:
    return sorted(h.document_id for h in index.search(query).hits)


def test_field_queries_in_the_text(index: SearchIndex) -> None:
    assert ids(index, SearchQuery("nguyen van an loai:can_cuoc")) == [1]
    assert ids(index, SearchQuery("cccd:001203004567")) == [1, 2]
    assert ids(index, SearchQuery("an type:quyet_dinh cccd:001203004567")) == [2]
    assert ids(index, SearchQuery("cccd:999999999999")) == []


def test_filters_and_facets(index: SearchIndex) -> None:
    result = index.search(SearchQuery("nguyen van an"))
    assert result.facets == {"can_cuoc": 1, "quyet_dinh": 1, "giay_uy_quyen": 1}
    assert ids(index, SearchQuery("nguyen", doc_type="giay_uy_quyen")) == [3]
    assert ids(index, SearchQuery("", cccd="079301000001")) == [3]
