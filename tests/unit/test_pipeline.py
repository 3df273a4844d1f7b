"""The pipeline steps on fakes: split → ocr per page → assemble + index; failures and
retries; every step safe to run twice."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from ingest.pipeline import Message, Pipeline
from ingest.progress import batch_progress
from ingest.rasterize import Limits
from ingest.upload import create_batch, receive_file
from records.migrate import upgrade
from records.model import Role
from records.sql import UnitOfWork, make_engine, session_factory
from records.users import ensure_user
from search import SearchQuery
from search.memory import MemoryIndex
from storage.memory import MemoryStore
from tests.fakes import FakeRecognizer, text_png


class World:
    def __init__(self, tmp: Path, url: str | None = None) -> None:
        url = url or f"sqlite:///{tmp / 'db.sqlite'}"
        upgrade(url)
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)
        self.store = MemoryStore()
        self.index = MemoryIndex()
        self.ocr = FakeRecognizer()
        self.pipeline = Pipeline(
            self.uow, self.store, lambda: self.index, self.ocr, tmp / "work", Limits()
        )
        with self.uow() as uow:
            self.user_id = ensure_user(uow, "clerk", Role.CLERK).id
            uow.commit()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def upload(self, files: dict[str, bytes]) -> tuple[int, list[Message], list[str | None]]:
        batch = create_batch(self.uow, self.user_id, "vie")  # type: ignore[arg-type]
        messages, errors = [], []
        for name, data in files.items():
            r = receive_file(self.uow, self.store, batch, name, io.BytesIO(data), max_bytes=10**8)
            messages += r.messages
            errors.append(r.error)
        return batch, messages, errors

    def drain(self, messages: list[Message]) -> list[Message]:
        """Run messages (and their follow-ups) to completion; return every message run."""
        seen, queue = [], list(messages)
        while queue:
            m = queue.pop(0)
            seen.append(m)
            queue += getattr(self.pipeline, m.task)(m.id)
        return seen

    def progress(self, batch: int) -> dict:
        with self.uow() as uow:
            return batch_progress(uow, batch)


def png_bytes(tmp: Path, text: str) -> bytes:
    return text_png(tmp / "p.png", text).read_bytes()


def tiff_bytes(texts: list[str]) -> bytes:
    frames = [Image.new("L", (300, 400), 255) for _ in texts]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.engine.dispose()


def test_batch_goes_from_upload_to_searchable(world: World, tmp_path: Path) -> None:
    """GIVEN a PNG page and a 3-page TIFF WHEN the pipeline runs THEN both documents are
    done, have searchable PDFs with every page, and their text is in the index."""
    batch, messages, errors = world.upload(
        {
            "don.png": png_bytes(tmp_path, "Nguyễn Văn An đất đai"),
            "scan.tif": tiff_bytes(["", "", ""]),
        }
    )
    assert errors == [None, None]
    ran = world.drain(messages)
    assert [m.task for m in ran].count("ocr_page") == 4
    progress = world.progress(batch)
    assert progress["status"] == "done"
    assert (progress["pages_total"], progress["pages_done"], progress["pages_failed"]) == (4, 4, 0)
    assert [d["status"] for d in progress["documents"]] == ["done", "done"]
    hits = world.index.search(SearchQuery("nguyen van an")).hits
    assert [(h.source, h.page) for h in hits] == [("don.png", 1)]
    with world.uow() as uow:
        from records.model import Document

        docs = uow.session.query(Document).order_by(Document.id).all()
        pdfs = [pikepdf.open(io.BytesIO(world.store.get_bytes(d.pdf_sha256))) for d in docs]
        assert [len(p.pages) for p in pdfs] == [1, 3]


def test_refused_file_is_recorded_and_others_carry_on(world: World, tmp_path: Path) -> None:
    batch, messages, errors = world.upload(
        {"hong.pdf": b"PK\x03\x04 not a pdf", "tot.png": png_bytes(tmp_path, "tốt")}
    )
    assert errors[0] is not None and "ZIP" in errors[0]
    assert errors[1] is None
    world.drain(messages)
    progress = world.progress(batch)
    assert progress["status"] == "done"
    assert [e["source"] for e in progress["errors"]] == ["hong.pdf"]
    assert [d["status"] for d in progress["documents"]] == ["done"]


def test_corrupt_pdf_fails_its_document_only(world: World, tmp_path: Path) -> None:
    batch, messages, _ = world.upload(
        {"cut.pdf": b"%PDF-1.7\n1 0 obj\n<<", "ok.png": png_bytes(tmp_path, "được")}
    )
    world.drain(messages)
    docs = {d["source"]: d for d in world.progress(batch)["documents"]}
    assert docs["cut.pdf"]["status"] == "failed"
    assert "PDF bị hỏng" in docs["cut.pdf"]["error"]
    assert docs["ok.png"]["status"] == "done"


def test_failed_page_fails_document_and_retry_recovers(world: World, tmp_path: Path) -> None:
    batch, messages, _ = world.upload({"x.png": png_bytes(tmp_path, "CRASH here")})
    world.drain(messages)
    doc = world.progress(batch)["documents"][0]
    assert doc["status"] == "failed" and "Trang 1" in doc["error"] and "mã thoát" in doc["error"]
    with world.uow() as uow:
        from records.model import Page

        page = uow.session.query(Page).one()
        assert page.status == "failed" and page.attempts == 1
    # The engine is fixed (here: the fake stops crashing); a retry finishes the document.
    original_run = world.ocr.run

    def run_without_crash(image, out_dir, options):  # type: ignore[no-untyped-def]
        fixed = tmp_path / "fixed.png"
        text_png(fixed, "đã sửa")
        return original_run(fixed, out_dir, options)

    world.ocr.run = run_without_crash  # type: ignore[method-assign]
    world.drain(world.pipeline.retry_document(doc["id"]))
    doc = world.progress(batch)["documents"][0]
    assert doc["status"] == "done" and doc["error"] is None
    assert world.index.search(SearchQuery("da sua")).total == 1


def test_every_step_is_idempotent(world: World, tmp_path: Path) -> None:
    """Redelivered messages (a worker killed after the work, before the ack) change nothing."""
    batch, messages, _ = world.upload({"a.tif": tiff_bytes(["", ""])})
    ran = world.drain(messages)
    calls = len(world.ocr.calls)
    for m in ran:  # everything delivered a second time
        getattr(world.pipeline, m.task)(m.id)
    assert len(world.ocr.calls) == calls
    progress = world.progress(batch)
    assert progress["pages_total"] == 2 and progress["pages_done"] == 2
    with world.uow() as uow:
        from records.model import Page

        assert uow.session.query(Page).count() == 2


def test_split_enforces_page_limit(world: World, tmp_path: Path) -> None:
    world.pipeline._limits = Limits(max_pages=2)
    batch, messages, _ = world.upload({"dai.tif": tiff_bytes(["", "", ""])})
    world.drain(messages)
    doc = world.progress(batch)["documents"][0]
    assert doc["status"] == "failed" and "giới hạn 2 trang" in doc["error"]


def test_oversized_upload_is_refused_without_storing(world: World) -> None:
    batch = create_batch(world.uow, world.user_id, "vie")  # type: ignore[arg-type]
    r = receive_file(
        world.uow, world.store, batch, "to.pdf", io.BytesIO(b"%PDF-" + b"0" * 5000), max_bytes=1000
    )
    assert r.error is not None and "giới hạn" in r.error and r.messages == []
    assert world.store.objects == {}


def test_same_bytes_again_are_linked_not_processed_twice(world: World, tmp_path: Path) -> None:
    """GIVEN a file already digitised WHEN the same bytes arrive again (any name, any batch)
    THEN no new document is made, nothing is recognised again, and the clerk is told which
    earlier document it is."""
    data = png_bytes(tmp_path, "Giấy khai sinh Nguyễn Văn An")
    first, messages, _ = world.upload({"khai-sinh.png": data})
    world.drain(messages)
    calls = len(world.ocr.calls)
    second, messages, errors = world.upload(
        {"ban-chup-lai.png": data, "khac.png": png_bytes(tmp_path, "khác")}
    )
    world.drain(messages)
    assert errors == [None, None]
    assert len(world.ocr.calls) == calls + 1  # only the new file
    progress = world.progress(second)
    [dup] = progress["duplicates"]
    earlier_doc = world.progress(first)["documents"][0]["id"]
    assert dup["source"] == "ban-chup-lai.png" and dup["document_id"] == earlier_doc
    assert dup["batch_id"] == first and dup["earlier_source"] == "khai-sinh.png"
    assert [d["source"] for d in progress["documents"]] == ["khac.png"]


def pdf_of_pages(tmp: Path, texts: list[str]) -> bytes:
    """A scanned-style PDF, one PNG page per text (the fake OCR reads the text back)."""
    import img2pdf

    paths = [str(text_png(tmp / f"p{i}.png", t)) for i, t in enumerate(texts)]
    return bytes(img2pdf.convert(paths))


def test_batch_is_split_by_cover_and_separator_sheets(world: World, tmp_path: Path) -> None:
    """GIVEN a day's scan: pages before any sheet, a cover sheet for dossier X, two pages,
    a separator for an ID card copy, a page and a blank back, a cover for dossier Y and a page
    WHEN processed THEN it becomes four documents with their dossier and type, the sheets
    are not document pages, the blank back is kept and listed but not searchable."""
    x, y = "000.00.12.H56-260302-0001", "000.00.12.H56-260302-0002"
    texts = [
        "trang lẻ đầu lô",
        f"COVER:{x}",
        "tờ khai khai sinh",
        "giấy chứng sinh",
        "SEP:can_cuoc",
        "căn cước công dân",
        "BLANK",
        f"COVER:{y}",
        "đơn đăng ký đất đai",
    ]
    batch, messages, _ = world.upload({"ca-ngay.pdf": pdf_of_pages(tmp_path, texts)})
    ran = world.drain(messages)
    assert [m.task for m in ran].count("group_source") == 1
    progress = world.progress(batch)
    assert progress["status"] == "done" and progress["pages_total"] == 9
    docs = [
        (d["dossier_code"], d["doc_type_sheet"], d["pages"], d["blank_pages"], d["status"])
        for d in progress["documents"]
    ]
    assert docs == [
        (None, None, 1, [], "done"),
        (x, None, 2, [], "done"),
        (x, "can_cuoc", 2, [2], "done"),
        (y, None, 1, [], "done"),
    ]
    ids = [d["id"] for d in progress["documents"]]
    pdfs = []
    with world.uow() as uow:
        from records.model import Document

        for doc_id in ids:
            doc = uow.session.get(Document, doc_id)
            pdfs.append(len(pikepdf.open(io.BytesIO(world.store.get_bytes(doc.pdf_sha256))).pages))
    assert pdfs == [1, 2, 2, 1]  # the blank back is in the PDF; sheets are not
    hit = world.index.search(SearchQuery("can cuoc cong dan")).hits[0]
    assert (hit.document_id, hit.page) == (ids[2], 1)
    assert world.index.search(SearchQuery(x.split("-")[0])).total == 0  # sheets not indexed


def test_covered_documents_join_their_dossier_now_or_at_reception(
    world: World, tmp_path: Path
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from records.calendar_store import working_calendar
    from records.catalogue_store import seed_procedures
    from records.dossiers import Channel
    from records.reception import Person, ReceptionRequest, find, receive
    from records.workflow import attach_waiting, documents_of

    with world.uow() as uow:
        seed_procedures(uow)
        uow.commit()

    def reception() -> str:
        request = ReceptionRequest(
            "1.001193",
            Person("Phan Văn Tú", "001203004567"),
            Channel.DIRECT,
            datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        )
        code = receive(world.uow, working_calendar, "000.00.12.H56", request, None).code
        attach_waiting(world.uow, code)
        return code

    existing = reception()  # ...-0001, received before the scan
    later = "000.00.12.H56-260302-0002"  # not received yet when scanned
    texts = [f"COVER:{existing}", "tờ khai", f"COVER:{later}", "đơn"]
    batch, messages, _ = world.upload({"lo.pdf": pdf_of_pages(tmp_path, texts)})
    world.drain(messages)
    first_doc, second_doc = (d["id"] for d in world.progress(batch)["documents"])
    with world.uow() as uow:
        assert [x.document_id for x in documents_of(uow, find(uow, existing))] == [first_doc]
    assert reception() == later  # now the dossier is received: its papers join it
    with world.uow() as uow:
        assert [x.document_id for x in documents_of(uow, find(uow, later))] == [second_doc]


def test_file_of_only_sheets_fails_clearly(world: World, tmp_path: Path) -> None:
    batch, messages, _ = world.upload(
        {"bia.pdf": pdf_of_pages(tmp_path, ["SEP:khac", "COVER:000.00.12.H56-260302-0009"])}
    )
    world.drain(messages)
    [doc] = world.progress(batch)["documents"]
    assert doc["status"] == "failed" and "tờ bìa" in doc["error"]


def test_blank_backs_can_be_left_out_of_the_pdf(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.pipeline._drop_blank = True
    batch, messages, _ = world.upload(
        {"a.pdf": pdf_of_pages(tmp_path, ["mặt trước", "BLANK", "trang hai"])}
    )
    world.drain(messages)
    [doc] = world.progress(batch)["documents"]
    assert doc["pages"] == 3 and doc["blank_pages"] == [2]  # still recorded
    with world.uow() as uow:
        from records.model import Document

        key = uow.session.get(Document, doc["id"]).pdf_sha256
    assert len(pikepdf.open(io.BytesIO(world.store.get_bytes(key))).pages) == 2
    world.engine.dispose()
