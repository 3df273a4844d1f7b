"""Leaders sign results from their inbox, clerks sign digitised copies; keys are users'
own (PKCS#12 stored encrypted). The API on fakes (memory store, fake OCR) with the real
signing stack against the test PKI served on 127.0.0.1; pdfsig checks every signature."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from hoso.bootstrap import Container, bootstrap
from hoso.settings import Settings
from ingest.pipeline import Message, Pipeline
from records.model import Document, User
from records.signing_queue import key_of
from records.users import create_user, issue_token
from signing import verify_pdf
from signing.testing import P12_PASSWORD, LocalPki, serve_test_pki
from tests.fakes import FakeRecognizer, text_png
from tests.integration.test_signing import PKI_CONFIG, pdfsig_ok

PUBLIC = "http://hoso.test"
APPLICANT = {"name": "Trần Thị Bình", "id_number": "001303004567", "address": "xã Hòa Bình"}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    with serve_test_pki(PKI_CONFIG, tmp_path_factory.mktemp("pki")) as served:
        yield served


class Desk:
    """The app with a memory store, fake OCR and steps run inline; one user per role."""

    def __init__(self, tmp: Path, pki: LocalPki, **extra: Any) -> None:
        root = tmp / "root.der"
        root.write_bytes(pki.root.dump())
        settings = Settings(
            data_dir=tmp / "data",
            storage_url="memory://",
            search_url="memory://",
            trust_roots=[root],
            public_url=PUBLIC,
            **extra,
        )
        self.box: Container = bootstrap(settings)
        c = self.box
        c.__dict__["pipeline"] = Pipeline(
            c.uow, c.store, c.index, FakeRecognizer(), settings.work_dir, c.limits
        )
        self.client = TestClient(create_app(c, self.run_inline))
        self.tokens = {}
        for role in ("clerk", "staff", "leader", "admin"):
            with c.uow() as uow:
                user = create_user(uow, role, role, "mat-khau-123")
                self.tokens[role] = issue_token(uow, user)
                uow.commit()
        self.tmp = tmp
        self.pki = pki

    def run_inline(self, messages: list[Message]) -> None:
        queue = list(messages)
        while queue:
            m = queue.pop(0)
            queue += getattr(self.box.pipeline, m.task)(m.id)

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def upload(self, *texts: str) -> list[int]:
        files = [
            (
                "files",
                (f"trang{i}.png", text_png(self.tmp / f"p{i}.png", t).read_bytes(), "image/png"),
            )
            for i, t in enumerate(texts)
        ]
        r = self.client.post("/api/batches", files=files, headers=self.h("clerk"))
        assert r.status_code == 201, r.text
        progress = self.client.get(r.json()["url"], headers=self.h("clerk")).json()
        return [d["id"] for d in progress["documents"]]

    def dossier(self) -> str:
        r = self.client.post(
            "/api/dossiers",
            json={"procedure_code": "1.001193", "applicant": APPLICANT, "channel": "direct"},
            headers=self.h("clerk"),
        )
        assert r.status_code == 201, r.text
        return str(r.json()["code"])

    def attach_result(self, code: str, doc_id: int) -> None:
        r = self.client.post(
            f"/api/dossiers/{code}/documents",
            json={"document_id": doc_id, "role": "result"},
            headers=self.h("staff"),
        )
        assert r.status_code == 201, r.text

    def register(self, role: str, label: str = "signer", password: str = P12_PASSWORD) -> Any:
        return self.client.post(
            "/api/me/signing-key/p12",
            files={"file": ("khoa.p12", self.pki.pkcs12(label), "application/x-pkcs12")},
            data={"password": password, "title": "Chủ tịch" if role == "leader" else ""},
            headers=self.h(role),
        )


@pytest.fixture
def desk(tmp_path: Path, pki: LocalPki) -> Desk:
    return Desk(tmp_path, pki)


def pdftotext(data: bytes, tmp: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp / "t.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=30
    ).stdout


def qr_texts(data: bytes, tmp: Path) -> list[str]:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    path = tmp / "q.pdf"
    path.write_bytes(data)
    png = subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png))
    return [b.text for b in zxingcpp.read_barcodes(image)]


def test_key_registration_is_encrypted_and_checked(desk: Desk) -> None:
    """GIVEN a .p12 upload WHEN the password is wrong or the certificate expired THEN a
    clear 4xx and nothing stored; WHEN right THEN stored encrypted (not the plain bytes),
    and the admin sees who has a key."""
    wrong = desk.register("leader", password="sai-mat-khau")
    assert wrong.status_code == 422 and "Sai mật khẩu" in wrong.json()["error"]
    expired = desk.register("leader", label="expired")
    assert expired.status_code == 422 and "hết hạn" in expired.json()["error"]
    assert desk.client.get("/api/me/signing-key", headers=desk.h("leader")).json()["key"] is None
    ok = desk.register("leader")
    assert ok.status_code == 201, ok.text
    assert ok.json()["key"]["subject"] == "Nguyễn Văn An"
    with desk.box.uow() as uow:
        users = {u.name: u.id or 0 for u in uow.session.scalars(select(User))}
        row = key_of(uow, users["leader"])
        assert row is not None and row.p12_encrypted is not None
        assert desk.pki.pkcs12("signer")[:64] not in row.p12_encrypted
    keyfile = desk.box.settings.data_dir / "keystore.key"
    assert keyfile.stat().st_mode & 0o777 == 0o600
    overview = desk.client.get("/api/signing-keys", headers=desk.h("admin")).json()["users"]
    assert {u["name"]: bool(u["key"]) for u in overview}["leader"] is True
    assert {u["name"]: bool(u["key"]) for u in overview}["clerk"] is False
    assert desk.client.get("/api/signing-keys", headers=desk.h("leader")).status_code == 403


def test_leader_batch_signs_results_and_dossier_moves_on(desk: Desk, tmp_path: Path) -> None:
    """GIVEN two dossiers with three results WHEN the leader signs them all with one
    password THEN each is signed (QR + visible stamp), stored locked, the unsigned PDF is
    kept, both dossiers are processed, and pdfsig calls every signature valid."""
    docs = desk.upload("Quyet dinh so 1", "Quyet dinh so 2", "Giay chung nhan 3")
    a, b = desk.dossier(), desk.dossier()
    desk.attach_result(a, docs[0])
    desk.attach_result(a, docs[1])
    desk.attach_result(b, docs[2])
    assert desk.client.get("/api/signing/inbox", headers=desk.h("staff")).status_code == 403
    items = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    assert sorted(i["document_id"] for i in items) == sorted(docs)
    assert {i["dossier"]["code"] for i in items} == {a, b}
    ids = [i["task_id"] for i in items]
    no_key = desk.client.post(
        "/api/signing/inbox/sign", json={"task_ids": ids, "secret": "x"}, headers=desk.h("leader")
    )
    assert no_key.status_code == 409 and "chưa đăng ký khoá" in no_key.json()["error"]
    assert desk.register("leader").status_code == 201
    wrong = desk.client.post(
        "/api/signing/inbox/sign", json={"task_ids": ids, "secret": "sai"}, headers=desk.h("leader")
    )
    assert wrong.status_code == 422 and "Sai mật khẩu" in wrong.json()["error"]
    assert len(desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]) == 3

    r = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": ids, "secret": P12_PASSWORD},
        headers=desk.h("leader"),
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["errors"] == [] and len(out["signed"]) == 3
    assert sorted(out["processed_dossiers"]) == sorted([a, b])
    assert desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"] == []
    for code in (a, b):
        d = desk.client.get(f"/api/dossiers/{code}", headers=desk.h("staff")).json()
        assert d["status"] == "processed"
        kinds = [e["kind"] for e in d["history"]]
        assert "signed" in kinds and kinds[-1] == "status"

    store = desk.box.store
    soon = datetime.now(UTC) + timedelta(days=365 * 10 - 5)
    for s in out["signed"]:
        signed = store.get_bytes(s["sha256"])
        until = store.retained_until(s["sha256"])
        assert until is not None and until > soon
        api_doc = desk.client.get(f"/api/documents/{s['document_id']}", headers=desk.h("staff"))
        latest = desk.client.get(api_doc.json()["signed_pdf_url"], headers=desk.h("staff"))
        assert latest.content == signed
        with desk.box.uow() as uow:
            doc = uow.session.get(Document, s["document_id"])
            assert doc is not None and doc.signed_pdf_sha256 == s["sha256"]
            assert doc.pdf_sha256 and doc.pdf_sha256 != s["sha256"]
            assert store.exists(doc.pdf_sha256)  # the unsigned version is kept
        [report] = verify_pdf(signed, trust_roots=[desk.pki.root])
        assert report.intact and report.trusted and not report.modified_after
        assert report.signer == "Nguyễn Văn An" and report.level == "B-B"
        pdfsig_ok(signed, tmp_path, f"r{s['task_id']}.pdf")
        assert s["verify_url"].startswith(f"{PUBLIC}/v/")
        assert qr_texts(signed, tmp_path) == [s["verify_url"]]
        text = pdftotext(signed, tmp_path)
        assert "Chủ tịch" in text and "Nguyễn Văn An" in text and s["verify_url"] in text
    again = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": ids[:1], "secret": P12_PASSWORD},
        headers=desk.h("leader"),
    )
    assert again.json()["signed"] == [] and "đã được ký" in again.json()["errors"][0]["message"]


def test_reject_with_note_goes_back_to_staff(desk: Desk) -> None:
    [doc] = desk.upload("Quyet dinh sai ten")
    code = desk.dossier()
    desk.attach_result(code, doc)
    [item] = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    empty = desk.client.post(
        f"/api/signing/tasks/{item['task_id']}/reject", json={"note": " "}, headers=desk.h("leader")
    )
    assert empty.status_code == 400 and "lý do" in empty.json()["error"]
    r = desk.client.post(
        f"/api/signing/tasks/{item['task_id']}/reject",
        json={"note": "Sai họ tên người nộp"},
        headers=desk.h("leader"),
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"] == []
    d = desk.client.get(f"/api/dossiers/{code}", headers=desk.h("staff")).json()
    [event] = [e for e in d["history"] if e["kind"] == "sign_rejected"]
    assert "Sai họ tên người nộp" in event["note"] and event["user_name"] == "leader"
    assert d["status"] == "received"
    resend = desk.client.post(
        "/api/signing/requests",
        json={"dossier_code": code, "document_id": doc},
        headers=desk.h("staff"),
    )
    assert resend.status_code == 201, resend.text
    [back] = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    assert back["task_id"] != item["task_id"] and back["document_id"] == doc


def test_public_page_reports_stored_and_uploaded_copies(desk: Desk) -> None:
    [doc] = desk.upload("Giay xac nhan cu tru")
    code = desk.dossier()
    desk.attach_result(code, doc)
    assert desk.register("leader").status_code == 201
    [item] = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    out = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": [item["task_id"]], "secret": P12_PASSWORD},
        headers=desk.h("leader"),
    ).json()
    short = out["signed"][0]["verify_url"].rsplit("/", 1)[1]
    public = TestClient(desk.client.app)  # no token
    page = public.get(f"/v/{short}")
    assert page.status_code == 200 and "Xác thực" in page.text
    report = public.get(f"/api/public/signed/{short}").json()
    assert report["valid"] is True and report["dossier_code"] == code
    assert report["signatures"][0]["signer"] == "Nguyễn Văn An"
    genuine = public.get(report["pdf_url"]).content
    assert genuine == desk.box.store.get_bytes(out["signed"][0]["sha256"])
    headers = {"Content-Type": "application/pdf"}
    ok = public.post(f"/api/public/signed/{short}/check", content=genuine, headers=headers).json()
    assert ok["valid"] is True and ok["same_as_stored"] is True and "HỢP LỆ" in ok["verdict_vi"]
    tampered = bytearray(genuine)
    tampered[tampered.index(b"stream") + 40] ^= 0x01  # inside the first (signed) stream
    bad = public.post(f"/api/public/signed/{short}/check", content=bytes(tampered), headers=headers)
    assert bad.status_code == 200 and bad.json()["valid"] is False
    assert "KHÔNG HỢP LỆ" in bad.json()["verdict_vi"] and "bị thay đổi" in bad.json()["verdict_vi"]
    assert bad.json()["signatures"][0]["intact"] is False
    assert public.get("/api/public/signed/khongcoma").status_code == 404


def test_clerk_signs_digitised_copies_of_own_batch(desk: Desk, tmp_path: Path) -> None:
    """GIVEN a clerk's batch WHEN the clerk signs it in one action THEN every copy carries
    the conversion mark, the clerk's name and scan time top-left, and a valid signature;
    results attached to a dossier are not in the clerk's queue."""
    docs = desk.upload("Can cuoc cong dan", "Giay khai sinh", "Quyet dinh ket qua")
    code = desk.dossier()
    desk.attach_result(code, docs[2])
    assert desk.client.get("/api/signing/digitised", headers=desk.h("staff")).status_code == 403
    queue = desk.client.get("/api/signing/digitised", headers=desk.h("clerk")).json()
    assert sorted(i["document_id"] for i in queue["items"]) == sorted(docs[:2])
    assert desk.register("clerk").status_code == 201
    batch_id = queue["items"][0]["batch_id"]
    r = desk.client.post(
        "/api/signing/digitised/sign",
        json={"batch_id": batch_id, "secret": P12_PASSWORD},
        headers=desk.h("clerk"),
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["signed"]) == 2 and r.json()["errors"] == []
    assert desk.client.get("/api/signing/digitised", headers=desk.h("clerk")).json()["items"] == []
    for s in r.json()["signed"]:
        pdf = desk.client.get(
            f"/api/signing/tasks/{s['task_id']}/signed.pdf", headers=desk.h("clerk")
        )
        assert pdf.status_code == 200
        [report] = verify_pdf(pdf.content, trust_roots=[desk.pki.root])
        assert report.intact and report.trusted and not report.modified_after
        pdfsig_ok(pdf.content, tmp_path, f"d{s['task_id']}.pdf")
        text = pdftotext(pdf.content, tmp_path)
        assert "Bản sao điện tử được chuyển đổi từ bản giấy" in text
        assert "Nguyễn Văn An" in text and "Thời gian số hóa" in text


def test_digitised_signing_can_be_switched_off(tmp_path: Path, pki: LocalPki) -> None:
    off = Desk(tmp_path, pki, sign_digitised_copies=False)
    off.upload("Giay to")
    q = off.client.get("/api/signing/digitised", headers=off.h("clerk")).json()
    assert q == {"enabled": False, "items": []}


def test_dossier_waiting_for_a_supplement_does_not_jump_ahead(desk: Desk) -> None:
    """GIVEN a dossier waiting for a supplement WHEN its result is signed THEN the
    signature is recorded but the status stays (the workflow does not allow PROCESSED)."""
    [doc] = desk.upload("Quyet dinh cho bo sung")
    code = desk.dossier()
    desk.attach_result(code, doc)
    moved = desk.client.post(
        f"/api/dossiers/{code}/status",
        json={"status": "supplement_requested", "note": "Bản sao giấy khai sinh"},
        headers=desk.h("staff"),
    )
    assert moved.status_code == 200
    assert desk.register("leader").status_code == 201
    [item] = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    out = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": [item["task_id"]], "secret": P12_PASSWORD},
        headers=desk.h("leader"),
    ).json()
    assert len(out["signed"]) == 1 and out["processed_dossiers"] == []
    d = desk.client.get(f"/api/dossiers/{code}", headers=desk.h("staff")).json()
    assert d["status"] == "supplement_requested"
    assert d["history"][-1]["kind"] == "signed"


def test_a_copy_attached_as_result_later_leaves_the_clerks_queue(desk: Desk) -> None:
    [doc] = desk.upload("Ban chup quyet dinh")
    queue = desk.client.get("/api/signing/digitised", headers=desk.h("clerk")).json()["items"]
    assert [i["document_id"] for i in queue] == [doc]
    desk.attach_result(desk.dossier(), doc)
    assert desk.client.get("/api/signing/digitised", headers=desk.h("clerk")).json()["items"] == []
