"""Clerks' corrections: audited, and the next model learns from them (and can be rolled back)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify import Prediction
from ingest.pipeline import Pipeline
from tests.conftest import MODEL_CACHE
from tests.unit.test_api import Api
from tests.unit.test_editing import upload

MEETING = "BIÊN BẢN HỌP THÔN Đông về việc làm đường bê tông liên xóm, ngày 03 tháng 3 năm 2026"


@pytest.fixture
def api(tmp_path: Path) -> Api:
    api = Api(tmp_path)
    c = api.container
    c.classifier._cache = MODEL_CACHE  # one initial model per test run
    old = c.pipeline
    c.__dict__["pipeline"] = Pipeline(
        c.uow,
        c.store,
        c.index,
        old._ocr,
        c.settings.work_dir,
        c.limits,  # type: ignore[attr-defined]
        classifier=c.classifier,
    )
    return api


class Unsure:
    """Stands in for the trained model: an ID card copy, with a given confidence."""

    def __init__(self, confidence: float = 0.99) -> None:
        self.confidence = confidence

    def predict(self, text: str, threshold: float | None = None) -> Prediction:
        review = self.confidence < (0.7 if threshold is None else threshold)
        return Prediction("can_cuoc", self.confidence, None, review, "model")


def with_classifier(api: Api, model: object) -> Api:
    c = api.container
    old = c.pipeline
    c.__dict__["pipeline"] = Pipeline(
        c.uow,
        c.store,
        c.index,
        old._ocr,
        c.settings.work_dir,
        c.limits,  # type: ignore[attr-defined]
        classifier=lambda: model,  # type: ignore[arg-type,return-value]
    )
    return api


def test_a_field_after_a_blank_back_is_on_its_own_page(tmp_path: Path) -> None:
    api = with_classifier(Api(tmp_path), Unsure())
    texts = ["Mặt trước: giấy tờ tùy thân", "BLANK", "Số định danh: 001203004567 Họ tên: Lê Hoa"]
    doc = upload(api, tmp_path, texts)
    fields = api.client.get(f"/api/documents/{doc}/fields", headers=api.h("staff")).json()["fields"]
    assert fields["cccd"]["value"] == "001203004567"
    assert fields["cccd"]["page"] == 3  # the page's number, counting the blank back
    assert fields["cccd"]["boxes"] and all(b["width"] > 0 for b in fields["cccd"]["boxes"])


def doc_type(api: Api, doc_id: int) -> str:
    return str(api.client.get(f"/api/documents/{doc_id}", headers=api.h("clerk")).json()["type"])


@pytest.mark.slow
def test_a_correction_changes_the_next_prediction(api: Api, tmp_path: Path) -> None:
    first = upload(api, tmp_path, [MEETING])
    before = doc_type(api, first)
    target = "giay_xac_nhan_cu_tru" if before != "giay_xac_nhan_cu_tru" else "quyet_dinh"
    h = api.h("clerk")
    assert (
        api.client.post(
            f"/api/documents/{first}/type", json={"type": target}, headers=h
        ).status_code
        == 200
    )
    assert doc_type(api, first) == target
    audit = api.client.get(f"/api/documents/{first}/corrections", headers=h).json()
    assert [(a["kind"], a["old"], a["new"]) for a in audit] == [("type", before, target)]

    old_version = api.client.get("/api/classifier", headers=h).json()["version"]
    assert api.client.post("/api/classifier/retrain", headers=h).status_code == 403
    new = api.client.post("/api/classifier/retrain", headers=api.h("admin")).json()
    assert new["corrections_used"] == 1 and new["version"] != old_version
    second = upload(api, tmp_path, [MEETING + ", lần 2"])
    assert doc_type(api, second) == target  # learnt from the clerk

    back = api.client.post("/api/classifier/rollback", headers=api.h("admin")).json()
    assert back["version"] == old_version
    third = upload(api, tmp_path, [MEETING + ", lần 3"])
    assert doc_type(api, third) == before


def test_field_corrections_are_kept_and_audited(api: Api, tmp_path: Path) -> None:
    doc = upload(api, tmp_path, ["Họ và tên: Nguyen Van An, số định danh 001203004567"])
    h = api.h("clerk")
    r = api.client.post(
        f"/api/documents/{doc}/fields", json={"key": "ho_ten", "value": "Nguyễn  Văn An"}, headers=h
    )
    assert r.status_code == 200
    fields = api.client.get(f"/api/documents/{doc}", headers=h).json()["fields"]
    assert fields["ho_ten"]["value"] == "Nguyễn Văn An" and fields["ho_ten"]["corrected"] is True
    audit = api.client.get(f"/api/documents/{doc}/corrections", headers=h).json()
    assert audit[-1]["key"] == "ho_ten" and audit[-1]["new"] == "Nguyễn Văn An"
    bad = api.client.post(f"/api/documents/{doc}/type", json={"type": "Căn cước"}, headers=h)
    assert bad.status_code == 400


def test_review_queue_holds_unsure_documents_until_a_clerk_corrects_them(tmp_path: Path) -> None:
    api = with_classifier(Api(tmp_path), Unsure(0.41))
    h = api.h("clerk")
    doc = upload(api, tmp_path, ["Giấy tờ mờ, khó đọc: số định danh 001203004567"])
    queue = api.client.get("/api/review", headers=h).json()
    assert [(x["id"], x["type"], x["type_confidence"]) for x in queue] == [(doc, "can_cuoc", 0.41)]
    assert api.client.get(f"/api/documents/{doc}", headers=h).json()["type"] == "can_cuoc"
    r = api.client.post(f"/api/documents/{doc}/type", json={"type": "khac"}, headers=h)
    assert r.status_code == 200 and r.json()["needs_review"] is False
    assert api.client.get("/api/review", headers=h).json() == []


def test_a_confident_document_skips_the_review_queue(tmp_path: Path) -> None:
    api = with_classifier(Api(tmp_path), Unsure(0.95))
    upload(api, tmp_path, ["CĂN CƯỚC CÔNG DÂN Số: 001203004567"])
    assert api.client.get("/api/review", headers=api.h("clerk")).json() == []


@pytest.mark.slow
def test_an_admin_added_type_is_learnt_from_a_correction(api: Api, tmp_path: Path) -> None:
    admin, clerk = api.h("admin"), api.h("clerk")
    new = {"code": "bien_ban_hop_thon", "label": "Biên bản họp thôn", "titles": ["Biên bản họp"]}
    assert api.client.post("/api/document-types", json=new, headers=clerk).status_code == 403
    r = api.client.post("/api/document-types", json=new, headers=admin)
    assert r.status_code == 201, r.text
    assert api.client.post("/api/document-types", json=new, headers=admin).status_code == 409
    listed = {t["code"]: t for t in api.client.get("/api/document-types", headers=clerk).json()}
    assert listed["bien_ban_hop_thon"]["label"] == "Biên bản họp thôn"
    assert not listed["bien_ban_hop_thon"]["builtin"] and listed["can_cuoc"]["builtin"]

    first = upload(api, tmp_path, [MEETING])
    assert doc_type(api, first) != "bien_ban_hop_thon"
    r = api.client.post(
        f"/api/documents/{first}/type", json={"type": "bien_ban_hop_thon"}, headers=clerk
    )
    assert r.status_code == 200, r.text
    unknown = api.client.post(
        f"/api/documents/{first}/type", json={"type": "bien_ban"}, headers=clerk
    )
    assert unknown.status_code == 400  # a code nobody defined would never be learnt
    trained = api.client.post("/api/classifier/retrain", headers=admin).json()
    assert trained["corrections_used"] == 1
    second = upload(api, tmp_path, [MEETING.replace("Đông", "Tây") + ", lần 2"])
    assert doc_type(api, second) == "bien_ban_hop_thon"
