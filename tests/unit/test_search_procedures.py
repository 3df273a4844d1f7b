"""Search by procedure: a document is indexed with the procedure codes of the dossiers it
is attached to, at assembly (cover sheet) and again whenever it is attached later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from records.catalogue_store import seed_procedures
from search import SearchQuery
from tests.unit.test_api import Api
from tests.unit.test_editing import upload
from tests.unit.test_pipeline import World, pdf_of_pages

ID = "001203004567"
BIRTH, LAND = "1.001193", "2.000815"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    with w.uow() as uow:
        seed_procedures(uow)
        uow.commit()
    yield w
    w.engine.dispose()


def _receive(world: World, procedure: str) -> str:
    from records.calendar_store import working_calendar
    from records.dossiers import Channel
    from records.reception import Person, ReceptionRequest, receive

    at = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    request = ReceptionRequest(procedure, Person("Phan Văn Tú", ID), Channel.DIRECT, at)
    return receive(world.uow, working_calendar, "000.00.12.H56", request, None).code


def test_a_covered_document_is_indexed_with_its_dossiers_procedure(
    world: World, tmp_path: Path
) -> None:
    code = _receive(world, BIRTH)
    writes: list[int] = []
    add_pages = world.index.add_pages
    world.index.add_pages = lambda entries: (writes.append(1), add_pages(entries))[1]  # type: ignore[method-assign]
    batch, messages, _ = world.upload(
        {"lo.pdf": pdf_of_pages(tmp_path, [f"COVER:{code}", "tờ khai khai sinh"])}
    )
    world.drain(messages)
    (doc,) = (d["id"] for d in world.progress(batch)["documents"])
    found = world.index.search(SearchQuery("to khai", procedure=BIRTH))
    assert [h.document_id for h in found.hits] == [doc]
    assert found.procedure_facets == {BIRTH: 1}
    assert len(writes) == 1  # the dossier was known before indexing: one write, not two


def test_a_document_waiting_for_its_dossier_gets_the_procedure_at_reception(
    world: World, tmp_path: Path
) -> None:
    from records.workflow import attach_waiting

    later = "000.00.12.H56-260302-0001"  # printed on the cover; received after the scan
    batch, messages, _ = world.upload(
        {"lo.pdf": pdf_of_pages(tmp_path, [f"COVER:{later}", "đơn đăng ký đất đai"])}
    )
    world.drain(messages)
    (doc,) = (d["id"] for d in world.progress(batch)["documents"])
    assert world.index.search(SearchQuery("don dang ky")).procedure_facets == {}
    assert _receive(world, LAND) == later
    for doc_id in attach_waiting(world.uow, later):  # what the reception callers do
        world.pipeline.reindex_document(doc_id)
    found = world.index.search(SearchQuery("thu_tuc:2.000815"))
    assert [h.document_id for h in found.hits] == [doc]


def test_api_procedure_filter_facets_and_reindex_on_attach(tmp_path: Path) -> None:
    api = Api(tmp_path)
    staff, clerk = api.h("staff"), api.h("clerk")
    doc = upload(api, tmp_path, [f"Họ và tên: Nguyễn Văn Toàn số định danh {ID}"])
    other = upload(api, tmp_path, ["Họ và tên: Nguyễn Thị Lan"])

    def search(**params: str) -> dict:
        r = api.client.get("/api/search", params=params, headers=staff)
        assert r.status_code == 200, r.text
        return r.json()

    assert search(q="nguyen")["facets"] == {"type": {}, "procedure": {}}
    applicant = {"name": "Nguyễn Văn Toàn", "id_number": ID}
    body = {"procedure_code": BIRTH, "applicant": applicant, "document_ids": [doc]}
    created = api.client.post("/api/dossiers", json=body, headers=clerk)
    assert created.status_code == 201, created.text

    assert [h["document_id"] for h in search(q="nguyen", procedure=BIRTH)["hits"]] == [doc]
    assert search(procedure=BIRTH)["total"] == 1  # a procedure alone is a query
    assert search(q=f"nguyen thu_tuc:{BIRTH}")["total"] == 1
    assert search(q="nguyen")["facets"]["procedure"] == {BIRTH: 1}

    body = {"procedure_code": LAND, "applicant": applicant}
    land = api.client.post("/api/dossiers", json=body, headers=clerk).json()["code"]
    for doc_id in (doc, other):
        r = api.client.post(
            f"/api/dossiers/{land}/documents",
            json={"document_id": doc_id, "reused": True},
            headers=clerk,
        )
        assert r.status_code == 201, r.text
    assert search(q="nguyen")["facets"]["procedure"] == {BIRTH: 1, LAND: 2}
    hits = search(q="nguyen", procedure=LAND)["hits"]
    assert sorted(h["document_id"] for h in hits) == sorted([doc, other])
    assert search(q="lan", procedure=BIRTH)["total"] == 0
    assert api.client.get("/api/search", headers=staff).status_code == 400


def test_reindex_all_fills_an_empty_index(world: World, tmp_path: Path) -> None:
    from search.memory import MemoryIndex

    code = _receive(world, BIRTH)
    texts = [f"COVER:{code}", "tờ khai khai sinh", "SEP:can_cuoc", "căn cước"]
    _, messages, _ = world.upload({"lo.pdf": pdf_of_pages(tmp_path, texts)})
    _, more, _ = world.upload({"b.pdf": pdf_of_pages(tmp_path, ["đơn đăng ký"])})
    world.drain(messages + more)
    before = world.index.search(SearchQuery("", procedure=BIRTH))
    world.index = MemoryIndex()  # e.g. HOSO_SEARCH_URL now names another engine
    assert world.pipeline.reindex_all(chunk=2) == 3
    after = world.index.search(SearchQuery("", procedure=BIRTH))
    assert after.total == before.total == 2
    assert world.index.search(SearchQuery("don dang ky")).total == 1
    assert world.pipeline.reindex_all() == 3  # again: replaces, adds nothing
    assert len(world.index.entries) == 3


def test_an_index_with_the_old_layout_says_how_to_rebuild(tmp_path: Path) -> None:
    import tantivy

    from search.tantivy_index import TantivyIndex

    old = tantivy.SchemaBuilder()
    old.add_text_field("body", stored=True)
    (tmp_path / "ix").mkdir()
    tantivy.Index(old.build(), path=str(tmp_path / "ix"))
    with pytest.raises(ValueError, match="hoso reindex"):
        TantivyIndex(tmp_path / "ix")
