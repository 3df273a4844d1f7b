"""Signing in headless Chromium against a real ``hoso serve`` of its own (it trusts the
test PKI's root, served with TSA/OCSP/CRL on 127.0.0.1 by this process).

The admin uploads the agency seal and a leader registers a .p12 with a signature image
on "Khoá ký số" (a file that is not a picture is refused on the page); the leader signs
three results of two dossiers from the inbox with one password entry (both dossiers move
on, each stamp shows the pictures), sends another back with a note (shown on the dossier
page); anyone checks a result on its /v/<code> page, the genuine file valid and a
tampered one not; a clerk signs the digitised copies of a batch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from signing.testing import P12_PASSWORD, LocalPki, serve_test_pki
from tests.conftest import LiveServer, hoso_env, running_server
from tests.integration.test_signing import PKI_CONFIG, make_pdf
from tests.integration.test_signing_desk_stamp import seal_jpeg, signature_png, signature_widgets

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000
APPLICANT = {"name": "Trần Thị Bình", "id_number": "001303004567", "address": "xã Hòa Bình"}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    with serve_test_pki(PKI_CONFIG, tmp_path_factory.mktemp("pki")) as served:
        yield served


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, pki: LocalPki) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("signing-live")
    root = data_dir.parent / f"{data_dir.name}-root.der"
    root.write_bytes(pki.root.dump())
    env = hoso_env(data_dir, HOSO_TRUST_ROOTS=json.dumps([str(root)]))
    with running_server(data_dir, env) as server:
        yield server


def login(browser: Browser, server: LiveServer, name: str, next_path: str) -> Page:
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def upload(server: LiveServer, *texts: str) -> tuple[int, list[int]]:
    """Born-digital PDFs (their own text, no OCR needed): quick to process."""
    files = [
        ("files", (f"kq{i}.pdf", make_pdf(text=t), "application/pdf")) for i, t in enumerate(texts)
    ]
    with server.client("clerk") as c:
        r = c.post("/api/batches", files=files)
        assert r.status_code == 201, r.text
        batch = r.json()["id"]
    progress: Any = server.wait_batch(batch)
    return batch, [d["id"] for d in progress["documents"]]


def dossier_with_results(server: LiveServer, doc_ids: list[int]) -> str:
    with server.client("clerk") as c:
        r = c.post(
            "/api/dossiers",
            json={"procedure_code": "1.001193", "applicant": APPLICANT, "channel": "direct"},
        )
        assert r.status_code == 201, r.text
        code = str(r.json()["code"])
    with server.client("staff") as c:
        for doc_id in doc_ids:
            a = c.post(
                f"/api/dossiers/{code}/documents", json={"document_id": doc_id, "role": "result"}
            )
            assert a.status_code == 201, a.text
    return code


@pytest.fixture(scope="module")
def signed(
    browser: Browser,
    live_server: LiveServer,
    pki: LocalPki,
    screens: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """The leader registers a key and batch-signs three results of two dossiers."""
    _, docs = upload(
        live_server, "Quyet dinh 1", "Quyet dinh 2", "Giay chung nhan 3", "Quyet dinh 4"
    )
    a = dossier_with_results(live_server, docs[:2])
    b = dossier_with_results(live_server, docs[2:3])
    rejected = dossier_with_results(live_server, docs[3:])

    files = tmp_path_factory.mktemp("p12")
    (files / "con-dau.jpg").write_bytes(seal_jpeg())
    (files / "chu-ky.png").write_bytes(signature_png())
    (files / "ghi-chu.txt").write_bytes(b"khong phai anh")
    admin = login(browser, live_server, "admin", "/khoa-ky-so")
    expect(admin.locator("#seal-preview-none")).to_be_visible()
    admin.locator("#seal-file").set_input_files(str(files / "con-dau.jpg"))
    admin.get_by_role("button", name="Tải lên ảnh con dấu").click()
    expect(admin.locator("#seal-message")).to_contain_text("Đã lưu ảnh con dấu")
    expect(admin.locator("#seal-preview")).to_be_visible()
    admin.context.close()

    page = login(browser, live_server, "leader", "/khoa-ky-so")
    expect(page.locator("#no-key")).to_be_visible()
    expect(page.locator("#seal-preview")).to_be_visible()  # the agency's, shown to everyone
    expect(page.locator("#seal-form")).to_have_count(0)  # only admins change it
    page.locator("#signature-file").set_input_files(str(files / "ghi-chu.txt"))
    page.get_by_role("button", name="Tải lên ảnh chữ ký").click()
    expect(page.locator("#signature-message [role=alert]")).to_contain_text("PNG hoặc JPEG")
    p12 = files / "lanh-dao.p12"
    p12.write_bytes(pki.pkcs12("signer"))
    page.locator("#p12-file").set_input_files(str(p12))
    page.locator("#p12-password").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng ký tệp khoá").click()
    expect(page.locator("#p12-message [role=alert]")).to_contain_text("Sai mật khẩu")
    page.locator("#p12-file").set_input_files(str(p12))
    page.locator("#p12-password").fill(P12_PASSWORD)
    page.locator("#p12-title").fill("Chủ tịch")
    page.locator("#p12-signature").set_input_files(str(files / "chu-ky.png"))
    page.get_by_role("button", name="Đăng ký tệp khoá").click()
    expect(page.locator("#key-info")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("#key-info")).to_contain_text("Chủ tịch")
    expect(page.locator("#signature-preview")).to_be_visible()
    page.screenshot(path=screens / "signing-key-pictures.png", full_page=True)

    nav = page.get_by_role("navigation", name="Chức năng chính")
    nav.get_by_role("link", name="Ký duyệt").click()
    items = page.locator(".queue-item")
    expect(items).to_have_count(4)
    expect(page.locator("#queue")).to_contain_text(a)
    page.screenshot(path=screens / "signing-inbox.png", full_page=True)
    # the fourth result is not for today: untick it, then sign the rest with one password
    page.locator(f".queue-item[data-document='{docs[3]}'] input.pick").uncheck()
    expect(page.locator("#selected-count")).to_have_text("3")
    page.get_by_label("Mật khẩu tệp khoá hoặc mã PIN token").fill("sai")
    page.locator("#sign-button").click()
    expect(page.locator("#queue-message [role=alert]")).to_contain_text("Sai mật khẩu")
    expect(items).to_have_count(4)
    page.get_by_label("Mật khẩu tệp khoá hoặc mã PIN token").fill(P12_PASSWORD)
    with page.expect_response("**/api/signing/inbox/sign") as answer:
        page.locator("#sign-button").click()
    out = answer.value.json()
    expect(page.locator("#queue-message")).to_contain_text("Đã ký số 3 văn bản")
    expect(page.locator("#queue-message")).to_contain_text(a)
    expect(items).to_have_count(1)
    page.screenshot(path=screens / "signing-inbox-done.png", full_page=True)
    return {"page": page, "out": out, "a": a, "b": b, "rejected": rejected, "docs": docs}


def test_batch_signing_moves_dossiers_on(live_server: LiveServer, signed: dict[str, Any]) -> None:
    assert len(signed["out"]["signed"]) == 3 and signed["out"]["errors"] == []
    with live_server.client("leader") as c:
        for s in signed["out"]["signed"]:  # the stamp shows the signature image and seal
            pdf = c.get(f"/api/signing/tasks/{s['task_id']}/signed.pdf")
            [(_, _, images)] = signature_widgets(pdf.content)
            assert images >= 1
    with live_server.client("staff") as c:
        for code in (signed["a"], signed["b"]):
            assert c.get(f"/api/dossiers/{code}").json()["status"] == "processed"
        assert c.get(f"/api/dossiers/{signed['rejected']}").json()["status"] == "received"


def test_reject_with_note_shows_on_dossier_page(
    browser: Browser, live_server: LiveServer, signed: dict[str, Any], screens: Path
) -> None:
    page: Page = signed["page"]
    item = page.locator(f".queue-item[data-document='{signed['docs'][3]}']")
    item.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#queue-message [role=alert]")).to_contain_text("lý do")
    item.get_by_label(re.compile("Lý do trả lại")).fill("Sai ngày sinh của người được khai sinh")
    item.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#queue-empty")).to_be_visible()

    staff = login(browser, live_server, "staff", f"/ho-so/{signed['rejected']}")
    row = staff.locator("tr[data-kind='sign_rejected']")
    expect(row).to_contain_text("Lãnh đạo trả lại kết quả")
    expect(row).to_contain_text("Sai ngày sinh của người được khai sinh")
    staff.screenshot(path=screens / "dossier-rejected.png", full_page=True)


def test_public_page_genuine_and_tampered(
    browser: Browser, live_server: LiveServer, signed: dict[str, Any], screens: Path, tmp_path: Path
) -> None:
    code = signed["out"]["signed"][0]["verify_url"].rsplit("/", 1)[1]
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")  # not logged in
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"/v/{code}")
    expect(page.locator("#stored .verdict")).to_have_attribute("data-valid", "true")
    expect(page.locator("#stored")).to_contain_text("Nguyễn Văn An")
    genuine = page.request.get(f"/api/public/signed/{code}/pdf").body()
    (tmp_path / "that.pdf").write_bytes(genuine)
    page.locator("#check-file").set_input_files(str(tmp_path / "that.pdf"))
    page.get_by_role("button", name="Đối chiếu").click()
    expect(page.locator("#check-result .verdict")).to_have_attribute("data-valid", "true")
    expect(page.locator("#check-result")).to_contain_text("HỢP LỆ")

    tampered = bytearray(genuine)
    tampered[tampered.index(b"stream") + 40] ^= 0x01  # inside the first (signed) stream
    (tmp_path / "sua.pdf").write_bytes(bytes(tampered))
    page.locator("#check-file").set_input_files(str(tmp_path / "sua.pdf"))
    page.get_by_role("button", name="Đối chiếu").click()
    expect(page.locator("#check-result .verdict")).to_have_attribute("data-valid", "false")
    expect(page.locator("#check-result")).to_contain_text("KHÔNG HỢP LỆ")
    expect(page.locator("#check-result")).to_contain_text("bị thay đổi")
    page.screenshot(path=screens / "verify-tampered.png", full_page=True)


def test_clerk_signs_digitised_copies(
    browser: Browser, live_server: LiveServer, pki: LocalPki, signed: dict[str, Any], screens: Path
) -> None:
    batch, docs = upload(live_server, "Can cuoc cong dan", "Giay khai sinh ban sao")
    with live_server.client("clerk") as c:
        r = c.post(
            "/api/me/signing-key/p12",
            files={"file": ("k.p12", pki.pkcs12("signer"), "application/x-pkcs12")},
            data={"password": P12_PASSWORD},
        )
        assert r.status_code == 201, r.text
    page = login(browser, live_server, "clerk", "/ky-ban-so-hoa")
    for doc_id in docs:
        expect(page.locator(f".queue-item[data-document='{doc_id}']")).to_be_visible()
    for doc_id in signed["docs"]:  # results of dossiers are the leader's, not copies to sign
        expect(page.locator(f".queue-item[data-document='{doc_id}']")).to_have_count(0)
    page.get_by_label("Mật khẩu tệp khoá hoặc mã PIN token").fill(P12_PASSWORD)
    page.locator("#sign-button").click()
    expect(page.locator("#queue-message")).to_contain_text("Đã ký số 2 văn bản")
    expect(page.locator("#queue-empty")).to_be_visible()
    page.screenshot(path=screens / "digitised-signed.png", full_page=True)
    del batch
