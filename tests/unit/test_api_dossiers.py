"""Dossier API: reception with receipt, workflow, forms, reports, public lookup."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from tests.unit.test_api import Api

APPLICANT = {"name": "Trần Thị Bình", "id_number": "001303004567", "address": "xã Hòa Bình"}


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(tmp_path)


def receive(api: Api, procedure: str = "1.001193", at: str = "2026-03-02T09:00:00+07:00") -> dict:
    r = api.client.post(
        "/api/dossiers",
        json={
            "procedure_code": procedure,
            "applicant": APPLICANT,
            "channel": "direct",
            "received_at": at,
        },
        headers=api.h("clerk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_reception_prints_a_receipt(api: Api) -> None:
    d = receive(api)
    assert d["code"].endswith("-260302-0001") and d["status"] == "received"
    assert d["appointment"].startswith("2026-03-02")
    pdf = api.client.get(d["receipt_url"], headers=api.h("clerk"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = api.client.get(d["receipt_url"], headers=api.h("staff"))
    assert again.content == pdf.content  # kept, so a reprint is the same slip


def test_reception_input_errors_are_clear(api: Api) -> None:
    bad = {
        "procedure_code": "1.001193",
        "applicant": {**APPLICANT, "id_number": "123"},
        "channel": "direct",
    }
    r = api.client.post("/api/dossiers", json=bad, headers=api.h("clerk"))
    assert r.status_code == 400 and "12 chữ số" in r.json()["error"]
    bad_channel = {**bad, "applicant": APPLICANT, "channel": "fax"}
    r = api.client.post("/api/dossiers", json=bad_channel, headers=api.h("clerk"))
    assert r.status_code == 400 and "Kênh" in r.json()["error"]
    assert (
        api.client.post("/api/dossiers", json=bad_channel, headers=api.h("staff")).status_code
        == 403
    )


def test_workflow_forms_and_history(api: Api) -> None:
    d = receive(api, "1.012760")
    code = d["code"]
    h = api.h("staff")
    assert (
        api.client.post(
            f"/api/dossiers/{code}/status", json={"status": "processing"}, headers=h
        ).status_code
        == 200
    )
    r = api.client.post(
        f"/api/dossiers/{code}/status",
        json={
            "status": "supplement_requested",
            "note": "Trích lục bản đồ địa chính\nBản sao giấy tờ nguồn gốc đất",
        },
        headers=h,
    )
    assert r.json()["status_vi"] == "Yêu cầu bổ sung hồ sơ"
    form02 = api.client.get(f"/api/dossiers/{code}/forms/supplement.pdf", headers=h)
    assert form02.status_code == 200 and form02.content.startswith(b"%PDF")
    wrong = api.client.post(f"/api/dossiers/{code}/status", json={"status": "returned"}, headers=h)
    assert wrong.status_code == 409 and "không thể chuyển" in wrong.json()["error"]
    ext = api.client.post(
        f"/api/dossiers/{code}/extend",
        json={"new_appointment": "2026-04-10T09:00:00+07:00", "reason": "Chờ xác minh"},
        headers=h,
    )
    assert ext.status_code == 200 and ext.json()["previous_appointment"].startswith("2026-03-30")
    assert api.client.get(ext.json()["apology_url"], headers=h).content.startswith(b"%PDF")
    detail = api.client.get(f"/api/dossiers/{code}", headers=h).json()
    assert [e["kind"] for e in detail["history"]] == ["received", "status", "status", "extended"]
    assert api.client.get(f"/api/dossiers/{code}/forms/refusal.pdf", headers=h).status_code == 409


def test_report_json_csv_xlsx(api: Api) -> None:
    a = receive(api, at="2026-03-02T09:00:00+07:00")
    receive(api, "1.012760", at="2026-03-03T09:00:00+07:00")
    h = api.h("staff")
    api.client.post(
        f"/api/dossiers/{a['code']}/status",
        json={"status": "processed", "at": "2026-03-02T10:00:00+07:00"},
        headers=h,
    )
    params = {"date_from": "2026-03-01", "date_to": "2026-03-20"}  # before the land deadline
    rep = api.client.get("/api/reports/ii06a", params=params, headers=h).json()
    total = rep["total"]
    assert total["received_direct_postal"] == 2 and total["resolved_on_time"] == 1
    assert total["in_progress_within"] == 1 and total["received_total"] == 2
    text = api.client.get("/api/reports/ii06a", params={**params, "format": "csv"}, headers=h)
    assert text.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert any("Đăng ký khai sinh" in cell for row in rows for cell in row)
    x = api.client.get("/api/reports/ii06a", params={**params, "format": "xlsx"}, headers=h)
    assert openpyxl.load_workbook(io.BytesIO(x.content)).active is not None
    bad = api.client.get("/api/reports/ii06a", params={"date_from": "x", "date_to": "y"}, headers=h)
    assert bad.status_code == 400


def test_public_lookup_and_rating(api: Api) -> None:
    d = receive(api)
    ok = api.client.get("/api/public/lookup", params={"ma": d["code"], "tc": d["lookup_key"]})
    assert ok.status_code == 200 and ok.json()["status"] == "received"
    assert APPLICANT["name"] not in ok.text and APPLICANT["id_number"] not in ok.text
    miss = api.client.get("/api/public/lookup", params={"ma": d["code"], "tc": "AAAAAAAA"})
    assert miss.status_code == 404
    h = api.h("staff")
    for status in ("processed", "returned"):
        api.client.post(f"/api/dossiers/{d['code']}/status", json={"status": status}, headers=h)
    rated = api.client.post(
        "/api/public/rating", json={"ma": d["code"], "tc": d["lookup_key"], "rating": "satisfied"}
    )
    assert rated.status_code == 200
    twice = api.client.post(
        "/api/public/rating", json={"ma": d["code"], "tc": d["lookup_key"], "rating": "satisfied"}
    )
    assert twice.status_code == 409


def test_public_lookup_is_rate_limited(api: Api) -> None:
    api.client.app.state.limiter = type(api.client.app.state.limiter)(per_minute=5)  # type: ignore[attr-defined]
    codes = [
        api.client.get("/api/public/lookup", params={"ma": "x", "tc": "y"}).status_code
        for _ in range(8)
    ]
    assert codes[:5] == [404] * 5 and codes[5:] == [429] * 3


def test_procedures_and_calendar(api: Api) -> None:
    procs = api.client.get("/api/procedures", headers=api.h("staff")).json()
    assert len(procs) >= 8
    r = api.client.post(
        "/api/procedures/import",
        content="procedures:\n  - {code: '9.000001', name: Thử, field: Khác, working_days: 2}\n",
        headers=api.h("admin"),
    )
    assert r.json() == {"imported": 1}
    assert (
        api.client.get("/api/procedures/9.000001", headers=api.h("staff")).json()["working_days"]
        == 2
    )
    bad = api.client.post(
        "/api/procedures/import", content="procedures: [{code: x}]", headers=api.h("admin")
    )
    assert bad.status_code == 400
    day = api.client.post(
        "/api/calendar/days",
        json={"date": "2026-03-06", "kind": "off", "note": "Nghỉ thử"},
        headers=api.h("admin"),
    )
    assert day.status_code == 201
    cal = api.client.get("/api/calendar", params={"year": 2026}, headers=api.h("staff")).json()
    assert {"date": "2026-03-06", "working": False, "name": "Nghỉ thử"} in cal["exceptions"]


def test_receipt_lists_what_the_clerk_ticked(api: Api, tmp_path: Path) -> None:
    import subprocess

    body = {
        "procedure_code": "2.000815",
        "applicant": APPLICANT,
        "channel": "direct",
        "received_documents": [
            {"name": "Sổ hộ khẩu cũ", "copies": "original", "count": 1},
            {"name": "Bản sao sổ hộ khẩu", "copies": "copy", "count": 3},
        ],
    }
    r = api.client.post("/api/dossiers", json=body, headers=api.h("clerk"))
    assert r.status_code == 201, r.text
    assert [d["count"] for d in r.json()["received_documents"]] == [1, 3]
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(api.client.get(r.json()["receipt_url"], headers=api.h("clerk")).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Bản sao sổ hộ khẩu" in text and "bản sao" in text
    bad = {**body, "received_documents": [{"name": "x", "copies": "photo"}]}
    assert api.client.post("/api/dossiers", json=bad, headers=api.h("clerk")).status_code == 400


def test_public_lookup_shows_what_is_missing(api: Api) -> None:
    d = receive(api, "1.012760")
    api.client.post(
        f"/api/dossiers/{d['code']}/status",
        json={"status": "supplement_requested", "note": "- Trích lục bản đồ\n- Bản sao CCCD"},
        headers=api.h("staff"),
    )
    view = api.client.get("/api/public/lookup", params={"ma": d["code"], "tc": d["lookup_key"]})
    assert view.json()["missing"] == ["Trích lục bản đồ", "Bản sao CCCD"]


def test_sheets_to_print(api: Api) -> None:
    h = api.h("clerk")
    code = receive(api)["code"]
    pdf = api.client.get(
        "/api/sheets.pdf", params={"dossier": code, "doc_type": ["can_cuoc"]}, headers=h
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert api.client.get("/api/sheets.pdf", headers=h).status_code == 400
    bad = api.client.get("/api/sheets.pdf", params={"doc_type": "Căn cước"}, headers=h)
    assert bad.status_code == 400


def test_completeness_against_the_procedure(api: Api, tmp_path: Path) -> None:
    """GIVEN a birth registration with only a clinic birth certificate attached WHEN checked
    THEN the declaration and the ID are missing, the power of attorney is optional."""
    from records.model import Document
    from tests.unit.test_editing import upload

    doc = upload(api, tmp_path, ["giấy chứng sinh"])
    with api.container.uow() as uow:
        uow.session.get(Document, doc).doc_type = "giay_chung_sinh"
        uow.commit()
    other = upload(api, tmp_path, ["sổ đỏ"])
    with api.container.uow() as uow:
        uow.session.get(Document, other).doc_type = "giay_chung_nhan_qsdd"
        uow.commit()
    body = {
        "procedure_code": "1.001193",
        "applicant": APPLICANT,
        "channel": "direct",
        "document_ids": [doc, other],
    }
    code = api.client.post("/api/dossiers", json=body, headers=api.h("clerk")).json()["code"]
    c = api.client.get(f"/api/dossiers/{code}/completeness", headers=api.h("staff")).json()
    assert c["complete"] is False
    assert [m["type"] for m in c["missing"]] == ["to_khai_khai_sinh", "can_cuoc"]
    assert [m["type"] for m in c["optional_missing"]] == ["giay_uy_quyen"]
    assert [p["type"] for p in c["present"]] == ["giay_chung_sinh"]
    assert c["unexpected"] == [
        {
            "type": "giay_chung_nhan_qsdd",
            "type_name": "Giấy chứng nhận quyền sử dụng đất",
            "documents": [other],
        }
    ]
    assert c["present"][0]["type_name"] == "Giấy chứng sinh"
    api.client.post(
        f"/api/dossiers/{code}/status",
        json={"status": "supplement_requested"},
        headers=api.h("staff"),
    )
    form = api.client.get(f"/api/dossiers/{code}/forms/supplement.pdf", headers=api.h("staff"))
    pdf = tmp_path / "f02.pdf"
    pdf.write_bytes(form.content)
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Tờ khai đăng ký khai sinh" in text  # prefilled from the check


def test_completeness_preview_before_reception(api: Api, tmp_path: Path) -> None:
    """GIVEN scanned documents not attached to any dossier WHEN reception asks what the
    procedure would still lack with them THEN the same check answers, and an unknown
    document id is refused."""
    from records.model import Document
    from tests.unit.test_editing import upload

    doc = upload(api, tmp_path, ["tờ khai khai sinh"])
    with api.container.uow() as uow:
        uow.session.get(Document, doc).doc_type = "to_khai_khai_sinh"
        uow.commit()
    h = api.h("clerk")
    empty = api.client.get("/api/completeness", params={"procedure_code": "1.001193"}, headers=h)
    assert empty.status_code == 200, empty.text
    assert [m["type"] for m in empty.json()["missing"]] == [
        "to_khai_khai_sinh",
        "giay_chung_sinh",
        "can_cuoc",
    ]
    params = {"procedure_code": "1.001193", "document_id": [doc]}
    c = api.client.get("/api/completeness", params=params, headers=h).json()
    assert [m["type"] for m in c["missing"]] == ["giay_chung_sinh", "can_cuoc"]
    assert c["present"][0]["documents"] == [doc]
    assert c["present"][0]["type_name"] == "Tờ khai đăng ký khai sinh"
    params["document_id"] = [doc, 99999]
    assert api.client.get("/api/completeness", params=params, headers=h).status_code == 404
    params = {"procedure_code": "9.999999"}
    assert api.client.get("/api/completeness", params=params, headers=h).status_code == 404
