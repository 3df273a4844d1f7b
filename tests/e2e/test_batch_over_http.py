"""End to end over HTTP against a real ``hoso serve`` (Celery worker, filesystem broker,
tesserocr, filesystem store, tantivy): a mixed batch goes in, a page comes out of search."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from search import fold
from tests.conftest import RESOURCES, LiveServer
from tests.quality import cer

SYNTH = RESOURCES / "synth"


def _name_line(truth: str) -> str:
    """A line of the page that holds a person's name (what staff type into search)."""
    for line in truth.splitlines():
        if ":" in line and any(
            n in line
            for n in (
                "Nguyễn",
                "Trần",
                "Lê",
                "Phạm",
                "Hoàng",
                "Võ",
                "Đặng",
                "Bùi",
                "Đỗ",
                "Vũ",
                "Huỳnh",
                "Phan",
                "Ngô",
                "Hồ",
                "Dương",
                "Lý",
            )
        ):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no name line in truth")


@pytest.mark.slow
def test_mixed_batch_is_found_without_diacritics(live_server: LiveServer, tmp_path: Path) -> None:
    """GIVEN a batch of a 2-page scanned PDF, a 2-page TIFF, a JPEG turned 180° and a corrupt
    file WHEN uploaded over HTTP THEN the corrupt file is refused by name, the rest become
    searchable PDFs, and a diacritic-free query finds the turned page."""
    corrupt = b"%PDF-1.4\n% truncated in transit"
    files = [
        ("files", ("ho-so.pdf", (SYNTH / "pdf" / "batch.pdf").read_bytes(), "application/pdf")),
        ("files", ("quet.tif", (SYNTH / "tiff" / "batch.tif").read_bytes(), "image/tiff")),
        ("files", ("lat-nguoc.jpg", (SYNTH / "jpeg" / "page-0002.jpg").read_bytes(), "image/jpeg")),
        ("files", ("hong.pdf", corrupt, "application/pdf")),
    ]
    with live_server.client("clerk") as clerk:
        created = clerk.post("/api/batches", files=files)
        assert created.status_code == 201, created.text
    batch = live_server.wait_batch(created.json()["id"])
    docs = {d["source"]: d for d in batch["documents"]}
    assert docs["ho-so.pdf"]["status"] == "done" and docs["ho-so.pdf"]["pages"] == 2
    assert docs["quet.tif"]["status"] == "done" and docs["quet.tif"]["pages"] == 2
    assert docs["lat-nguoc.jpg"]["status"] == "done"
    assert docs["hong.pdf"]["status"] == "failed"
    assert [e["source"] for e in batch["errors"]] == ["hong.pdf"]
    assert "PDF bị hỏng" in batch["errors"][0]["message"]

    truth = (SYNTH / "jpeg" / "truth" / "page-0002.txt").read_text(encoding="utf-8")
    name = _name_line(truth)
    with live_server.client("staff") as staff:
        found = staff.get("/api/search", params={"q": fold(name)}).json()
        assert found["total"] >= 1
        hit = found["hits"][0]
        assert hit["source"] == "lat-nguoc.jpg" and hit["page"] == 1
        assert "<b>" in hit["snippet"]
        doc_id = docs["lat-nguoc.jpg"]["id"]
        pdf = staff.get(f"/api/documents/{doc_id}/pdf")
        assert pdf.status_code == 200
        saved = tmp_path / "out.pdf"
        saved.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert cer(truth, text) < 0.03  # the text layer reads back as the page's text
    assert name in text
