"""The web pages in headless Chromium against the real server (``live_server``).

One batch is uploaded through the upload page (module fixture) and shared by the tests:
a scan with text, a junk file the server refuses, and a broken PDF that fails in the
pipeline (so the "Thử lại" button shows). Screenshots go to the pytest temp dir.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import RESOURCES, LiveServer

pytestmark = pytest.mark.browser

SCAN = RESOURCES / "synth" / "jpeg" / "page-0001.jpg"  # "Họ và tên: Bà Nguyễn Minh Thủy"
TIMEOUT_MS = 15_000
OCR_TIMEOUT_MS = 120_000


def new_context(browser: Browser, live_server: LiveServer) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def login(browser: Browser, live_server: LiveServer, name: str, next_path: str = "/") -> Page:
    page = new_context(browser, live_server).new_page()
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


@dataclass
class Uploaded:
    batch_id: int
    document_id: int  # the scan's document
    failed_document_id: int  # the broken PDF's
    page: Page  # the clerk's upload page after the batch is done


@pytest.fixture(scope="module")
def uploaded(
    browser: Browser,
    live_server: LiveServer,
    screens: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Uploaded]:
    files = tmp_path_factory.mktemp("upload")
    junk = files / "ghi-chu.pdf"
    junk.write_bytes(b"hello")
    broken = files / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a pdf\n")

    page = login(browser, live_server, "clerk")
    assert page.url.endswith("/upload")
    page.locator("#files").set_input_files([str(SCAN), str(junk), str(broken)])
    expect(page.locator("#file-list li")).to_have_count(3)
    page.screenshot(path=screens / "upload-chosen.png", full_page=True)
    page.get_by_role("button", name="Tải lên 3 tệp").click()

    expect(page.locator("#refused")).to_contain_text("ghi-chu.pdf", timeout=60_000)
    page.screenshot(path=screens / "upload-progress.png", full_page=True)
    expect(page.locator("#batch-progress .meter.done")).to_be_visible(timeout=OCR_TIMEOUT_MS)
    href = page.get_by_role("link", name=re.compile(r"Mở trang lô quét số \d+")).get_attribute(
        "href"
    )
    assert href
    batch_id = int(href.rsplit("/", 1)[1])
    rows = page.locator("#batch-progress tr[data-document]")
    expect(rows).to_have_count(2)
    doc_of = {
        rows.nth(i).locator("td.file a").inner_text(): int(
            rows.nth(i).get_attribute("data-document") or 0
        )
        for i in range(2)
    }
    page.screenshot(path=screens / "upload-done.png", full_page=True)
    yield Uploaded(batch_id, doc_of[SCAN.name], doc_of["hong.pdf"], page)
    page.context.close()


def test_wrong_password_shows_error(browser: Browser, live_server: LiveServer, screens: Path):
    page = new_context(browser, live_server).new_page()
    page.goto("/upload")  # not logged in: sent to the login form
    expect(page).to_have_url(re.compile(r"/login\?next=/upload$"))
    page.get_by_label("Tên đăng nhập").fill("clerk")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("clerk")  # kept for the retry
    page.screenshot(path=screens / "login-error.png", full_page=True)
    page.context.close()


def test_upload_shows_refusal_and_progress(uploaded: Uploaded):
    page = uploaded.page
    expect(page.locator("#refused")).to_contain_text("không phải PDF, TIFF, JPEG hay PNG")
    expect(page.locator(".success")).to_contain_text(
        f"Đã nhận 2 tệp vào lô quét số {uploaded.batch_id}"
    )
    meter = page.locator("#batch-progress .meter")
    expect(meter).to_contain_text("1/1 trang xong")
    expect(meter.locator("progress")).to_have_attribute("value", "1")
    scan_row = page.locator(f'tr[data-document="{uploaded.document_id}"]')
    expect(scan_row.locator(".badge")).to_have_text("Xong")
    broken_row = page.locator(f'tr[data-document="{uploaded.failed_document_id}"]')
    expect(broken_row.locator(".badge")).to_have_text("Lỗi")
    expect(page.locator("#recent")).to_contain_text(f"Lô quét số {uploaded.batch_id}")
    # The file list was emptied and the button disabled again.
    expect(page.locator("#file-list li")).to_have_count(0)
    expect(page.locator("#upload-button")).to_be_disabled()


def test_batch_page(uploaded: Uploaded, screens: Path):
    page = uploaded.page.context.new_page()
    page.goto(f"/batches/{uploaded.batch_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lô quét số {uploaded.batch_id}")
    expect(page.locator(".meter.done")).to_be_visible()
    expect(page.locator("#batch-meta")).to_contain_text("ngôn ngữ nhận dạng: vie")
    expect(page.locator(".error").first).to_contain_text("ghi-chu.pdf")
    scan_row = page.locator(f'tr[data-document="{uploaded.document_id}"]')
    expect(scan_row).to_contain_text(SCAN.name)
    expect(scan_row.locator("td.num").first).to_have_text("1/1")
    retry = page.locator(f'tr[data-document="{uploaded.failed_document_id}"]').get_by_role(
        "button", name=re.compile("^Thử lại")
    )
    page.screenshot(path=screens / "batch.png", full_page=True)
    with page.expect_response(re.compile(r"/api/documents/\d+/retry$")) as answer:
        retry.click()
    assert answer.value.status == 200
    # The retried broken PDF fails again; the page follows it back to "done".
    expect(page.locator(".meter.done")).to_be_visible(timeout=60_000)
    expect(page.locator('[role="alert"]', has_text="Không thử lại được")).to_have_count(0)
    page.get_by_role("link", name=SCAN.name).first.click()
    expect(page).to_have_url(re.compile(rf"/documents/{uploaded.document_id}$"))
    page.close()


def test_document_page(uploaded: Uploaded, screens: Path):
    page = uploaded.page.context.new_page()
    page.goto(f"/documents/{uploaded.document_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(SCAN.name)
    image = page.locator("#page-image")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('#page-image').naturalWidth > 0")
    expect(page.locator("#page-text")).to_contain_text("Nguyễn Minh Thủy")
    expect(page.locator("#page-info")).to_contain_text("Độ tin cậy OCR")
    expect(page.locator("#thumbs button")).to_have_count(1)
    pdf = page.locator("#pdf-link")
    expect(pdf).to_have_attribute("href", f"/api/documents/{uploaded.document_id}/pdf")
    answer = page.request.get(f"/api/documents/{uploaded.document_id}/pdf")
    assert answer.ok and answer.body().startswith(b"%PDF")
    page.screenshot(path=screens / "document.png", full_page=True)

    # A failed document shows its error and no PDF link.
    page.goto(f"/documents/{uploaded.failed_document_id}")
    expect(page.locator("#doc-status")).to_have_text(re.compile("Lỗi|Đang xử lý"))
    expect(page.locator("#pdf-link")).to_have_count(0)
    page.close()


def test_staff_search_without_diacritics(
    uploaded: Uploaded, browser: Browser, live_server: LiveServer, screens: Path
):
    page = login(browser, live_server, "staff")
    expect(page).to_have_url(re.compile(r"/search$"))
    nav = page.get_by_role("navigation", name="Chức năng chính")
    expect(nav.get_by_role("link", name="Tìm kiếm hồ sơ")).to_be_visible()
    expect(nav.get_by_role("link", name="Tải lên lô quét")).to_have_count(0)
    expect(page.locator("#q-hint")).to_contain_text("có dấu hoặc không dấu")

    # Empty query: a friendly message, no request.
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("#search-status")).to_contain_text("Hãy nhập từ khóa cần tìm")

    page.get_by_label("Từ khóa").fill("nguyen minh thuy")
    page.get_by_label("Từ khóa").press("Enter")
    hit = page.locator(".hit").first
    expect(hit).to_be_visible()
    expect(page.locator("#search-summary")).to_contain_text("Tìm thấy")
    snippet = hit.locator(".snippet")
    expect(snippet).to_contain_text("Nguyễn Minh Thủy")
    expect(snippet.locator("b", has_text="Nguyễn")).to_have_count(1)
    expect(snippet.locator("b", has_text="Thủy")).to_have_count(1)
    expect(hit.locator(".meta")).to_contain_text(f"Trang 1 · Lô quét số {uploaded.batch_id}")
    expect(hit.get_by_role("link", name="Mở PDF")).to_have_attribute(
        "href", re.compile(rf"/api/documents/{uploaded.document_id}/pdf")
    )
    expect(page).to_have_url(re.compile(r"/search\?q=nguyen\+minh\+thuy"))
    page.screenshot(path=screens / "search.png", full_page=True)

    hit.get_by_role("link", name=SCAN.name).click()
    expect(page).to_have_url(re.compile(rf"/documents/{uploaded.document_id}#page-1$"))
    expect(page.locator("#page-image")).to_be_visible()
    expect(page.locator("#page-text")).to_contain_text("Nguyễn Minh Thủy")
    expect(page.locator('#thumbs button[data-page="1"]')).to_have_attribute("aria-current", "true")

    # Back to the results (query kept in the URL); then a search that finds nothing.
    page.go_back()
    expect(page.locator(".hit").first).to_be_visible()
    expect(page.get_by_label("Từ khóa")).to_have_value("nguyen minh thuy")
    # Filters: this batch and a date range in dd/mm/yyyy; a range in the future finds nothing.
    page.get_by_label("Lô quét").select_option(str(uploaded.batch_id))
    page.get_by_label("Tải lên từ ngày").fill("01/01/2000")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(rf"batch={uploaded.batch_id}&date_from=2000-01-01"))
    expect(page.locator(".hit")).to_have_count(1)
    page.get_by_label("Tải lên từ ngày").fill("01/01/2100")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("#search-status")).to_contain_text("Không tìm thấy kết quả nào")
    page.get_by_label("Tải lên từ ngày").fill("31/02/2025")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("#search-status [role=alert]")).to_contain_text("không hợp lệ")
    page.get_by_role("button", name="Bỏ bộ lọc").click()

    page.get_by_label("Từ khóa").fill("khongcotukhoanay")
    page.get_by_label("Từ khóa").press("Enter")
    expect(page.locator("#search-status")).to_contain_text("Không tìm thấy kết quả nào")
    expect(page.locator(".hit")).to_have_count(0)

    # Staff may look at batches but is not offered the upload form.
    page.goto("/upload")
    expect(page.locator(".notice")).to_contain_text("không có quyền tải lên")
    expect(page.locator("#files")).to_have_count(0)
    expect(page.locator("#recent")).to_contain_text(f"Lô quét số {uploaded.batch_id}")

    # An API error is shown with the API's own message.
    page.goto("/search?q=" + "binh+" * 101)
    expect(page.locator("#search-status [role=alert]")).to_contain_text("Từ khóa quá dài")
    page.context.close()


def test_clerk_is_not_offered_search(browser: Browser, live_server: LiveServer, screens: Path):
    page = login(browser, live_server, "clerk", next_path="/search")
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.get_by_role("alert")).to_contain_text("không được tìm kiếm hồ sơ")
    expect(page.locator("#q")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Chức năng chính")
    expect(nav.get_by_role("link", name="Tìm kiếm hồ sơ")).to_have_count(0)
    expect(nav.get_by_role("link", name="Tải lên lô quét")).to_be_visible()
    # The API refuses too, with a Vietnamese message.
    answer = page.request.get("/api/search?q=binh")
    assert answer.status == 403
    assert "không được" in answer.json()["error"]
    page.screenshot(path=screens / "search-clerk.png", full_page=True)
    page.context.close()
