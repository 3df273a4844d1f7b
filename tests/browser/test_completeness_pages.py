"""Completeness at reception and on the dossier page, in headless Chromium against the real
server (``live_server``).

Two digitised documents (born-digital PDFs, so no OCR wait) are uploaded in one batch and
given their types through the clerks' correction API (the classifier's own guess is not
what is tested here): a birth registration declaration and a clinic birth certificate.
At reception the clerk picks the birth registration procedure: the declaration shows as
missing until the scanned declaration is chosen from the batch, then as present. The
received dossier still lacks the birth certificate and the ID: its page says so, attaching
the certificate turns it present, and the button creates the supplement request (Form 02).
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
BIRTH = "1.001193"  # Đăng ký khai sinh: declaration, birth certificate, ID mandatory


def login(browser: Browser, live_server: LiveServer, name: str, next_path: str) -> Page:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def text_pdf(lines: list[str]) -> bytes:
    """A one-page born-digital PDF (its own text is kept, no OCR); unique per run so it is
    never a duplicate of an earlier upload on the shared server."""
    from reportlab.pdfgen import canvas

    from forms.fonts import REGULAR, register

    register()
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFont(REGULAR, 13)
    for i, line in enumerate([*lines, f"Mã kiểm thử {uuid.uuid4().hex}"]):
        c.drawString(72, 760 - 22 * i, line)
    c.save()
    return out.getvalue()


@dataclass
class Docs:
    batch_id: int
    declaration: int
    certificate: int


@pytest.fixture(scope="module")
def docs(live_server: LiveServer) -> Docs:
    files = [
        ("files", ("to-khai.pdf", text_pdf(["TỜ KHAI ĐĂNG KÝ KHAI SINH"]), "application/pdf")),
        ("files", ("chung-sinh.pdf", text_pdf(["GIẤY CHỨNG SINH"]), "application/pdf")),
    ]
    with live_server.client("clerk") as c:
        created = c.post("/api/batches", files=files)
        assert created.status_code == 201, created.text
        batch_id = int(created.json()["id"])
        batch = live_server.wait_batch(batch_id, timeout=120)
        ids = {d["source"]: int(d["id"]) for d in batch["documents"]}  # type: ignore[attr-defined]
        typed = {"to-khai.pdf": "to_khai_khai_sinh", "chung-sinh.pdf": "giay_chung_sinh"}
        for source, doc_type in typed.items():
            r = c.post(f"/api/documents/{ids[source]}/type", json={"type": doc_type})
            assert r.status_code == 200, r.text
    return Docs(batch_id, ids["to-khai.pdf"], ids["chung-sinh.pdf"])


def line(page: Page, box: str, doc_type: str) -> Locator:
    return page.locator(f'{box} .cp-list li[data-type="{doc_type}"]')


def test_completeness_at_reception_and_on_the_dossier_page(
    browser: Browser, live_server: LiveServer, docs: Docs, screens: Path
):
    page = login(browser, live_server, "clerk", "/tiep-nhan")
    page.locator("#proc-filter").fill(BIRTH)
    expect(page.locator("#procedure")).to_have_value(BIRTH)

    # Nothing digitised chosen yet: every mandatory document is missing, highlighted.
    card = page.locator("#completeness-card")
    expect(card).to_be_visible()
    declaration = line(page, "#completeness", "to_khai_khai_sinh")
    expect(declaration).to_have_attribute("data-state", "missing")
    expect(declaration).to_contain_text("Thiếu — bắt buộc")
    expect(line(page, "#completeness", "giay_uy_quyen")).to_have_attribute("data-state", "optional")
    expect(card.locator(".cp-summary")).to_have_text("Còn thiếu 3 giấy tờ bắt buộc.")

    # The scanned declaration is chosen from its batch: present, with its Vietnamese name.
    page.get_by_text("Đính kèm bản số hóa từ lô quét").click()
    page.locator("#attach-batch").select_option(str(docs.batch_id))
    page.locator(f"#att-{docs.declaration}").check()
    expect(declaration).to_have_attribute("data-state", "present")
    expect(declaration.locator(".cp-mark")).to_have_text("✓")
    expect(declaration.locator(".cp-name")).to_have_text("Tờ khai đăng ký khai sinh")
    expect(card.locator(".cp-summary")).to_have_text("Còn thiếu 2 giấy tờ bắt buộc.")
    expect(line(page, "#completeness", "giay_chung_sinh")).to_have_attribute(
        "data-state", "missing"
    )
    expect(card).not_to_contain_text("null")
    page.screenshot(path=screens / "reception-completeness.png", full_page=True)
    # unticking takes it back
    page.locator(f"#att-{docs.declaration}").uncheck()
    expect(declaration).to_have_attribute("data-state", "missing")
    page.locator(f"#att-{docs.declaration}").check()
    expect(declaration).to_have_attribute("data-state", "present")

    page.locator("#applicant-name").fill("Lê Văn Cường")
    page.locator("#applicant-id").fill("001090054321")
    page.get_by_role("button", name="Đánh dấu đã nhận tất cả").click()
    page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True).click()
    result = page.locator("#reception-result")
    expect(result).to_be_visible()
    code = page.locator("#result-code").inner_text()
    # The received dossier's own check: the declaration is there, the certificate is not.
    expect(line(page, "#result-completeness", "to_khai_khai_sinh")).to_have_attribute(
        "data-state", "present"
    )
    expect(line(page, "#result-completeness", "giay_chung_sinh")).to_have_attribute(
        "data-state", "missing"
    )
    expect(result.get_by_role("button", name="Lập phiếu bổ sung hồ sơ (mẫu 02)")).to_be_visible()
    page.screenshot(path=screens / "reception-result-completeness.png", full_page=True)
    page.context.close()

    # The dossier page shows the same, and attaching the certificate makes it present.
    page = login(browser, live_server, "staff", f"/ho-so/{code}")
    certificate = line(page, "#completeness", "giay_chung_sinh")
    expect(certificate).to_have_attribute("data-state", "missing")
    expect(certificate).to_contain_text("Giấy chứng sinh")
    expect(line(page, "#completeness", "to_khai_khai_sinh")).to_have_attribute(
        "data-state", "present"
    )
    page.locator("#attach-id").fill(str(docs.certificate))
    page.get_by_role("button", name="Đính kèm").click()
    expect(page.locator("#attach-message")).to_contain_text(
        f"Đã đính kèm tài liệu số {docs.certificate}"
    )
    expect(certificate).to_have_attribute("data-state", "present")
    expect(certificate.locator(".cp-name")).to_have_text("Giấy chứng sinh")
    expect(certificate.get_by_role("link", name=str(docs.certificate))).to_have_attribute(
        "href", f"/documents/{docs.certificate}"
    )
    missing = page.locator("#completeness .cp-list li[data-state=missing]")
    expect(missing).to_have_count(1)  # the applicant's ID
    expect(missing).to_have_attribute("data-type", "can_cuoc")
    expect(page.locator("#completeness-card")).not_to_contain_text("null")
    page.screenshot(path=screens / "dossier-completeness.png", full_page=True)

    # The supplement request from what is still missing; Form 02 lists it.
    page.get_by_role("button", name="Lập phiếu bổ sung hồ sơ (mẫu 02)").click()
    expect(page.locator("#dossier-status")).to_contain_text("Yêu cầu bổ sung hồ sơ")
    expect(page.locator("#completeness-message")).to_contain_text("Đã chuyển hồ sơ sang")
    form = page.locator("#completeness").get_by_role("link", name="In phiếu yêu cầu bổ sung")
    expect(form).to_have_attribute("href", f"/api/dossiers/{code}/forms/supplement.pdf")
    pdf = page.request.get(form.get_attribute("href") or "")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "02.pdf"
        path.write_bytes(pdf.body())
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    assert "Giấy tờ tùy thân của người yêu cầu" in text
    assert not re.search(r"Giấy chứng sinh \(hoặc", text)  # attached: no longer asked for
    page.context.close()
