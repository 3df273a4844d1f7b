"""Measure Tesseract's character error rate on synthetic pages.

A quality check of the generator itself (are the defaults readable?), not of
the product pipeline: the known turn and skew are undone before OCR.

    python -m synth.ocr_check --pages 12 --seed 0 [--jobs 2]

Needs the ``tesseract`` binary with the ``vie`` language; no Python OCR binding.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from synth import SyntheticPage, defects, generate_set


def normalise(text: str) -> str:
    """NFC, lines joined by a space, runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def upright(page: SyntheticPage) -> Image.Image:
    """Undo the known turn, then the known skew."""
    image = page.image.rotate(-page.turn, expand=True) if page.turn else page.image
    return defects.skew(image, -page.skew)


def tesseract(image: Image.Image, psm: int = 3, lang: str = "vie", dpi: int = 300) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        image.save(path, dpi=(dpi, dpi))
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        result = subprocess.run(
            ["tesseract", str(path), "-", "-l", lang, "--psm", str(psm)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
    return result.stdout


def check(page: SyntheticPage) -> tuple[int, int, str]:
    """(edit distance, truth length, OCR text) for one page."""
    hyp = tesseract(upright(page), dpi=page.dpi)
    ref = normalise(page.text)
    return levenshtein(ref, normalise(hyp)), len(ref), hyp


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m synth.ocr_check",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-defects", action="store_true", help="clean pages")
    parser.add_argument("--show", action="store_true", help="print OCR text of bad pages")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages = list(generate_set(args.pages, args.seed, dpi=args.dpi, defects=not args.no_defects))
    gen_time = (time.perf_counter() - start) / max(1, len(pages))
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(check, pages))
    errors = total = 0
    for page, (dist, length, hyp) in zip(pages, results, strict=True):
        errors, total = errors + dist, total + length
        print(
            f"seed={page.seed:<10} turn={page.turn:<3} skew={page.skew:+.2f} "
            f"font={page.font:<16} CER={dist / length:.4f} ({dist}/{length}) {page.doc_title}"
        )
        if args.show and dist:
            print(hyp)
    print(
        f"pooled CER {errors / total:.4%} over {len(pages)} pages; generation {gen_time:.3f} s/page"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
