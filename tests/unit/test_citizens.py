"""A citizen's records by ID number, and reusing a digitised document in a new dossier."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify import Prediction
from ingest.pipeline import Pipeline
from tests.unit.test_api import Api
from tests.unit.test_editing import upload

ID = "001203004567"


class IdCardClassifier:
    """Stands in for the trained model: every document is an ID card copy."""

    def predict(self, text: str, threshold: float | None = None) -> Prediction:
        return Prediction("can_cuoc", 0.99, None, False, "model")


@pytest.fixture
def api(tmp_path: Path) -> Api:
    api = Api(tmp_path)
    c = api.container
    old = c.pipeline
    c.__dict__["pipeline"] = Pipeline(
        c.uow,
        c.store,
        c.index,
        old._ocr,
        c.settings.work_dir,
        c.limits,  # type: ignore[attr-defined]
        classifier=lambda: IdCardClassifier(),
    )
    return api


def test_citizen_view_and_reuse_without_rescanning(api: Api, tmp_path: Path) -> None:
    text = f"CĂN CƯỚC CÔNG DÂN Số / No.: {ID} Họ và tên: Nguyễn Văn An Ngày sinh: 02/05/2003"
    doc = upload(api, tmp_path, [text])
    staff = api.h("staff")
    view = api.client.get(f"/api/citizens/{ID}", headers=staff).json()
    assert [d["id"] for d in view["reusable"]] == [doc]
    assert view["documents"][0]["fields"]["cccd"] == ID
    assert view["applicant"]["name"] == "Nguyễn Văn An" and view["dossiers"] == []

    recognitions = len(api.container.pipeline._ocr.calls)  # type: ignore[attr-defined]
    body = {
        "procedure_code": "1.004873",
        "applicant": view["applicant"],
        "channel": "direct",
        "reused_document_ids": [doc],
    }
    created = api.client.post("/api/dossiers", json=body, headers=api.h("clerk"))
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    detail = api.client.get(f"/api/dossiers/{code}", headers=staff).json()
    assert detail["documents"] == [{"document_id": doc, "role": "submitted", "reused": True}]
    assert "dùng lại" in detail["history"][-1]["note"]
    assert len(api.container.pipeline._ocr.calls) == recognitions  # type: ignore[attr-defined]
    check = api.client.get(f"/api/dossiers/{code}/completeness", headers=staff).json()
    assert {p["type"] for p in check["present"]} == {"can_cuoc"}
    again = api.client.get(f"/api/citizens/{ID}", headers=staff).json()
    assert [d["code"] for d in again["dossiers"]] == [code]
    assert api.client.get("/api/citizens/123", headers=staff).status_code == 400


def test_search_by_id_field(api: Api, tmp_path: Path) -> None:
    upload(api, tmp_path, [f"Số định danh cá nhân: {ID} Họ và tên: Trần Thị Bình"])
    found = api.client.get("/api/search", params={"q": f"cccd:{ID}"}, headers=api.h("staff")).json()
    assert found["total"] == 1 and found["facets"]["type"] == {"can_cuoc": 1}


def test_field_boxes_for_highlighting(api: Api, tmp_path: Path) -> None:
    doc = upload(api, tmp_path, [f"Số định danh: {ID} Họ và tên: Lê Thị Hoa"])
    fields = api.client.get(f"/api/documents/{doc}/fields", headers=api.h("staff")).json()["fields"]
    cccd = fields["cccd"]
    assert cccd["value"] == ID and cccd["page"] == 1
    assert cccd["boxes"] and all(b["width"] > 0 for b in cccd["boxes"])


def test_a_corrected_type_is_what_search_filters_on(api: Api, tmp_path: Path) -> None:
    doc = upload(api, tmp_path, [f"Số định danh: {ID} Họ và tên: Đỗ Văn Nam"])
    staff = api.h("staff")
    api.client.post(f"/api/documents/{doc}/type", json={"type": "khac"}, headers=staff)
    found = api.client.get("/api/search", params={"q": "nam"}, headers=staff).json()
    assert found["facets"]["type"] == {"khac": 1} and found["hits"][0]["type"] == "khac"
    api.client.post(
        f"/api/documents/{doc}/fields", json={"key": "cccd", "value": "079301000001"}, headers=staff
    )
    moved = api.client.get("/api/search", params={"q": "cccd:079301000001"}, headers=staff).json()
    assert moved["total"] == 1
