"""Splitting a day's scan by printed cover and separator sheets, with real barcodes and
real OCR: the sheets hoso prints are recognised after printing and scanning."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import img2pdf
import numpy as np
import pytest
from PIL import Image

import forms
from tests.conftest import RESOURCES, hoso_env, run_hoso

JPEG = RESOURCES / "synth" / "jpeg"
CODE = "000.00.12.H56-260302-0007"


def scanned(pdf: bytes, page: int, tmp: Path, *, angle: float) -> Path:
    """Print and scan a sheet: 200 dpi grey, slightly skewed, JPEG-compressed, noisy."""
    src = tmp / "sheet.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(src),
            str(tmp / "raw"),
        ],
        check=True,
    )
    im = Image.open(tmp / "raw.png").convert("L").rotate(angle, fillcolor=255)
    noisy = np.clip(
        np.asarray(im, dtype=np.int16)
        + np.random.default_rng(1).normal(0, 6, (im.height, im.width)),
        0,
        255,
    )
    out = tmp / f"sheet-{page}.jpg"
    Image.fromarray(noisy.astype(np.uint8)).save(out, quality=70, dpi=(200, 200))
    return out


def blank(tmp: Path) -> Path:
    rng = np.random.default_rng(2)
    page = np.clip(rng.normal(242, 4, (2339, 1654)), 0, 255).astype(np.uint8)
    out = tmp / "blank.jpg"
    Image.fromarray(page).save(out, quality=75, dpi=(200, 200))
    return out


@pytest.mark.slow
def test_day_scan_is_split_into_dossier_documents(tmp_path: Path) -> None:
    sheets = forms.separator_sheets_pdf(dossier_code=CODE, doc_types=["can_cuoc"])
    cover = scanned(sheets, 1, tmp_path, angle=1.2)
    separator = scanned(sheets, 2, tmp_path, angle=-0.8)
    order = [
        JPEG / "page-0001.jpg",  # before any sheet: a document of its own
        cover,
        JPEG / "page-0002.jpg",  # turned 180°, still recognised
        separator,
        JPEG / "page-0003.jpg",
        blank(tmp_path),  # the blank back of a duplex scan
    ]
    batch = tmp_path / "ca-sang.pdf"
    batch.write_bytes(img2pdf.convert([str(p) for p in order]))
    env = hoso_env(tmp_path / "data")
    done = run_hoso(["ingest", str(batch), "--json"], env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    summary = [
        (d["dossier_code"], d["doc_type_sheet"], d["pages"], d["blank_pages"])
        for d in out["documents"]
    ]
    assert summary == [
        (None, None, 1, []),
        (CODE, None, 1, []),
        (CODE, "can_cuoc", 2, [2]),
    ]
    truth2 = (JPEG / "truth" / "page-0002.txt").read_text(encoding="utf-8").split()
    assert sum(w in out["documents"][1]["text"] for w in truth2) > 0.9 * len(truth2)
    pdf_pages = [len(__import__("pikepdf").open(d["pdf"]).pages) for d in out["documents"]]
    assert pdf_pages == [1, 1, 2]


def test_sheets_command_writes_a_printable_pdf(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data")
    out = tmp_path / "to.pdf"
    done = run_hoso(
        [
            "sheets",
            "--dossier",
            CODE,
            "--doc-type",
            "can_cuoc",
            "--doc-type",
            "giay_uy_quyen",
            "--out",
            str(out),
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "TỜ BÌA HỒ SƠ" in text and CODE in text and text.count("TỜ PHÂN CÁCH") == 2
    bad = run_hoso(["sheets", "--dossier", "abc"], env)
    assert bad.returncode == 2 and "không đúng dạng" in bad.stderr


@pytest.mark.slow
def test_forty_page_day_scan_splits_exactly(tmp_path: Path) -> None:
    """GIVEN a 40-page scan with 5 dossier cover sheets, 2 document separators and 6 blank
    backs WHEN ingested THEN it splits exactly into the right dossiers, documents and pages."""
    from synth import generate_page

    codes = [f"000.00.12.H56-260302-{n:04d}" for n in range(1, 6)]
    sheets = forms.separator_sheets_pdf(dossier_code=None, doc_types=["can_cuoc", "giay_uy_quyen"])
    cover_pdfs = {c: forms.separator_sheets_pdf(dossier_code=c) for c in codes}
    layout = (
        ["A", "p", "p", "b", "p", "S1", "p", "b"]
        + ["B", "p", "p", "p", "b"]
        + ["C", "p", "S2", "p", "p", "b"]
        + ["D", "p", "p", "p", "p", "b"]
        + ["E"]
        + ["p"] * 6
        + ["b"]
        + ["p"] * 7
    )
    assert len(layout) == 40 and layout.count("b") == 6 and layout.count("p") == 27
    files: list[Path] = []
    for i, item in enumerate(layout):
        work = tmp_path / f"s{i}"
        work.mkdir()
        if item in "ABCDE":
            files.append(scanned(cover_pdfs[codes["ABCDE".index(item)]], 1, work, angle=0.7))
        elif item in ("S1", "S2"):
            files.append(scanned(sheets, 1 if item == "S1" else 2, work, angle=-0.5))
        elif item == "b":
            files.append(blank(work))
        else:
            page = generate_page(100 + i, dpi=150)
            out = work / "p.jpg"
            page.image.save(out, quality=80, dpi=(150, 150))
            files.append(out)
    batch = tmp_path / "ca-ngay.pdf"
    batch.write_bytes(img2pdf.convert([str(p) for p in files]))
    out = json.loads(run_hoso(["ingest", str(batch), "--json"], hoso_env(tmp_path / "data")).stdout)
    got = [
        (d["dossier_code"], d["doc_type_sheet"], d["pages"], d["blank_pages"], d["status"])
        for d in out["documents"]
    ]
    a, b, c, d, e = codes
    assert got == [
        (a, None, 4, [3], "done"),
        (a, "can_cuoc", 2, [2], "done"),
        (b, None, 4, [4], "done"),
        (c, None, 1, [], "done"),
        (c, "giay_uy_quyen", 3, [3], "done"),
        (d, None, 5, [5], "done"),
        (e, None, 14, [7], "done"),
    ]
    assert sum(x[2] for x in got) == 40 - 5 - 2  # every paper page but the sheets
