"""Field filters and facets: document type, ID number and procedure, in the query or as
filters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from search import PageEntry, SearchIndex, SearchQuery
from tests.search_server import ENGINES, osmem  # noqa: F401  (fixture)
from tests.unit.test_search import make_index

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=ENGINES)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    indexes = make_index(request.param, request, tmp_path)
    ix = next(indexes)
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
                ("1.001193", "2.000815"),  # reused in a second dossier
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
                ("1.001193",),
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
    yield ix
    indexes.close()  # an OpenSearch clone is dropped


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


def test_procedure_filter_and_field_query(index: SearchIndex) -> None:
    assert ids(index, SearchQuery("nguyen van an", procedure="1.001193")) == [1, 2]
    assert ids(index, SearchQuery("", procedure="2.000815")) == [1]
    assert ids(index, SearchQuery("thu_tuc:1.001193")) == [1, 2]
    assert ids(index, SearchQuery("quyet dinh procedure:1.001193")) == [2]
    assert ids(index, SearchQuery("thu_tuc:1.001193 loai:can_cuoc")) == [1]
    assert ids(index, SearchQuery("THU_TUC:2.000815 cccd:001203004567")) == [1]
    assert ids(index, SearchQuery("uy quyen", procedure="1.001193")) == []
    assert ids(index, SearchQuery("thu_tuc:9.999999")) == []


def test_procedure_facets_count_pages_once_per_procedure(index: SearchIndex) -> None:
    result = index.search(SearchQuery("nguyen van an"))
    assert result.procedure_facets == {"1.001193": 2, "2.000815": 1}
    assert result.facets == {"can_cuoc": 1, "quyet_dinh": 1, "giay_uy_quyen": 1}
    narrowed = index.search(SearchQuery("nguyen", procedure="2.000815"))
    assert narrowed.procedure_facets == {"1.001193": 1, "2.000815": 1}
    assert narrowed.facets == {"can_cuoc": 1}


def test_reindexing_with_new_procedures_moves_the_document(index: SearchIndex) -> None:
    """A document attached to another dossier is indexed again with its procedures."""
    entry = PageEntry(3, 1, 1, "uq.pdf", "Giấy ủy quyền của Nguyễn Văn An", NOW, "giay_uy_quyen")
    index.add_pages([replace(entry, procedures=("2.000815", "2.000815"))])
    assert ids(index, SearchQuery("", procedure="2.000815")) == [1, 3]
    assert index.search(SearchQuery("uy quyen")).procedure_facets == {"2.000815": 1}
    index.add_pages([entry])
    assert ids(index, SearchQuery("", procedure="2.000815")) == [1]
