"""The dossier pages in headless Chromium against the real server (``live_server``).

A clerk receives a birth registration through the reception form (module fixture); the
other tests follow that dossier: its page and workflow buttons, the statistics, the public
lookup and rating. Screenshots go to the pytest temp dir (or HOSO_SCREENSHOTS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000
BIRTH = "1.001193"  # Đăng ký khai sinh
OFFICIAL_TIME = re.compile(r"^\d{2} giờ \d{2} phút, ngày \d{2}/\d{2}/\d{4}$")


def new_context(browser: Browser, live_server: LiveServer) -> BrowserContext:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def login(browser: Browser, live_server: LiveServer, name: str, next_path: str) -> Page:
    page = new_context(browser, live_server).new_page()
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(live_server.password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def ensure_status(live_server: LiveServer, code: str, *path: str) -> None:
    """Moves the dossier along ``path`` (skipping steps already taken) through the API, so
    that a test run alone finds the state the earlier tests would have left."""
    with live_server.client("staff") as c:
        status = c.get(f"/api/dossiers/{code}").json()["status"]
        for step in path[path.index(status) + 1 :] if status in path else path:
            assert c.post(f"/api/dossiers/{code}/status", json={"status": step}).status_code == 200


@dataclass
class Received:
    code: str
    key: str
    appointment: str  # as shown: "HH giờ mm phút, ngày DD/MM/YYYY"


@pytest.fixture(scope="module")
def received(browser: Browser, live_server: LiveServer, screens: Path) -> Iterator[Received]:
    """The clerk receives a birth registration through /tiep-nhan."""
    page = login(browser, live_server, "clerk", "/tiep-nhan")
    expect(page).to_have_url(re.compile(r"/tiep-nhan$"))
    nav = page.get_by_role("navigation", name="Chức năng chính")
    expect(nav.get_by_role("link", name="Tiếp nhận", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Hồ sơ", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Thống kê")).to_have_count(0)

    page.get_by_label("Tìm thủ tục").fill("khai sinh")  # without diacritics works too
    expect(page.locator("#procedure option")).to_have_count(1)
    expect(page.locator("#procedure")).to_have_value(BIRTH)
    info = page.locator("#proc-info")
    expect(info).to_contain_text("Đăng ký khai sinh")
    expect(info).to_contain_text("Trong ngày")
    checklist = info.locator(".checklist li")
    expect(checklist.first).to_contain_text("Tờ khai đăng ký khai sinh")
    expect(checklist.first).to_contain_text("bản chính")
    expect(checklist.first).to_contain_text("Bắt buộc")

    page.locator("#applicant-name").fill("Trần Thị Bình")
    page.locator("#applicant-id").fill("0010900123")
    expect(page.locator("#applicant-id-hint")).to_have_text("Đã nhập 10/12 chữ số.")
    page.locator("#applicant-address").fill("Thôn Đông, xã An Bình")
    page.locator("#applicant-phone").fill("0912345678")
    page.get_by_label("Trực tiếp").check()

    # Nothing ticked: the clerk is warned about the missing mandatory documents first.
    submit = page.get_by_role("button", name="Tiếp nhận hồ sơ", exact=True)
    submit.click()
    expect(page.locator("#reception-error")).to_contain_text("Còn thiếu giấy tờ bắt buộc")
    page.get_by_role("button", name="Đánh dấu đã nhận tất cả").click()
    # The server refuses the 10-digit ID; its message is shown next to the form.
    with page.expect_response("**/api/dossiers") as answer:
        submit.click()
    assert answer.value.status == 400
    expect(page.locator("#reception-error [role=alert]")).to_contain_text("12 chữ số")
    page.locator("#applicant-id").fill("001090012345")
    expect(page.locator("#applicant-id-hint")).to_have_text("Đủ 12 chữ số.")
    page.screenshot(path=screens / "reception-form.png", full_page=True)

    submit.click()
    result = page.locator("#reception-result")
    expect(result).to_be_visible()
    expect(page.locator("#reception-form")).to_be_hidden()
    code = page.locator("#result-code").inner_text()
    assert re.fullmatch(r"\S+-\d{6}-\d{4}", code), code
    appointment = page.locator("#result-appointment").inner_text()
    assert OFFICIAL_TIME.match(appointment), appointment
    key = page.locator("#result-key").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4,}", key), key
    expect(result).to_contain_text("Đăng ký khai sinh (1.001193)")
    receipt = result.get_by_role("link", name="In giấy biên nhận")
    expect(receipt).to_have_attribute("href", f"/api/dossiers/{code}/forms/receipt.pdf")
    expect(receipt).to_have_attribute("target", "_blank")
    pdf = page.request.get(receipt.get_attribute("href") or "")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    sheets = result.get_by_role("link", name="In tờ bìa để quét")
    expect(sheets).to_have_attribute("href", re.compile(r"^/api/sheets\.pdf\?dossier="))
    page.screenshot(path=screens / "reception-done.png", full_page=True)

    # The documents ticked at the counter are on record.
    with live_server.client("clerk") as c:
        dossier = c.get(f"/api/dossiers/{code}").json()
    assert dossier["applicant"]["id_number"] == "001090012345"
    if "received_documents" in dossier:
        assert len(dossier["received_documents"]) == 4

    # "Tiếp nhận hồ sơ mới" brings back an empty form.
    page.get_by_role("button", name="Tiếp nhận hồ sơ mới").click()
    expect(page.locator("#reception-form")).to_be_visible()
    expect(page.locator("#applicant-name")).to_have_value("")
    page.context.close()
    yield Received(code, key, appointment)


def test_reception_shows_code_and_appointment(received: Received):
    assert received.code and received.key
    assert OFFICIAL_TIME.match(received.appointment)


def test_dossier_page_workflow(
    received: Received, browser: Browser, live_server: LiveServer, screens: Path
):
    page = login(browser, live_server, "staff", "/ho-so")
    nav = page.get_by_role("navigation", name="Chức năng chính")
    expect(nav.get_by_role("link", name="Thống kê")).to_be_visible()
    expect(nav.get_by_role("link", name="Tiếp nhận", exact=True)).to_have_count(0)

    # The list: the new dossier with its badge; filtering by ID number finds it.
    row = page.locator(f'tr[data-code="{received.code}"]')
    expect(row).to_contain_text("Đăng ký khai sinh")
    expect(row.locator(".badge").first).to_have_text("Đã tiếp nhận")
    page.get_by_label("Số định danh người nộp").fill("001090012345")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page).to_have_url(re.compile(r"applicant_id=001090012345"))
    expect(row).to_be_visible()
    page.get_by_label("Trạng thái").select_option("returned")
    expect(row).to_have_count(0)
    page.get_by_role("button", name="Bỏ bộ lọc").click()
    row.get_by_role("link", name=received.code).click()
    expect(page).to_have_url(re.compile(rf"/ho-so/{re.escape(received.code)}$"))

    # The API's own address for the dossier serves the same page.
    page.goto(f"/dossiers/{received.code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(received.code)
    expect(page.locator("#dossier-info")).to_contain_text("Trần Thị Bình")
    expect(page.locator("#appointment-row")).to_contain_text(received.appointment)
    # The receipt and the scanning sheets; forms 02-04 do not apply yet.
    forms = page.locator("#form-links a")
    expect(forms).to_have_count(2)
    expect(forms.nth(0)).to_have_attribute("data-form", "receipt")
    expect(forms.nth(1)).to_have_attribute("data-form", "sheets")
    sheets = page.request.get(forms.nth(1).get_attribute("href") or "")
    assert sheets.ok and sheets.body().startswith(b"%PDF")
    expect(page.locator("#extend-card")).to_be_visible()
    buttons = page.locator("#action-body button[data-status]")
    expect(buttons.filter(has_text="Trả kết quả")).to_have_count(0)  # not from "received"

    status = page.locator("#dossier-status")
    page.get_by_role("button", name="Chuyển giải quyết").click()
    expect(status).to_contain_text("Đang giải quyết")
    expect(page.locator("#action-message")).to_contain_text("Đã chuyển hồ sơ sang")
    # A supplement request needs the list of what is missing.
    page.get_by_role("button", name="Yêu cầu bổ sung").click()
    expect(page.locator("#action-message [role=alert]")).to_contain_text("mỗi dòng một giấy tờ")
    expect(status).to_contain_text("Đang giải quyết")

    page.get_by_role("button", name="Đã giải quyết xong").click()
    expect(status).to_contain_text("Đã giải quyết xong")
    # From "processed" the only way on is returning the result.
    expect(buttons).to_have_count(1)
    expect(page.locator('#action-body button[data-status="processing"]')).to_have_count(0)
    expect(page.locator("#extend-card")).to_be_hidden()
    page.locator("#status-note").fill("Đã trả tận tay công dân")
    page.get_by_role("button", name="Trả kết quả").click()
    expect(status).to_contain_text("Đã trả kết quả")
    expect(buttons).to_have_count(0)
    expect(page.locator("#action-body")).to_contain_text("không còn thao tác")

    changes = page.locator('#history-rows tr[data-kind="status"]')
    expect(changes).to_have_count(3)
    expect(changes.nth(0)).to_contain_text("Đã tiếp nhận→Đang giải quyết")
    expect(changes.nth(1)).to_contain_text("Đang giải quyết→Đã giải quyết xong")
    expect(changes.nth(2)).to_contain_text("Đã giải quyết xong→Đã trả kết quả")
    expect(changes.nth(2)).to_contain_text("Đã trả tận tay công dân")
    expect(page.locator('#history-rows tr[data-kind="received"]')).to_contain_text("kênh trực tiếp")
    page.screenshot(path=screens / "dossier.png", full_page=True)
    page.context.close()


def test_statistics_page(
    received: Received, browser: Browser, live_server: LiveServer, screens: Path
):
    ensure_status(live_server, received.code, "received", "processing", "processed", "returned")
    page = login(browser, live_server, "staff", "/thong-ke")
    table = page.locator("#ii06a")
    expect(table).to_be_visible()
    for header in (
        "Tổng số hồ sơ tiếp nhận",
        "Trực tuyến",
        "Trực tiếp, dịch vụ bưu chính",
        "Từ kỳ trước chuyển qua",
        "Số hồ sơ đã giải quyết",
        "Trước hạn",
        "Đúng hạn",
        "Số hồ sơ đang giải quyết",
        "Trong hạn",
        "Rút hồ sơ/trả lại",
    ):
        expect(table.locator("thead")).to_contain_text(header)
    # Default period: this month up to today, as the API computes it.
    date_from = page.locator("#date_from").input_value()
    date_to = page.locator("#date_to").input_value()
    assert date_from.startswith("01/") and date_from[3:] == date_to[3:], (date_from, date_to)
    csv = page.locator("#csv-link").get_attribute("href") or ""
    query = csv.split("?", 1)[1].replace("&format=csv", "")
    report = page.request.get(f"/api/reports/ii06a?{query}").json()
    figures = report["by_procedure"][BIRTH]
    assert figures["received_total"] >= 1 and figures["resolved_total"] >= 1

    row = table.locator("tr.procedure", has_text="Đăng ký khai sinh")
    expect(row.locator('[data-col="received_total"]')).to_have_text(str(figures["received_total"]))
    expect(row.locator('[data-col="resolved_total"]')).to_have_text(str(figures["resolved_total"]))
    expect(table.locator("tr.field", has_text="Hộ tịch")).to_have_count(1)
    expect(table.locator('tr.total [data-col="received_total"]')).to_have_text(
        str(report["total"]["received_total"])
    )
    bars = page.locator("#bar-chart svg[role=img]")
    expect(bars).to_be_visible()
    expect(bars.locator("rect[data-series]").first).to_be_visible()
    expect(page.locator("#donut-chart svg[role=img]")).to_be_visible()

    answer = page.request.get(csv)
    assert answer.ok and "Đăng ký khai sinh" in answer.text()
    xlsx = page.request.get(page.locator("#xlsx-link").get_attribute("href") or "")
    assert xlsx.ok and xlsx.body().startswith(b"PK")
    page.screenshot(path=screens / "statistics.png", full_page=True)

    # A bad date is explained, not sent.
    page.locator("#date_from").fill("31/02/2026")
    page.get_by_role("button", name="Xem báo cáo").click()
    expect(page.locator("#stats-status [role=alert]")).to_contain_text("không hợp lệ")
    page.context.close()


def test_public_lookup_and_rating(
    received: Received, browser: Browser, live_server: LiveServer, screens: Path
):
    ensure_status(live_server, received.code, "received", "processing", "processed", "returned")
    context = new_context(browser, live_server)  # not logged in
    page = context.new_page()
    page.goto(f"/tra-cuu?ma={received.code}&tc={received.key}")
    expect(page).to_have_url(re.compile(r"/tra-cuu\?"))  # no detour to the login form
    expect(page.get_by_role("navigation", name="Chức năng chính")).to_have_count(0)
    state = page.locator("#lookup-state")
    expect(state).to_have_text("Đã trả kết quả")
    result = page.locator("#lookup-result")
    expect(result).to_contain_text("Đăng ký khai sinh")
    expect(result).to_contain_text(received.appointment)
    expect(result).not_to_contain_text("Trần Thị Bình")  # no personal data
    expect(result.locator(".steps li.done")).to_have_count(4)
    page.screenshot(path=screens / "lookup.png", full_page=True)

    page.get_by_role("button", name="Hài lòng", exact=True).click()
    expect(page.locator("#rating")).to_contain_text("Cảm ơn ông/bà đã đánh giá")
    expect(page.locator("#rating button")).to_have_count(0)
    page.screenshot(path=screens / "lookup-rated.png", full_page=True)

    page.reload()
    expect(state).to_have_text("Đã trả kết quả")
    expect(page.locator("#rating")).to_contain_text("đã đánh giá: Hài lòng")
    expect(page.locator("#rating button")).to_have_count(0)

    # A wrong check value: a friendly not-found message, no result.
    page.get_by_label("Mã tra cứu").fill("SAI000")
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    expect(page.locator("#lookup-error")).to_contain_text("Không tìm thấy hồ sơ")
    expect(result).to_be_hidden()
    page.screenshot(path=screens / "lookup-not-found.png", full_page=True)
    context.close()


def test_clerk_is_not_offered_statistics(browser: Browser, live_server: LiveServer):
    page = login(browser, live_server, "clerk", "/thong-ke")
    expect(page.get_by_role("alert")).to_contain_text("không xem báo cáo thống kê")
    expect(page.locator("#ii06a")).to_have_count(0)
    page.context.close()
