"""A clerk fixes how a batch was cut, in headless Chromium against the real server.

One batch (uploaded through the API, on a server of this module's own) holds one scanned
PDF of three pages: synthetic pages 1, 3 and 1 again. In the browser the clerk splits it,
moves a page, turns one, takes one out, merges the documents back and reorders the pages
(drag and drop and the ◀ ▶ buttons), on the batch page and on the document page; the end
result is checked through the API. Staff sees the same tree with no editing tools.
Screenshots go to the pytest temp dir (or $HOSO_SCREENSHOTS).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from pathlib import Path

import img2pdf
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.conftest import RESOURCES, LiveServer, hoso_env, running_server

pytestmark = pytest.mark.browser

JPEG = RESOURCES / "synth" / "jpeg"
TIMEOUT_MS = 15_000
REDO_MS = 60_000  # re-assembly (and re-recognition of a turned page) by the worker
FIRST = "Phan Thanh Việt"  # on synthetic page 1
THIRD = "Bùi Văn Giang"  # on synthetic page 3


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's own ``hoso serve``: the documents edited here carry the same text as
    other browser tests' scans, which count search hits on the shared server."""
    data_dir = tmp_path_factory.mktemp("editing-data")
    with running_server(data_dir, hoso_env(data_dir)) as server:
        yield server


@functools.cache
def scanned_pdf() -> bytes:
    """3 scanned pages: synthetic pages 1, 3 and 1 again (made once: img2pdf dates it)."""
    return bytes(
        img2pdf.convert(
            [str(JPEG / n) for n in ("page-0001.jpg", "page-0003.jpg", "page-0001.jpg")]
        )
    )


def upload(live_server: LiveServer, name: str) -> int:
    """A batch of the one scanned PDF, under ``name``."""
    pdf = scanned_pdf()
    with live_server.client("clerk") as c:
        answer = c.post(
            "/api/batches",
            files=[("files", (name, pdf, "application/pdf"))],
            data={"language": "vie"},
        )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


@pytest.fixture(scope="module")
def batch(live_server: LiveServer) -> int:
    batch_id = upload(live_server, "ho-so-ghep.pdf")
    live_server.wait_batch(batch_id, timeout=120)
    return batch_id


def open_as(browser: Browser, live_server: LiveServer, role: str, path: str) -> Page:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [{"name": "hoso_token", "value": live_server.tokens[role], "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(path)
    return page


def card(page: Page, doc_id: int) -> Locator:
    return page.locator(f'.doc-card[data-document="{doc_id}"]')


def doc_ids(page: Page) -> list[int]:
    cards = page.locator(".doc-card")
    return [int(cards.nth(i).get_attribute("data-document") or 0) for i in range(cards.count())]


def thumb(page: Page, doc_id: int, number: int) -> Locator:
    return card(page, doc_id).get_by_role("button", name=re.compile(rf"^Trang {number}\b"))


def reprocessed(page: Page, what: str) -> None:
    """After the edit ``what``: "đang xử lý lại…", then done again and the tree drawn anew."""
    t0 = time.monotonic()
    status = page.locator("#edit-status")
    expect(status).to_contain_text(re.compile(f"Đã {what}(; đang| — đã) xử lý lại"))
    expect(status.locator(".success")).to_have_text(
        f"Đã {what} — đã xử lý lại xong.", timeout=REDO_MS
    )
    expect(page.locator('.doc-card[data-status="pending"]')).to_have_count(0)
    print(f"reprocessed in {time.monotonic() - t0:.1f} s")


def pages_of(live_server: LiveServer, doc_id: int) -> tuple[dict, list[str]]:
    with live_server.client("clerk") as c:
        doc = c.get(f"/api/documents/{doc_id}").json()
        text = c.get(f"/api/documents/{doc_id}/text").text
    return doc, text.split("\f")


def test_staff_sees_the_tree_but_no_tools(
    batch: int, browser: Browser, live_server: LiveServer, screens: Path
):
    page = open_as(browser, live_server, "staff", f"/batches/{batch}")
    tree = page.locator("#tree")
    expect(tree.locator(".dossier h3")).to_have_text(re.compile("^Chưa có tờ bìa"))
    expect(tree.locator(".pg")).to_have_count(3)
    expect(tree.locator(".pg img[loading=lazy]")).to_have_count(3)
    expect(tree.locator("a.pg-thumb").first).to_have_attribute(
        "href", re.compile(r"/documents/\d+#page-1$")
    )
    expect(tree.locator("button")).to_have_count(0)  # no select / ◀ ▶ / ghép
    expect(tree.locator("[draggable=true]")).to_have_count(0)
    page.screenshot(path=screens / "batch-tree-staff.png", full_page=True)
    doc_id = doc_ids(page)[0]

    # The same file again, in another batch: listed as a duplicate of that document.
    again = upload(live_server, "ban-sao.pdf")
    page.goto(f"/batches/{again}")
    duplicate = page.locator("#duplicates li")
    expect(duplicate).to_have_text(
        f"Tệp trùng: ban-sao.pdf → tài liệu {doc_id} (tệp ho-so-ghep.pdf của lô quét số {batch})"
    )
    expect(duplicate.get_by_role("link")).to_have_attribute("href", f"/documents/{doc_id}")
    expect(page.locator("#tree")).to_contain_text("không có tài liệu mới")
    page.screenshot(path=screens / "batch-duplicate.png", full_page=True)

    # A blank page (faked in the API's answers) is greyed and flagged.
    def blank_second(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        if "page_list" in body:
            body["page_list"][1]["blank"] = True
        else:
            for d in body["documents"]:
                d["blank_pages"] = [2]
        route.fulfill(response=answer, json=body)

    page.route(re.compile(rf"/api/(batches/{batch}|documents/\d+)$"), blank_second)
    page.goto(f"/batches/{batch}")
    blank = page.locator(".pg.blank")
    expect(blank).to_have_count(1)
    expect(blank).to_have_attribute("data-page", "2")
    expect(blank.locator(".badge")).to_have_text("trang trắng")
    expect(blank.locator("img")).to_have_css("opacity", "0.45")
    expect(page.locator(".doc-card .flag-blank")).to_have_text("Trang trắng: 2")
    page.screenshot(path=screens / "batch-tree-blank.png", full_page=True)
    page.unroute_all()
    page.goto(f"/documents/{doc_id}")
    expect(page.locator("#doc-facts dd").first).to_have_text("chưa có tờ bìa")
    expect(page.locator("#page-image")).to_be_visible()
    expect(page.locator("#page-edit button")).to_have_count(0)
    expect(page.locator("#doc-edit button")).to_have_count(0)
    page.context.close()


def test_clerk_fixes_the_cut(batch: int, browser: Browser, live_server: LiveServer, screens: Path):
    page = open_as(browser, live_server, "clerk", f"/batches/{batch}")
    expect(page.locator(".doc-card")).to_have_count(1)
    (a,) = doc_ids(page)
    expect(card(page, a).locator(".pg img[loading=lazy]")).to_have_count(3)
    expect(card(page, a).locator(".page-count")).to_have_text("3 trang")
    expect(page.locator("#batch-progress .meter.done")).to_be_visible()  # live progress kept

    # Split after page 1: two documents.
    thumb(page, a, 1).click()
    expect(thumb(page, a, 1)).to_have_attribute("aria-pressed", "true")
    panel = card(page, a).locator(".edit-panel")
    page.screenshot(path=screens / "batch-tree-selected.png", full_page=True)
    panel.get_by_role("button", name="Tách tài liệu sau trang này").click()
    reprocessed(page, "tách tài liệu sau trang 1")
    expect(page.locator(".doc-card")).to_have_count(2)
    b = next(d for d in doc_ids(page) if d != a)
    expect(card(page, a).locator(".pg")).to_have_count(1)
    expect(card(page, b).locator(".pg")).to_have_count(2)
    page.screenshot(path=screens / "batch-tree-split.png", full_page=True)

    # Move B's page 2 (page 1 again) to the front of A: A = [1', 1], B = [3].
    thumb(page, b, 2).click()
    panel = card(page, b).locator(".edit-panel")
    panel.get_by_label("Chuyển sang tài liệu").select_option(str(a))
    panel.get_by_label("vào").select_option("1")
    panel.get_by_role("button", name="Chuyển trang").click()
    reprocessed(page, f"chuyển trang 2 sang tài liệu số {a}")
    expect(card(page, a).locator(".pg")).to_have_count(2)
    expect(card(page, b).locator(".pg")).to_have_count(1)

    # Turn A's page 2 by 180°: recognised again, the thumbnail changes.
    with live_server.client("clerk") as c:
        before = c.get(f"/api/documents/{a}/pages/2/thumb").content
    old_src = thumb(page, a, 2).locator("img").get_attribute("src")
    thumb(page, a, 2).click()
    card(page, a).get_by_role("button", name="Xoay 180°").click()
    reprocessed(page, "xoay trang 2 180°")
    expect(card(page, a).get_by_role("button", name="Xoay 180°")).to_be_focused()  # kept
    expect(thumb(page, a, 2).locator("img")).not_to_have_attribute("src", old_src or "")
    with live_server.client("clerk") as c:
        after = c.get(f"/api/documents/{a}/pages/2/thumb").content
    assert after != before

    # Take the turned page out (asked to confirm first).
    panel = card(page, a).locator(".edit-panel")
    expect(panel).to_have_attribute("data-page", "2")  # still selected after the turn
    panel.get_by_role("button", name="Bỏ trang", exact=True).click()
    panel.get_by_role("button", name="Bỏ trang 2").click()
    reprocessed(page, "bỏ trang 2")
    expect(card(page, a).locator(".pg")).to_have_count(1)

    # The document page of A, opened now: its facts and the same page tools.
    other = page.context.new_page()
    other.goto(f"/documents/{a}")
    expect(other.locator("#doc-facts dt")).to_have_text(["Hồ sơ:", "Loại giấy tờ:"])
    expect(other.locator("#doc-facts dd")).to_have_text(["chưa có tờ bìa", "chưa có tờ phân cách"])
    tools = other.locator("#page-edit .edit-panel")
    expect(tools.get_by_role("button", name="Xoay 180°")).to_be_enabled()
    expect(tools.get_by_role("button", name="Tách tài liệu sau trang này")).to_be_disabled()
    expect(
        tools.get_by_role("button", name="Bỏ trang", exact=True)
    ).to_be_disabled()  # the only page
    expect(tools.get_by_label("Chuyển sang tài liệu")).to_contain_text(f"tài liệu số {b}")

    # Merge B back into A: A = [1', 3].
    card(page, a).get_by_role("button", name="Ghép với tài liệu…").click()
    form = card(page, a).locator(".merge-form")
    form.get_by_label("Tài liệu ghép vào").select_option(str(b))
    form.get_by_role("button", name="Ghép", exact=True).click()
    reprocessed(page, f"ghép tài liệu số {b} vào tài liệu số {a}")
    expect(page.locator(".doc-card")).to_have_count(1)
    expect(card(page, a).locator(".pg")).to_have_count(2)
    expect(page.locator("#batch-progress tr[data-document]")).to_have_count(1)

    # The document page still offers B, which is gone: the API's refusal is shown as is.
    tools.get_by_label("Chuyển sang tài liệu").select_option(str(b))
    tools.get_by_role("button", name="Chuyển trang").click()
    expect(other.locator("#edit-status [role=alert]")).to_contain_text(
        f"Không chuyển trang 1 sang tài liệu số {b} được: Không tìm thấy tài liệu số {b}"
    )
    other.screenshot(path=screens / "document-edit-error.png", full_page=True)
    other.close()

    # Reorder: drag page 2 before page 1, undo with ▶, redo with ◀, then save.
    bar = card(page, a).locator(".order-bar")
    thumb(page, a, 2).drag_to(thumb(page, a, 1), target_position={"x": 8, "y": 40})
    expect(bar).to_contain_text("trang 2, 1")
    card(page, a).get_by_role("button", name="Chuyển trang 2 ra sau").click()
    expect(bar).to_have_count(0)
    card(page, a).get_by_role("button", name="Chuyển trang 2 lên trước").press("Enter")
    expect(bar).to_contain_text("trang 2, 1")
    # "lên trước" is now disabled for the first page: focus went to its "ra sau"
    expect(card(page, a).get_by_role("button", name="Chuyển trang 2 ra sau")).to_be_focused()
    expect(card(page, a).locator(".pg").first).to_have_attribute("data-page", "2")
    bar.get_by_role("button", name="Lưu thứ tự").click()
    reprocessed(page, f"lưu thứ tự trang của tài liệu số {a}")
    expect(bar).to_have_count(0)
    page.screenshot(path=screens / "batch-tree-final.png", full_page=True)

    # The document page: split after page 1 there (link to the new document), then merge
    # the new one back from the same page.
    page.goto(f"/documents/{a}")
    tools = page.locator("#page-edit .edit-panel")
    expect(tools).to_have_attribute("data-page", "1")
    tools.get_by_role("button", name="Tách tài liệu sau trang này").click()
    done = page.locator("#edit-status .success")
    expect(done).to_contain_text("đã xử lý lại xong", timeout=REDO_MS)
    new = int((done.get_by_role("link").get_attribute("href") or "").rsplit("/", 1)[1])
    expect(page.locator("#thumbs button")).to_have_count(1)
    page.get_by_role("button", name="Ghép với tài liệu…").click()
    page.get_by_label("Tài liệu ghép vào").select_option(str(new))
    page.get_by_role("button", name="Ghép", exact=True).click()
    expect(done).to_contain_text(f"Đã ghép tài liệu số {new} vào tài liệu số {a}", timeout=REDO_MS)
    expect(page.locator("#thumbs button")).to_have_count(2)
    page.screenshot(path=screens / "document-edit.png", full_page=True)

    doc, texts = pages_of(live_server, a)
    assert doc["status"] == "done" and doc["pages"] == 2 and len(doc["page_list"]) == 2
    assert len(texts) == 2
    assert THIRD in texts[0] and FIRST in texts[1], texts
    page.context.close()
