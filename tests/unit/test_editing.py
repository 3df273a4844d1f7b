"""A clerk re-cuts documents: split, merge, reorder, turn a page (over the HTTP API)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_api import Api
from tests.unit.test_pipeline import pdf_of_pages


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(tmp_path)


def upload(api: Api, tmp: Path, texts: list[str]) -> int:
    data = pdf_of_pages(tmp, texts)
    body = api.client.post(
        "/api/batches", files={"files": ("lo.pdf", data, "application/pdf")}, headers=api.h("clerk")
    ).json()
    return int(api.client.get(body["url"], headers=api.h("clerk")).json()["documents"][0]["id"])


def text_of(api: Api, doc_id: int) -> list[str]:
    return api.client.get(f"/api/documents/{doc_id}/text", headers=api.h("clerk")).text.split("\f")


def test_split_reorder_merge(api: Api, tmp_path: Path) -> None:
    doc = upload(api, tmp_path, ["một", "hai", "ba", "bốn"])
    h = api.h("clerk")
    r = api.client.post(f"/api/documents/{doc}/split", json={"after_page": 2}, headers=h)
    assert r.status_code == 200, r.text
    new = r.json()["documents"][1]
    assert text_of(api, doc) == ["một", "hai"] and text_of(api, new) == ["ba", "bốn"]
    meta = api.client.get(f"/api/documents/{new}", headers=h).json()
    assert meta["status"] == "done" and meta["pages"] == 2 and meta["pdf_url"]
    api.client.post(f"/api/documents/{doc}/reorder", json={"order": [2, 1]}, headers=h)
    assert text_of(api, doc) == ["hai", "một"]
    r = api.client.post(f"/api/documents/{doc}/merge", json={"other_document_id": new}, headers=h)
    assert r.status_code == 200
    assert text_of(api, doc) == ["hai", "một", "ba", "bốn"]
    assert api.client.get(f"/api/documents/{new}", headers=h).status_code == 404
    found = api.client.get("/api/search", params={"q": "bon"}, headers=api.h("staff")).json()
    assert [(x["document_id"], x["page"]) for x in found["hits"]] == [(doc, 4)]


def test_bad_edits_are_refused_clearly(api: Api, tmp_path: Path) -> None:
    doc = upload(api, tmp_path, ["một", "hai"])
    h = api.h("clerk")
    r = api.client.post(f"/api/documents/{doc}/split", json={"after_page": 2}, headers=h)
    assert r.status_code == 400 and "sau trang 1 đến 1" in r.json()["error"]
    r = api.client.post(f"/api/documents/{doc}/reorder", json={"order": [1, 1]}, headers=h)
    assert r.status_code == 400
    r = api.client.post(f"/api/documents/{doc}/merge", json={"other_document_id": doc}, headers=h)
    assert r.status_code == 400
    r = api.client.post(f"/api/documents/{doc}/pages/1/rotate", json={"degrees": 45}, headers=h)
    assert r.status_code == 400
    staff = api.client.post(
        f"/api/documents/{doc}/split", json={"after_page": 1}, headers=api.h("staff")
    )
    assert staff.status_code == 403


def test_turning_a_page_recognises_it_again(api: Api, tmp_path: Path) -> None:
    doc = upload(api, tmp_path, ["một", "hai"])
    recognizer = api.container.pipeline._ocr  # type: ignore[attr-defined]
    before = len(recognizer.calls)
    r = api.client.post(
        f"/api/documents/{doc}/pages/2/rotate", json={"degrees": 90}, headers=api.h("clerk")
    )
    assert r.status_code == 200
    assert len(recognizer.calls) == before + 1
    meta = api.client.get(f"/api/documents/{doc}", headers=api.h("clerk")).json()
    assert meta["status"] == "done"
    page = meta["page_list"][1]
    image = api.client.get(page["image_url"], headers=api.h("clerk"))
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(image.content)).size == (877, 620)  # now landscape


def test_move_and_remove_pages(api: Api, tmp_path: Path) -> None:
    a = upload(api, tmp_path, ["a1", "a2"])
    b = upload(api, tmp_path, ["b1"])
    h = api.h("clerk")
    r = api.client.post(
        f"/api/documents/{a}/pages/2/move", json={"target_document_id": b, "position": 1}, headers=h
    )
    assert r.status_code == 200, r.text
    assert text_of(api, a) == ["a1"] and text_of(api, b) == ["a2", "b1"]
    r = api.client.delete(f"/api/documents/{b}/pages/1", headers=h)
    assert r.status_code == 200
    assert text_of(api, b) == ["b1"]
    only = api.client.delete(f"/api/documents/{a}/pages/1", headers=h)
    assert only.status_code == 409 and "duy nhất" in only.json()["error"]
    r = api.client.post(
        f"/api/documents/{a}/pages/1/move", json={"target_document_id": b}, headers=h
    )
    assert r.status_code == 200
    assert text_of(api, b) == ["b1", "a1"]
    assert api.client.get(f"/api/documents/{a}", headers=h).status_code == 404
