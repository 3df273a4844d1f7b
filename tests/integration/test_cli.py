"""The ``hoso`` command line, as a clerk or a script uses it, with real OCR."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import HOSO, RESOURCES, hoso_env, run_hoso
from tests.quality import cer

JPEG = RESOURCES / "synth" / "jpeg"


@pytest.mark.slow
def test_ingest_json_and_search_locally(tmp_path: Path) -> None:
    """GIVEN two scans and a file that is not a scan WHEN ``hoso ingest --json --wait`` runs
    with no server THEN it prints one JSON object with each document's text and PDF, names
    the refused file, exits 2; ``hoso search --json`` then finds a page without diacritics."""
    env = hoso_env(tmp_path / "data")
    notes = tmp_path / "ghi-chu.pdf"
    notes.write_text("đây không phải bản quét")
    done = run_hoso(
        [
            "ingest",
            str(JPEG / "page-0001.jpg"),
            str(JPEG / "page-0002.jpg"),
            str(notes),
            "--wait",
            "--json",
        ],
        env,
    )
    assert done.returncode == 2, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"batch_id", "documents", "duplicates", "errors"}
    assert [e["source"] for e in out["errors"]] == ["ghi-chu.pdf"]
    docs = {d["source"]: d for d in out["documents"]}
    assert set(docs) == {"page-0001.jpg", "page-0002.jpg"}
    for n, name in ((1, "page-0001.jpg"), (2, "page-0002.jpg")):
        truth = (JPEG / "truth" / f"page-{n:04d}.txt").read_text(encoding="utf-8")
        doc = docs[name]
        assert doc["pages"] == 1 and doc["status"] == "done"
        assert cer(truth, doc["text"]) < 0.01
        pdf_text = subprocess.run(
            ["pdftotext", doc["pdf"], "-"], capture_output=True, text=True, check=True
        ).stdout
        assert cer(truth, pdf_text) < 0.03

    truth1 = (JPEG / "truth" / "page-0001.txt").read_text(encoding="utf-8")
    word = max(truth1.split(), key=len)  # a distinctive word, typed without its marks
    from search import fold

    found = run_hoso(["search", fold(word), "--json"], env)
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result["total"] >= 1
    assert {"document_id", "source", "page", "score", "snippet"} <= set(result["hits"][0])
    assert "page-0001.jpg" in {h["source"] for h in result["hits"]}


def test_ingest_all_good_exits_zero(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data")
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "batch.tif").write_bytes((RESOURCES / "synth" / "tiff" / "batch.tif").read_bytes())
    (folder / ".hidden.pdf").write_text("editor swap file: skipped, not refused")
    done = run_hoso(["ingest", str(folder), "--json", "--workers", "1"], env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["errors"] == []
    [doc] = out["documents"]
    assert doc["source"] == "batch.tif" and doc["pages"] == 2 and doc["status"] == "done"


def _in_session(sid: int) -> list[int]:
    """Processes of session ``sid`` still running (an exited orphan waiting for init to
    reap it, state Z, does not count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if os.getsid(int(entry.name)) == sid and state != "Z":
                    found.append(int(entry.name))
            except (ProcessLookupError, FileNotFoundError):
                pass
    return found


def test_ingest_leaves_no_process_behind(tmp_path: Path) -> None:
    """GIVEN ``hoso ingest`` with its pool, OCR sidecars started ahead and fork server
    WHEN its output is read to the end THEN every one of them has ended (none lingers
    holding the output open, none is left running)."""
    proc = subprocess.Popen(
        [*HOSO, "ingest", str(JPEG / "page-0001.jpg"), "--json", "--workers", "2"],
        env=hoso_env(tmp_path / "data"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert json.loads(out)["documents"][0]["status"] == "done"
    deadline = time.monotonic() + 5  # a process may still be exiting after closing its output
    while _in_session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _in_session(proc.pid) == []


def test_bad_arguments_give_one_line_and_nonzero(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data")
    missing = run_hoso(["ingest", str(tmp_path / "khong-co.pdf")], env)
    assert missing.returncode != 0
    assert missing.stderr.strip().count("\n") == 0 and "Không tìm thấy" in missing.stderr
    role = run_hoso(["users", "add", "x", "--role", "boss"], env)
    assert role.returncode == 2
    dup_env = {**env, "PW": "mat-khau-dai"}
    assert (
        run_hoso(
            ["users", "add", "lan", "--role", "clerk", "--password-env", "PW"], dup_env
        ).returncode
        == 0
    )
    dup = run_hoso(["users", "add", "lan", "--role", "clerk"], env)
    assert dup.returncode == 2 and "đã tồn tại" in dup.stderr


def test_users_add_json(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data", PW="mat-khau-dai")
    done = run_hoso(
        ["users", "add", "Trần Thị Hoa", "--role", "staff", "--password-env", "PW", "--json"], env
    )
    out = json.loads(done.stdout)
    assert (
        out["name"] == "Trần Thị Hoa"
        and out["role"] == "staff"
        and out["token"].startswith("hoso_")
    )


@pytest.mark.slow
def test_page_that_times_out_fails_with_reason_and_retry_finishes_it(tmp_path: Path) -> None:
    """GIVEN an OCR time limit no page can meet WHEN a batch is ingested THEN the document
    fails with the reason and the rest of the batch finishes; ``hoso retry`` with a sane
    limit then completes it."""
    strict = hoso_env(tmp_path / "data", HOSO_OCR_TIMEOUT="0.01")
    done = run_hoso(["ingest", str(JPEG / "page-0001.jpg"), "--json"], strict)
    assert done.returncode == 2
    [doc] = json.loads(done.stdout)["documents"]
    assert doc["status"] == "failed"
    [error] = json.loads(done.stdout)["errors"]
    assert "Trang 1" in error["message"] and "quá thời gian" in error["message"]
    again = run_hoso(["retry", str(doc["id"])], hoso_env(tmp_path / "data"))
    assert again.returncode == 0, again.stderr
    assert "done" in again.stdout


def test_ingesting_the_same_file_twice_reports_the_earlier_document(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data")
    page = str(JPEG / "page-0003.jpg")
    first = json.loads(run_hoso(["ingest", page, "--json"], env).stdout)
    again = run_hoso(["ingest", page, "--json"], env)
    assert again.returncode == 0, again.stderr
    out = json.loads(again.stdout)
    assert out["documents"] == []
    [dup] = out["duplicates"]
    assert dup["document_id"] == first["documents"][0]["id"]
    assert dup["batch_id"] == first["batch_id"]


def test_born_digital_pdf_keeps_its_own_text(tmp_path: Path) -> None:
    """A PDF made by a word processor is not OCR'd: its exact text is kept and searchable."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    pdf = tmp_path / "quyet-dinh.pdf"
    c = canvas.Canvas(str(pdf))
    c.setFont("DejaVu", 11)
    lines = [
        "QUYẾT ĐỊNH về việc cấp Giấy chứng nhận quyền sử dụng đất",
        "Ông Nguyễn Văn Hưởng, số định danh 001203004567, thửa đất số 123",
    ]
    for i, line in enumerate(lines):
        c.drawString(72, 700 - 20 * i, line)
    c.showPage()
    c.save()
    env = hoso_env(tmp_path / "data")
    out = json.loads(run_hoso(["ingest", str(pdf), "--json"], env).stdout)
    [doc] = out["documents"]
    assert doc["text"].split("\n")[:2] == lines  # exact, diacritics included
    pdf_text = subprocess.run(["pdftotext", doc["pdf"], "-"], capture_output=True, text=True).stdout
    assert "Nguyễn Văn Hưởng" in pdf_text
    found = json.loads(run_hoso(["search", "nguyen van huong", "--json"], env).stdout)
    assert found["total"] == 1


def test_documents_are_classified_with_fields(tmp_path: Path) -> None:
    """A power of attorney comes out typed, with the principal's fields found in its text."""
    env = hoso_env(tmp_path / "data")
    out = json.loads(run_hoso(["ingest", str(JPEG / "page-0001.jpg"), "--json"], env).stdout)
    [doc] = out["documents"]
    truth = (JPEG / "truth" / "page-0001.txt").read_text(encoding="utf-8")
    assert doc["type"] == "giay_uy_quyen" and doc["type_confidence"] >= 0.7
    assert doc["fields"]["cccd"] in truth and len(doc["fields"]["cccd"]) == 12
    assert doc["fields"]["ho_ten"] in truth


def test_classifier_commands(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data")
    first = json.loads(run_hoso(["classifier", "status", "--json"], env).stdout)["version"]
    retrained = json.loads(run_hoso(["classifier", "retrain", "--json"], env).stdout)
    assert retrained["corrections_used"] == 0 and retrained["version"]
    back = json.loads(run_hoso(["classifier", "rollback", "--json"], env).stdout)
    assert back["version"] == first
    none_left = run_hoso(["classifier", "rollback"], env)
    assert none_left.returncode == 2 and "Không có mô hình cũ" in none_left.stderr
