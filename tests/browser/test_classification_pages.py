"""The classification pages in headless Chromium against the real server (``live_server``).

One scan (a power of attorney with an ID number) is uploaded through the API; the tests
follow it: the document page's "Phân loại" panel (type, fields, highlight on the image,
correcting the type and a field, the corrections), the search page's type chips, the
review page, and reception offering the digitised document for reuse. Screenshots go to
the pytest temp dir (or HOSO_SCREENSHOTS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import RESOURCES, LiveServer, hoso_env, running_server

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
SCAN = RESOURCES / "synth" / "jpeg" / "page-0001.jpg"  # giấy ủy quyền, with a cccd field
BIRTH = "1.001193"  # Đăng ký khai sinh


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's own ``hoso serve``: it uploads the same scan as other browser tests,
    which would then be a duplicate on a shared server, and it retrains the classifier."""
    data_dir = tmp_path_factory.mktemp("classify-data")
    with running_server(data_dir, hoso_env(data_dir)) as server:
        yield server


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


@dataclass
class Scan:
    document_id: int
    cccd: str
    name: str


@pytest.fixture(scope="module")
def scan(live_server: LiveServer) -> Scan:
    with live_server.client("clerk") as c:
        files = {"files": ("giay-uy-quyen.jpg", SCAN.read_bytes(), "image/jpeg")}
        created = c.post("/api/batches", files=files)
        assert created.status_code == 201, created.text
        batch = live_server.wait_batch(created.json()["id"], timeout=120)
        doc_id = int(batch["documents"][0]["id"])  # type: ignore[index]
        doc = c.get(f"/api/documents/{doc_id}").json()
    assert doc["type"] == "giay_uy_quyen", doc["type"]
    fields = doc["fields"]
    return Scan(doc_id, fields["cccd"]["value"], fields["ho_ten"]["value"])


def test_document_panel_highlights_field(
    browser: Browser, live_server: LiveServer, scan: Scan, screens: Path
):
    page = login(browser, live_server, "clerk", f"/documents/{scan.document_id}")
    expect(page.locator("#doc-type")).to_have_text("Giấy ủy quyền")
    expect(page.locator("#type-confidence")).to_contain_text("%")
    row = page.locator('#fields-table tr[data-field="cccd"]')
    expect(row).to_contain_text("Số định danh")
    expect(row).to_contain_text(scan.cccd)

    image = page.locator("#page-image")
    expect(image).to_be_visible()
    page.wait_for_function("document.getElementById('page-image').naturalWidth > 0")
    row.get_by_role("button", name="Số định danh", exact=True).click()
    mark = page.locator(".field-mark[data-field='cccd']")
    expect(mark).to_have_count(1)
    expect(mark).to_be_visible()
    box, frame = mark.bounding_box(), image.bounding_box()
    assert box and frame
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert 0 < box["width"] < frame["width"] / 2  # scaled to the displayed image, not raw
    page.screenshot(path=screens / "document-highlight.png", full_page=True)

    # clicking again removes the highlight
    row.get_by_role("button", name="Số định danh", exact=True).click()
    expect(mark).to_have_count(0)
    page.context.close()


def test_document_type_and_field_corrections(
    browser: Browser, live_server: LiveServer, scan: Scan, screens: Path
):
    page = login(browser, live_server, "staff", f"/documents/{scan.document_id}")
    expect(page.locator("#doc-type")).to_be_visible()
    page.locator("#type-select").select_option("khac")
    page.get_by_role("button", name="Lưu loại giấy tờ").click()
    expect(page.locator("#doc-type")).to_have_text("Khác")
    expect(page.locator("#needs-review")).to_have_count(0)
    history = page.locator("#corrections-list")
    expect(history).to_contain_text("Loại giấy tờ")
    expect(history.locator("li").first).to_contain_text("Khác")

    row = page.locator('#fields-table tr[data-field="so_thua"]')
    row.get_by_role("button", name="Sửa Thửa đất số").click()
    page.get_by_label("Giá trị mới: Thửa đất số").fill("722")
    row.get_by_role("button", name="Lưu").click()
    expect(row).to_contain_text("722")
    expect(row.locator(".badge.corrected")).to_have_text("đã sửa")
    expect(history).to_contain_text("Thửa đất số")
    page.screenshot(path=screens / "document-corrected.png", full_page=True)
    page.context.close()
    with live_server.client("staff") as c:
        kinds = [x["kind"] for x in c.get(f"/api/documents/{scan.document_id}/corrections").json()]
    assert sorted(kinds) == ["field", "type"]


def test_search_type_chips(browser: Browser, live_server: LiveServer, scan: Scan, screens: Path):
    page = login(browser, live_server, "staff", f"/search?q={scan.name}")
    expect(page.locator("#q-hint")).to_contain_text("loai:")
    chips = page.locator("#facets .chip")
    expect(chips.first).to_be_visible()
    expect(chips.first.locator(".n")).to_have_text(re.compile(r"^\d+$"))
    code = chips.first.get_attribute("data-type")
    chips.first.click()
    expect(page).to_have_url(re.compile(rf"doc_type={code}"))
    expect(page.locator("#doc_type")).to_have_value(code or "")
    expect(page.locator(f'#facets .chip[data-type="{code}"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".hit").first).to_be_visible()
    page.screenshot(path=screens / "search-chips.png", full_page=True)
    page.context.close()


def test_review_page_for_admin(browser: Browser, live_server: LiveServer, scan: Scan):
    page = login(browser, live_server, "admin", "/soat-xet")
    expect(page.get_by_role("heading", name="Soát xét phân loại giấy tờ")).to_be_visible()
    expect(page.locator("#model-version")).not_to_have_text("…")
    page.get_by_role("button", name="Huấn luyện lại").click()
    # retraining takes several seconds (more on a busy machine)
    expect(page.locator("#model-status .success")).to_contain_text(
        "lần sửa của cán bộ", timeout=120_000
    )
    page.context.close()
    clerk = login(browser, live_server, "clerk", "/soat-xet")
    expect(clerk.locator("#review-status")).not_to_contain_text("Đang tải")
    expect(clerk.get_by_role("button", name="Huấn luyện lại")).to_have_count(0)
    clerk.context.close()


def test_reception_offers_digitised_document(
    browser: Browser, live_server: LiveServer, scan: Scan, screens: Path
):
    with live_server.client("clerk") as c:  # a power of attorney is not reusable; an ID is
        r = c.post(f"/api/documents/{scan.document_id}/type", json={"type": "can_cuoc"})
        assert r.status_code == 200, r.text
    page = login(browser, live_server, "clerk", "/tiep-nhan")
    page.locator("#proc-filter").fill(BIRTH)
    expect(page.locator("#procedure")).to_have_value(BIRTH)
    page.locator("#applicant-id").fill(scan.cccd)
    expect(page.locator("#citizen-known")).to_contain_text(scan.name)
    page.get_by_role("button", name="Điền thông tin đã có").click()
    expect(page.locator("#applicant-name")).to_have_value(scan.name)
    reuse = page.locator(f"#reuse-{scan.document_id}")
    expect(page.locator("#citizen")).to_contain_text("không cần quét lại")
    expect(page.locator("#reuse-list")).to_contain_text("Căn cước")
    reuse.check()
    page.screenshot(path=screens / "reception-reuse.png", full_page=True)

    submit = page.get_by_role("button", name="Tiếp nhận hồ sơ")
    submit.click()
    expect(page.locator("#reception-error")).to_contain_text("Còn thiếu giấy tờ bắt buộc")
    submit.click()
    code = page.locator("#result-code")
    expect(code).to_have_text(re.compile(r"\S+"))
    with live_server.client("clerk") as c:
        dossier = c.get(f"/api/dossiers/{code.inner_text()}").json()
    assert {"document_id": scan.document_id, "role": "submitted", "reused": True} in dossier[
        "documents"
    ]

    # the next applicant with the same ID sees that dossier
    page.get_by_role("button", name="Tiếp nhận hồ sơ mới").click()
    page.locator("#applicant-id").fill(scan.cccd)
    expect(page.locator("#citizen-dossiers")).to_contain_text(code.inner_text())
    page.screenshot(path=screens / "reception-earlier.png", full_page=True)
    page.context.close()


def test_search_procedure_filter_and_chips(
    browser: Browser, live_server: LiveServer, scan: Scan, screens: Path
):
    """Attached to a birth registration dossier, the scan is found by that procedure: a
    chip named from the catalogue, the select, and the URL agree."""
    with live_server.client("clerk") as c:
        applicant = {"name": scan.name, "id_number": scan.cccd}
        body = {"procedure_code": BIRTH, "applicant": applicant}
        code = c.post("/api/dossiers", json=body).json()["code"]
        r = c.post(
            f"/api/dossiers/{code}/documents",
            json={"document_id": scan.document_id, "reused": True},
        )
        assert r.status_code == 201, r.text
    page = login(browser, live_server, "staff", f"/search?q={scan.name}")
    expect(page.locator("#q-hint")).to_contain_text("thu_tuc:")
    chip = page.locator(f'#procedure-facets .chip[data-procedure="{BIRTH}"]')
    expect(chip).to_contain_text("Đăng ký khai sinh")
    expect(chip.locator(".n")).to_have_text(re.compile(r"^[1-9]\d*$"))
    chip.click()
    expect(page).to_have_url(re.compile(rf"procedure={re.escape(BIRTH)}"))
    expect(page.locator("#procedure")).to_have_value(BIRTH)
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".hit").first).to_be_visible()
    expect(page.locator("#search-summary")).to_contain_text("thủ tục “Đăng ký khai sinh”")
    page.screenshot(path=screens / "search-procedure.png", full_page=True)

    # another procedure from the select: nothing of this scan is in such a dossier
    page.locator("#procedure").select_option("2.000815")
    expect(page).to_have_url(re.compile(r"procedure=2\.000815"))
    expect(page.locator("#search-status")).to_contain_text("Không tìm thấy kết quả nào")
    page.get_by_role("button", name="Bỏ bộ lọc").click()
    expect(page.locator("#procedure")).to_have_value("")
    page.context.close()
