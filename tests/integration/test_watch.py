"""``hoso watch``: a scanner's hot folder, with real OCR on tiny inputs.

One real run (a scan and a file that is not one) seeds a data directory; the other tests
work on copies of it, so only runs that must recognise something new pay for OCR.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hoso.bootstrap import Container, bootstrap
from hoso.settings import Settings
from hoso.watch import STATE_DIR, Watcher, codes_in
from ingest.pipeline import Message
from records.errors import Conflict
from search import SearchQuery
from tests.conftest import RESOURCES, hoso_env, run_hoso

JPEG = RESOURCES / "synth" / "jpeg"
KEYS = {"batch_id", "folder", "files", "done", "failed", "duplicates"}


@dataclass
class Run:
    code: int
    lines: list[dict[str, Any]]
    stderr: str


def watch_once(hot: Path, data: Path, *extra: str) -> Run:
    done = run_hoso(
        ["watch", str(hot), "--once", "--json", "--settle", "0", *extra], hoso_env(data)
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return Run(done.returncode, lines, done.stderr)


def count(data: Path, table: str) -> int:
    with sqlite3.connect(data / "hoso.db") as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def documents_of(data: Path, sha: str) -> list[int]:
    with sqlite3.connect(data / "hoso.db") as db:
        rows = db.execute(
            "SELECT d.id FROM documents d JOIN source_files s ON s.id = d.source_file_id "
            "WHERE s.sha256 = ?",
            (sha,),
        ).fetchall()
    return [r[0] for r in rows]


def strip_scan(dest: Path, n: int) -> Path:
    """A small scan (a strip of a synthetic page, different for each ``n``): quick to
    recognise, distinct bytes."""
    from PIL import Image

    with Image.open(JPEG / "page-0002.jpg") as page:
        top = 300 + 500 * n
        page.crop((0, top, page.width, top + 500)).save(dest, quality=85, dpi=page.info["dpi"])
    return dest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def only(folder: Path, pattern: str) -> Path:
    """The one file matching ``pattern`` under ``folder/<day>/``."""
    found = sorted(folder.glob(f"*/{pattern}"))
    assert len(found) == 1, (pattern, sorted(p.name for p in folder.rglob("*")))
    return found[0]


def open_entries(hot: Path) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    for line in (hot / STATE_DIR / "journal.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        state[rec["path"]] = {**state.get(rec["path"], {}), **rec}
    return {p: e for p, e in state.items() if e["state"] in ("claimed", "submitted", "dispatched")}


@contextmanager
def container(data: Path) -> Iterator[Container]:
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'hoso.db'}",
        storage_url=f"file://{data / 'objects'}",
        search_url=f"tantivy://{data / 'index'}",
    )
    box = bootstrap(settings)
    try:
        yield box
    finally:
        box.engine.dispose()


@dataclass
class Seeded:
    data: Path
    hot: Path
    run: Run


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """``hoso watch --once`` over a scan, a non-scan, files it must leave alone and an
    earlier ``done/`` folder."""
    root = tmp_path_factory.mktemp("watch-seed")
    hot = root / "hot"
    hot.mkdir()
    shutil.copy(JPEG / "page-0001.jpg", hot / "page-0001.jpg")
    (hot / "ghi-chu.pdf").write_text("đây không phải bản quét", encoding="utf-8")
    for name in ("~$bao-cao.docx", "quet.tmp", "quet.pdf.part", ".an.pdf", "Thumbs.db"):
        (hot / name).write_bytes(b"x")
    (hot / "done" / "2020-01-01").mkdir(parents=True)
    (hot / "done" / "2020-01-01" / "cu.pdf").write_bytes(b"already handled")
    return Seeded(root / "data", hot, watch_once(hot, root / "data"))


def copy_seed(seeded: Seeded, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(seeded.data, data)
    return data


def test_scan_to_done_junk_to_failed_with_reason(seeded: Seeded) -> None:
    """GIVEN a scan and a text file named .pdf WHEN ``hoso watch --once --json`` runs THEN
    one batch takes both, the scan moves to done/<day>/, the other to failed/<day>/ with
    the reason beside it, temp/hidden files and done/ stay untouched, and it exits 2."""
    run, hot = seeded.run, seeded.hot
    assert run.code == 2, run.stderr
    [line] = run.lines
    assert set(line) >= KEYS and "dossier_code" not in line
    assert isinstance(line["batch_id"], int)
    assert sorted(line["files"]) == ["ghi-chu.pdf", "page-0001.jpg"]
    assert line["done"] == ["page-0001.jpg"]
    [failure] = line["failed"]
    assert failure["file"] == "ghi-chu.pdf"
    assert "không phải PDF, TIFF, JPEG hay PNG" in failure["message"]

    moved = only(hot / "done", "page-0001.jpg")
    datetime.strptime(moved.parent.name, "%Y-%m-%d")  # done/<day>/
    assert sha256(moved) == sha256(JPEG / "page-0001.jpg")
    refused = only(hot / "failed", "ghi-chu.pdf")
    reason = refused.with_name("ghi-chu.pdf.error.txt").read_text(encoding="utf-8")
    assert reason.splitlines()[0] == failure["message"]
    assert not (hot / "page-0001.jpg").exists() and not (hot / "ghi-chu.pdf").exists()
    for name in ("~$bao-cao.docx", "quet.tmp", "quet.pdf.part", ".an.pdf", "Thumbs.db"):
        assert (hot / name).exists(), name
    assert (hot / "done" / "2020-01-01" / "cu.pdf").read_bytes() == b"already handled"
    assert open_entries(hot) == {}
    assert count(seeded.data, "documents") == 1
    assert documents_of(seeded.data, sha256(JPEG / "page-0001.jpg"))


def test_nothing_new_exits_zero_quietly(seeded: Seeded, tmp_path: Path) -> None:
    hot = tmp_path / "hot"
    hot.mkdir()
    (hot / "dang-quet.tmp").write_bytes(b"partial")
    run = watch_once(hot, copy_seed(seeded, tmp_path))
    assert (run.code, run.lines) == (0, []), run.stderr


def test_same_bytes_again_are_not_ingested_again(seeded: Seeded, tmp_path: Path) -> None:
    """GIVEN bytes already ingested WHEN dropped again under another name THEN the file
    goes to done/ with a note naming the earlier file; no document or OCR is added."""
    data = copy_seed(seeded, tmp_path)
    hot = tmp_path / "hot"
    (hot / "lan-2").mkdir(parents=True)
    shutil.copy(JPEG / "page-0001.jpg", hot / "lan-2" / "quet-lai.jpg")
    documents, pages = count(data, "documents"), count(data, "pages")

    run = watch_once(hot, data)

    assert run.code == 0, run.stderr
    [line] = run.lines
    assert line["done"] == ["lan-2/quet-lai.jpg"] and line["failed"] == []
    [dup] = line["duplicates"]
    assert dup["file"] == "lan-2/quet-lai.jpg" and "trùng với tệp" in dup["message"]
    moved = only(hot / "done", "lan-2/quet-lai.jpg")
    note = moved.with_name("quet-lai.jpg.note.txt").read_text(encoding="utf-8")
    assert "trùng với tệp 'page-0001.jpg' đã nhận" in note
    assert (count(data, "documents"), count(data, "pages")) == (documents, pages)


def test_restart_after_a_crash_neither_loses_nor_repeats(seeded: Seeded, tmp_path: Path) -> None:
    """GIVEN a journal left by a crash — (a) a file already processed but not moved,
    (b) a file claimed but never received, (c) a file received whose processing died,
    (d) a claimed file that is gone — WHEN the watcher starts again THEN (a) moves to done/
    without a new batch, (b) is ingested, (c) is finished without being received again,
    (d) is forgotten; a further run changes nothing."""
    data = copy_seed(seeded, tmp_path)
    hot = tmp_path / "hot"
    hot.mkdir()
    # (c) received, then the process died before anything ran: dispatch does nothing.
    strip_scan(hot / "page-0002.jpg", 0)
    with container(data) as box:
        crashed = Watcher(box, hot, lambda messages: None, local=True, settle=0).open()
        try:
            assert crashed.poll() == []
        finally:
            crashed.close()
    entry = open_entries(hot)["page-0002.jpg"]
    assert entry["state"] == "dispatched" and entry["source_id"]
    # (a) and (b) claimed, (d) claimed and gone since; the last line torn by the crash.
    shutil.copy(JPEG / "page-0001.jpg", hot / "page-0001.jpg")
    strip_scan(hot / "page-0003.jpg", 1)
    claimed = [
        {
            "path": name,
            "state": "claimed",
            "size": (hot / name).stat().st_size,
            "mtime_ns": (hot / name).stat().st_mtime_ns,
            "sha256": sha256(hot / name),
        }
        for name in ("page-0001.jpg", "page-0003.jpg")
    ]
    claimed.append({"path": "vanished.pdf", "state": "claimed", "sha256": "0" * 64})
    with (hot / STATE_DIR / "journal.jsonl").open("a", encoding="utf-8") as f:
        f.write("".join(json.dumps(e) + "\n" for e in claimed) + '{"path": "torn')
    batches = count(data, "batches")
    sha1, sha2, sha3 = (sha256(hot / f"page-000{n}.jpg") for n in (1, 2, 3))
    before = {sha1: documents_of(data, sha1), sha2: documents_of(data, sha2)}
    assert len(before[sha1]) == 1 and len(before[sha2]) == 1 and not documents_of(data, sha3)

    run = watch_once(hot, data)

    assert run.code == 0, run.stderr
    [line] = run.lines
    assert sorted(line["done"]) == ["page-0001.jpg", "page-0002.jpg", "page-0003.jpg"]
    assert line["failed"] == [] and line["duplicates"] == []
    assert count(data, "batches") == batches + 1  # only (b) made a batch
    assert documents_of(data, sha1) == before[sha1]
    assert documents_of(data, sha2) == before[sha2]
    assert len(documents_of(data, sha3)) == 1
    with sqlite3.connect(data / "hoso.db") as db:
        statuses = {r[0] for r in db.execute("SELECT status FROM documents")}
    assert statuses == {"done"}
    for name in ("page-0001.jpg", "page-0002.jpg", "page-0003.jpg"):
        only(hot / "done", name)
        assert not (hot / name).exists()
    assert open_entries(hot) == {}
    assert "vanished.pdf" in run.stderr  # said, then forgotten

    again = watch_once(hot, data)
    assert (again.code, again.lines) == (0, []), again.stderr
    assert count(data, "batches") == batches + 1


def test_growing_file_waits_until_it_settles(tmp_path: Path) -> None:
    """A file whose size keeps changing is not taken until it has been still for
    ``settle`` seconds (a fake clock; the file is not a scan, so no OCR runs)."""
    hot = tmp_path / "hot"
    hot.mkdir()
    scan = hot / "dang-quet.pdf"
    now = [0.0]
    with container(tmp_path / "data") as box:
        w = Watcher(box, hot, lambda m: None, local=True, settle=2.0, clock=lambda: now[0])
        w.open()
        try:
            scan.write_bytes(b"not a scan yet\n")
            assert w.poll() == []
            for t in (1.0, 2.5, 4.0):  # still growing: each change restarts the wait
                now[0] = t
                with scan.open("ab") as f:
                    f.write(b"x" * 4096)
                assert w.poll() == [] and scan.exists()
            now[0] = 5.9
            assert w.poll() == [] and scan.exists()  # still for 1.9 s only
            now[0] = 6.0
            [result] = w.poll()
        finally:
            w.close()
    assert result["files"] == ["dang-quet.pdf"] and result["failed"]
    assert not scan.exists() and only(hot / "failed", "dang-quet.pdf").stat().st_size > 9000


def test_once_leaves_a_file_that_is_still_being_written(tmp_path: Path) -> None:
    """``once`` waits ``settle`` once; a file a scanner is still writing stays for later."""
    hot = tmp_path / "hot"
    hot.mkdir()
    scan = hot / "dang-quet.pdf"
    scan.write_bytes(b"not a scan yet")
    stop = threading.Event()

    def scanner() -> None:
        while not stop.is_set():
            with scan.open("ab") as f:
                f.write(b"x" * 100)
            time.sleep(0.02)

    writer = threading.Thread(target=scanner)
    with container(tmp_path / "data") as box:
        w = Watcher(box, hot, lambda m: None, local=True, settle=0.3)
        w.open()
        try:
            writer.start()
            try:
                assert w.once() == []
                assert scan.exists()
            finally:
                stop.set()
                writer.join()
            [result] = w.once()
        finally:
            w.close()
    assert result["failed"][0]["file"] == "dang-quet.pdf" and not scan.exists()


def test_dossier_folder_attaches_its_documents(seeded: Seeded, tmp_path: Path) -> None:
    """GIVEN a folder named with a received dossier's code, one with an unknown code and
    one with a procedure code WHEN the watcher runs THEN each batch reports its code, the
    known dossier gets the new document and, as a file dropped again, the earlier one."""
    from records.dossiers import Channel
    from records.reception import Person, ReceptionRequest, receive

    data = copy_seed(seeded, tmp_path)
    with container(data) as box:
        request = ReceptionRequest(
            procedure_code="1.001193",
            applicant=Person("Nguyễn Văn An", "001203004567"),
            channel=Channel.DIRECT,
        )
        code = receive(box.uow, box.calendar, box.settings.unit_code, request, None).code
    hot = tmp_path / "hot"
    known = hot / f"{code} Nguyen Van An"
    unknown = hot / "000.00.12.H56-260101-0999"
    procedure = hot / "thu-tuc 1.001193"
    for folder in (known, unknown, procedure):
        folder.mkdir(parents=True)
    strip_scan(known / "to-khai.jpg", 2)
    shutil.copy(JPEG / "page-0001.jpg", known / "giay-uy-quyen.jpg")  # ingested before
    (unknown / "ghi-chu.png").write_text("không phải ảnh", encoding="utf-8")
    (procedure / "ghi-chu.png").write_text("cũng không phải ảnh", encoding="utf-8")

    sha = sha256(known / "to-khai.jpg")
    run = watch_once(hot, data)

    assert run.code == 2, run.stderr  # the two non-images failed
    by_folder = {line["folder"]: line for line in run.lines}
    assert set(by_folder) == {known.name, unknown.name, procedure.name}
    ok = by_folder[known.name]
    assert ok["dossier_code"] == code and ok["dossier_found"] is True
    assert sorted(ok["done"]) == sorted(
        f"{known.name}/{n}" for n in ("giay-uy-quyen.jpg", "to-khai.jpg")
    )
    new_doc = documents_of(data, sha)
    earlier = documents_of(data, sha256(JPEG / "page-0001.jpg"))
    assert sorted(ok["attached"]) == sorted(new_doc + earlier)
    with sqlite3.connect(data / "hoso.db") as db:
        linked = {
            r[0]
            for r in db.execute(
                "SELECT dd.document_id FROM dossier_documents dd "
                "JOIN dossiers d ON d.id = dd.dossier_id WHERE d.code = ? AND dd.role = ?",
                (code, "submitted"),
            )
        }
    assert linked == set(new_doc + earlier)
    with container(data) as box:  # attached documents are found by the dossier's procedure
        found = box.index().search(SearchQuery("", procedure="1.001193", limit=50))
    assert {h.document_id for h in found.hits} == set(new_doc + earlier)

    missing = by_folder[unknown.name]
    assert missing["dossier_code"] == "000.00.12.H56-260101-0999"
    assert missing["dossier_found"] is False and missing["attached"] == []
    assert "không tìm thấy hồ sơ mã 000.00.12.H56-260101-0999" in run.stderr
    assert by_folder[procedure.name]["procedure_code"] == "1.001193"
    assert "dossier_code" not in by_folder[procedure.name]


def test_codes_in_folder_names() -> None:
    assert codes_in("000.00.12.H56-260302-0001") == ("000.00.12.H56-260302-0001", None)
    assert codes_in("ho-so/000.00.12.H56-260302-0001 Lê Văn Cường/to-khai") == (
        "000.00.12.H56-260302-0001",
        None,
    )
    assert codes_in("1.001193 khai sinh") == (None, "1.001193")
    assert codes_in("11.001193") == (None, None)
    assert codes_in("") == (None, None)


def test_queued_work_is_waited_for_and_not_sent_twice(seeded: Seeded, tmp_path: Path) -> None:
    """``hoso serve`` mode (dispatch only queues): the file stays until its document is
    finished, also across a restart, and messages already handed over are not sent
    again."""
    data = copy_seed(seeded, tmp_path)
    hot = tmp_path / "hot"
    hot.mkdir()
    shutil.copy(JPEG / "page-0002.jpg", hot / "trang-2.jpg")
    sent: list[Message] = []
    queue: Callable[[list[Message]], None] = sent.extend

    with container(data) as box:
        w = Watcher(box, hot, queue, local=False, settle=0).open()
        try:
            assert w.poll() == [] and w.poll() == []
        finally:
            w.close()
        assert [m.task for m in sent] == ["split_source"]
        assert (hot / "trang-2.jpg").exists()

        w = Watcher(box, hot, queue, local=False, settle=0).open()  # a restart
        try:
            assert w.poll() == [] and len(sent) == 1  # in the broker already: not resent
            with sqlite3.connect(data / "hoso.db") as db:  # the worker finishes it
                db.execute("UPDATE documents SET status = 'done' WHERE status = 'pending'")
            [result] = w.poll()
        finally:
            w.close()
    assert result["done"] == ["trang-2.jpg"] and only(hot / "done", "trang-2.jpg")


def test_one_watcher_per_folder(tmp_path: Path) -> None:
    hot = tmp_path / "hot"
    hot.mkdir()
    with container(tmp_path / "data") as box:
        first = Watcher(box, hot, lambda m: None, local=True).open()
        try:
            with pytest.raises(Conflict):
                Watcher(box, hot, lambda m: None, local=True).open()
        finally:
            first.close()
        Watcher(box, hot, lambda m: None, local=True).open().close()  # free again


def test_missing_or_unusable_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    a_file = tmp_path / "not-a-folder.pdf"
    a_file.write_bytes(b"%PDF")
    for target in (tmp_path / "khong-co", a_file):
        done = run_hoso(["watch", str(target), "--once"], hoso_env(data))
        assert done.returncode == 2
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1
        assert "Không tìm thấy thư mục quét" in done.stderr
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "chi-doc"
        locked.mkdir(mode=0o500)
        done = run_hoso(["watch", str(locked), "--once"], hoso_env(data))
        assert done.returncode == 2 and "Không ghi được vào thư mục quét" in done.stderr


def test_name_clashes_get_a_number_never_overwrite(tmp_path: Path) -> None:
    hot = tmp_path / "hot"
    hot.mkdir()
    with container(tmp_path / "data") as box:
        for round_ in range(3):
            (hot / "x.pdf").write_text(f"không phải bản quét {round_}", encoding="utf-8")
            w = Watcher(box, hot, lambda m: None, local=True, settle=0).open()
            try:
                [result] = w.poll()
            finally:
                w.close()
            assert result["failed"][0]["file"] == "x.pdf"
    names = sorted(p.name for p in (hot / "failed").glob("*/*"))
    assert names == [
        "x-1.pdf",
        "x-1.pdf.error.txt",
        "x-2.pdf",
        "x-2.pdf.error.txt",
        "x.pdf",
        "x.pdf.error.txt",
    ]
    texts = {p.read_text(encoding="utf-8") for p in (hot / "failed").glob("*/x*.pdf")}
    assert len(texts) == 3
