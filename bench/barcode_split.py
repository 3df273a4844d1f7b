"""Barcode splitting speed: how many scanned pages per second hoso can sort into cover
sheets, separator sheets, blank backs and document pages (``ocr.sheets.classify``), on
one core, against a naive zxing-cpp pass (full resolution, every barcode format).

Run: ``.venv/bin/python -m bench.barcode_split --pages 60``. The pages are generated at
300 dpi: printed-and-scanned sheets (skewed, noisy, JPEG), blank backs and text pages.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image

import forms
from ocr.sheets import classify
from synth import generate_page

KINDS = ("cover", "separator", "blank", "page")


def _sheet_images(tmp: Path) -> list[np.ndarray]:
    pdf = tmp / "sheets.pdf"
    pdf.write_bytes(
        forms.separator_sheets_pdf(dossier_code="000.00.12.H56-260302-0001", doc_types=["can_cuoc"])
    )
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", str(pdf), str(tmp / "s")], check=True)
    out = []
    for i, png in enumerate(sorted(tmp.glob("s-*.png"))):
        im = Image.open(png).convert("L").rotate(0.8 - 1.6 * i, fillcolor=255)
        noisy = np.asarray(im, dtype=np.int16) + np.random.default_rng(i).normal(
            0, 6, (im.height, im.width)
        )
        out.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return out


def pages(n: int, tmp: Path) -> list[tuple[str, np.ndarray]]:
    cover, separator = _sheet_images(tmp)
    rng = np.random.default_rng(7)
    out: list[tuple[str, np.ndarray]] = []
    for i in range(n):
        kind = KINDS[(i // 2) % 4] if i % 2 == 0 else "page"  # half text pages, the rest mixed
        if kind == "cover":
            out.append((kind, cover))
        elif kind == "separator":
            out.append((kind, separator))
        elif kind == "blank":
            out.append((kind, np.clip(rng.normal(242, 4, cover.shape), 0, 255).astype(np.uint8)))
        else:
            out.append((kind, np.asarray(generate_page(i, dpi=300).image.convert("L"))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        batch = pages(args.pages, Path(d))
    # JPEG round trip as a scanner would deliver them
    batch = [
        (k, cv2.imdecode(cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 80])[1], 0))
        for k, im in batch
    ]
    t = time.perf_counter()
    got = [classify(im).kind for _, im in batch]
    ours = time.perf_counter() - t
    t = time.perf_counter()
    for _, im in batch:
        zxingcpp.read_barcodes(im)
    naive = time.perf_counter() - t
    wrong = sum(g != k for g, (k, _) in zip(got, batch, strict=True))
    rate, naive_rate = len(batch) / ours, len(batch) / naive
    kinds = [k for k, _ in batch]
    print(f"pages: {len(batch)} (300 dpi; kinds {dict((k, kinds.count(k)) for k in KINDS)})")
    print(f"hoso classify (half size, QR + Code 128, blank check): {rate:7.1f} pages/s")
    print(f"naive zxing-cpp (full size, all formats, no blank check): {naive_rate:7.1f} pages/s")
    print(f"ratio hoso / naive: {rate / naive_rate:.2f}x; misclassified: {wrong}")
    print(
        json.dumps(
            {
                "pages": len(batch),
                "pages_per_s": round(rate, 1),
                "naive_pages_per_s": round(naive_rate, 1),
                "misclassified": wrong,
                "median_ms": round(statistics.median([ours / len(batch) * 1000]), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
