"""The HTTP API on fakes (memory store and index, fake OCR, steps run inline)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from hoso.bootstrap import Container, bootstrap
from hoso.settings import Settings
from ingest.pipeline import Message, Pipeline
from records.users import create_user, issue_token
from tests.fakes import FakeRecognizer, text_png


class Api:
    def __init__(self, tmp: Path) -> None:
        settings = Settings(data_dir=tmp, storage_url="memory://", search_url="memory://")
        self.container: Container = bootstrap(settings)
        c = self.container
        c.__dict__["pipeline"] = Pipeline(
            c.uow, c.store, c.index, FakeRecognizer(), settings.work_dir, c.limits
        )
        self.sent: list[Message] = []
        self.client = TestClient(create_app(c, self.run_inline))
        self.tokens = {}
        for role in ("clerk", "staff", "leader", "admin"):
            with c.uow() as uow:
                user = create_user(uow, role, role, "mat-khau-123")
                self.tokens[role] = issue_token(uow, user)
                uow.commit()

    def run_inline(self, messages: list[Message]) -> None:
        queue = list(messages)
        while queue:
            m = queue.pop(0)
            self.sent.append(m)
            queue += getattr(self.container.pipeline, m.task)(m.id)

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(tmp_path)


def png(tmp: Path, text: str) -> bytes:
    return text_png(tmp / "x.png", text).read_bytes()


def test_every_api_route_needs_a_token(api: Api) -> None:
    for method, path in [
        ("get", "/api/batches"),
        ("get", "/api/batches/1"),
        ("post", "/api/batches"),
        ("get", "/api/documents/1"),
        ("get", "/api/documents/1/pdf"),
        ("get", "/api/search?q=a"),
        ("get", "/api/users"),
        ("get", "/api/me"),
    ]:
        r = getattr(api.client, method)(path)
        assert r.status_code == 401, path
        assert "đăng nhập" in r.json()["error"]
    r = api.client.get("/api/me", headers={"Authorization": "Bearer hoso_forged"})
    assert r.status_code == 401


def test_web_pages_redirect_to_login(api: Api) -> None:
    r = api.client.get("/search", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_roles(api: Api, tmp_path: Path) -> None:
    files = {"files": ("a.png", png(tmp_path, "xin chào"), "image/png")}
    assert api.client.post("/api/batches", files=files, headers=api.h("staff")).status_code == 403
    assert api.client.get("/api/search?q=a", headers=api.h("clerk")).status_code == 403
    assert api.client.get("/api/users", headers=api.h("staff")).status_code == 403
    assert api.client.get("/api/search?q=a", headers=api.h("leader")).status_code == 200
    assert api.client.get("/api/users", headers=api.h("admin")).status_code == 200


def test_upload_progress_document_and_search(api: Api, tmp_path: Path) -> None:
    files = [
        ("files", ("don xin.png", png(tmp_path, "Ông Nguyễn Văn An xin cấp đất"), "image/png")),
        ("files", ("virus.pdf", b"MZ\x90\x00 this is an exe", "application/pdf")),
    ]
    r = api.client.post("/api/batches", files=files, headers=api.h("clerk"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert [a["source"] for a in body["accepted"]] == ["don xin.png"]
    assert body["errors"][0]["source"] == "virus.pdf"
    assert "EXE" in body["errors"][0]["message"]
    progress = api.client.get(body["url"], headers=api.h("clerk")).json()
    assert progress["status"] == "done" and progress["pages_done"] == 1
    doc_id = progress["documents"][0]["id"]
    doc = api.client.get(f"/api/documents/{doc_id}", headers=api.h("staff")).json()
    assert doc["status"] == "done" and doc["page_list"][0]["thumb_url"]
    pdf = api.client.get(doc["pdf_url"], headers=api.h("staff"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = api.client.get(doc["text_url"], headers=api.h("staff")).text
    assert "Nguyễn Văn An" in text
    hits = api.client.get("/api/search", params={"q": "nguyen van an"}, headers=api.h("staff"))
    assert hits.json()["total"] == 1
    hit = hits.json()["hits"][0]
    assert (hit["document_id"], hit["page"], hit["source"]) == (doc_id, 1, "don xin.png")
    other_batch = api.client.get(
        "/api/search", params={"q": "nguyen", "batch": body["id"] + 1}, headers=api.h("staff")
    )
    assert other_batch.json()["total"] == 0


def test_upload_with_no_acceptable_file_is_4xx_naming_it(api: Api) -> None:
    files = {"files": ("anh.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")}
    r = api.client.post("/api/batches", files=files, headers=api.h("clerk"))
    assert r.status_code == 415
    assert "anh.svg" in r.json()["error"] and "SVG" in r.json()["error"]


def test_upload_without_files_and_bad_queries(api: Api) -> None:
    r = api.client.post("/api/batches", data={"x": "1"}, headers=api.h("clerk"))
    assert r.status_code == 400 and "multipart/form-data" in r.json()["error"]
    only_field = api.client.post(
        "/api/batches", files={"language": (None, "vie")}, headers=api.h("clerk")
    )
    assert only_field.status_code == 400 and "Chưa chọn tệp" in only_field.json()["error"]
    bad_lang = api.client.post(
        "/api/batches",
        files=[
            ("files", ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")),
            ("language", (None, "vie;rm")),
        ],
        headers=api.h("clerk"),
    )
    assert bad_lang.status_code == 400 and "Ngôn ngữ" in bad_lang.json()["error"]
    assert api.sent == []  # nothing was started for the refused request
    assert api.client.get("/api/search?q=", headers=api.h("staff")).status_code == 400
    bad_date = api.client.get("/api/search?q=a&date_from=hôm-qua", headers=api.h("staff"))
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.json()["error"]
    assert api.client.get("/api/documents/999", headers=api.h("staff")).status_code == 404


def test_login_issues_token_and_cookie(api: Api) -> None:
    bad = api.client.post("/api/login", json={"name": "staff", "password": "sai-mat-khau"})
    assert bad.status_code == 401 and "Sai tên đăng nhập" in bad.json()["error"]
    ok = api.client.post("/api/login", json={"name": "staff", "password": "mat-khau-123"})
    assert ok.status_code == 200
    token = ok.json()["token"]
    me = api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "staff"
    api.client.post("/api/logout", headers={"Authorization": f"Bearer {token}"})
    assert (
        api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )


def test_admin_creates_users(api: Api) -> None:
    r = api.client.post(
        "/api/users", json={"name": "scanner-1", "role": "clerk"}, headers=api.h("admin")
    )
    assert r.status_code == 201 and r.json()["token"].startswith("hoso_")
    dup = api.client.post(
        "/api/users", json={"name": "scanner-1", "role": "clerk"}, headers=api.h("admin")
    )
    assert dup.status_code == 409
    bad = api.client.post("/api/users", json={"name": "x", "role": "boss"}, headers=api.h("admin"))
    assert bad.status_code == 400 and "Vai trò" in bad.json()["error"]


def test_failed_document_can_be_retried(api: Api, tmp_path: Path) -> None:
    files = {"files": ("loi.png", png(tmp_path, "CRASH"), "image/png")}
    body = api.client.post("/api/batches", files=files, headers=api.h("clerk")).json()
    progress = api.client.get(body["url"], headers=api.h("clerk")).json()
    doc = progress["documents"][0]
    assert doc["status"] == "failed" and progress["errors"][0]["document_id"] == doc["id"]
    r = api.client.post(f"/api/documents/{doc['id']}/retry", headers=api.h("clerk"))
    assert r.json()["retried"] == 1  # the fake still crashes: failed again, but retried
    again = api.client.get(body["url"], headers=api.h("clerk")).json()["documents"][0]
    assert again["status"] == "failed"


def test_oversized_file_is_refused_by_name_and_nothing_is_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_file_mb=1)
    container = bootstrap(settings)
    with container.uow() as uow:
        token = issue_token(uow, create_user(uow, "c", "clerk", None))
        uow.commit()
    client = TestClient(create_app(container, lambda messages: None))
    big = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)
    files = [
        ("files", ("lon.pdf", big, "application/pdf")),
        ("files", ("nho.png", png(tmp_path, "nhỏ"), "image/png")),
    ]
    r = client.post("/api/batches", files=files, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    assert r.json()["errors"] == [{"source": "lon.pdf", "message": "tệp vượt quá giới hạn 1 MB"}]
    assert [a["source"] for a in r.json()["accepted"]] == ["nho.png"]
    objects = tmp_path / "objects"
    stored = [p for p in objects.rglob("*") if p.is_file()]
    assert len(stored) == 1  # only the small file; no partial or temp file left behind


def test_duplicate_upload_is_reported_with_the_earlier_document(api: Api, tmp_path: Path) -> None:
    data = png(tmp_path, "một lần thôi")
    first = api.client.post(
        "/api/batches", files={"files": ("a.png", data, "image/png")}, headers=api.h("clerk")
    ).json()
    doc_id = api.client.get(first["url"], headers=api.h("clerk")).json()["documents"][0]["id"]
    again = api.client.post(
        "/api/batches", files={"files": ("b.png", data, "image/png")}, headers=api.h("clerk")
    )
    assert again.status_code == 201
    [dup] = again.json()["duplicates"]
    assert dup["document_id"] == doc_id and dup["batch_id"] == first["id"]
    assert "trùng với tệp 'a.png'" in dup["message"]
    assert again.json()["accepted"] == []
