"""Command line: write a set of synthetic scanned pages with ground truth.

python -m synth OUTDIR [--pages N] [--seed S] [--format png|jpeg|tiff|pdf] [--dpi D]
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import cv2
import img2pdf
import numpy as np
from PIL import Image

from synth import SyntheticPage, generate_set
from synth.defects import TURNS

EXTENSIONS = {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf"}

DESCRIPTION = """\
Generate synthetic "scanned" Vietnamese administrative pages (A4, greyscale)
with their ground truth.  Writes page-0001.<ext> per page (or one batch.pdf /
batch.tif holding all pages), truth/page-0001.txt per page (the drawn lines,
NFC, newline-terminated) and manifest.json (seed, skew, turn, title per page).
Skew and turn are counter-clockwise degrees applied to the upright page.
The same arguments give the same pages (pixels may differ across
Pillow/FreeType/libjpeg/OpenCV versions; the text does not)."""


def _parse_turns(value: str) -> list[int]:
    turns = [int(t) for t in value.split(",") if t.strip()]
    if not turns or any(t not in TURNS for t in turns):
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of {TURNS}")
    return turns


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m synth",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("outdir", type=Path, metavar="OUTDIR", help="output folder (created)")
    p.add_argument("--pages", type=int, default=12, metavar="N", help="number of pages (12)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the set (0)")
    p.add_argument(
        "--format",
        choices=tuple(EXTENSIONS),
        default="png",
        help="png, jpeg, tiff (one file per page) or pdf (one batch.pdf, "
        "one embedded JPEG per page, made with img2pdf) (png)",
    )
    p.add_argument("--dpi", type=int, default=300, metavar="D", help="resolution (300)")
    p.add_argument(
        "--quality",
        type=int,
        default=85,
        metavar="Q",
        help="JPEG quality for --format jpeg and pdf (85)",
    )
    p.add_argument(
        "--tiff-compression",
        choices=("lzw", "group4"),
        default="lzw",
        help="lzw keeps greyscale; group4 binarises the page (lzw)",
    )
    p.add_argument(
        "--multipage",
        action="store_true",
        help="with --format tiff: write one multi-page batch.tif",
    )
    p.add_argument(
        "--turns",
        type=_parse_turns,
        metavar="LIST",
        help="comma-separated turns cycled over the pages, e.g. 0,180,90 "
        "(default: drawn, about 1 in 6 pages 180 and 1 in 8 90/270)",
    )
    p.add_argument("--clean", action="store_true", help="no scan defects (skew/turn kept)")
    return p


def _bilevel(image: Image.Image) -> Image.Image:
    """Global (Otsu) threshold, as a scanner in black-and-white mode does."""
    _, bw = cv2.threshold(np.asarray(image), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return Image.fromarray(bw).convert("1")


def _tiff_ready(image: Image.Image, compression: str) -> tuple[Image.Image, str]:
    if compression == "group4":
        return _bilevel(image), "group4"
    return image, "tiff_lzw"


def _jpeg_bytes(image: Image.Image, quality: int, dpi: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def write(pages: list[SyntheticPage], args: argparse.Namespace) -> list[dict[str, object]]:
    """Write images and truth files; return the manifest entries."""
    out: Path = args.outdir
    (out / "truth").mkdir(parents=True, exist_ok=True)
    batch = args.format == "pdf" or (args.format == "tiff" and args.multipage)
    ext = EXTENSIONS[args.format]
    entries: list[dict[str, object]] = []
    for i, page in enumerate(pages, 1):
        stem = f"page-{i:04d}"
        (out / "truth" / f"{stem}.txt").write_text(page.text + "\n", encoding="utf-8")
        name = f"batch.{ext}" if batch else f"{stem}.{ext}"
        entry: dict[str, object] = {"file": name}
        if batch:
            entry["page"] = i
        entry.update(
            truth=f"truth/{stem}.txt",
            seed=page.seed,
            skew=page.skew,
            turn=page.turn,
            title=page.doc_title,
            font=page.font,
        )
        entries.append(entry)
        if batch:
            continue
        dpi = (args.dpi, args.dpi)
        if args.format == "png":
            page.image.save(out / name, dpi=dpi, optimize=False)
        elif args.format == "jpeg":
            page.image.save(out / name, quality=args.quality, dpi=dpi)
        else:
            image, compression = _tiff_ready(page.image, args.tiff_compression)
            image.save(out / name, compression=compression, dpi=dpi)
    if args.format == "pdf":
        jpegs = [_jpeg_bytes(p.image, args.quality, args.dpi) for p in pages]
        (out / "batch.pdf").write_bytes(
            img2pdf.convert(jpegs, nodate=True, engine=img2pdf.Engine.internal)
        )
    elif batch and pages:
        frames = [_tiff_ready(p.image, args.tiff_compression)[0] for p in pages]
        compression = _tiff_ready(pages[0].image, args.tiff_compression)[1]
        frames[0].save(
            out / "batch.tif",
            save_all=True,
            append_images=frames[1:],
            compression=compression,
            dpi=(args.dpi, args.dpi),
        )
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.multipage and args.format != "tiff":
        parser.error("--multipage only applies to --format tiff")
    if not 1 <= args.quality <= 95:
        parser.error("--quality must be between 1 and 95")
    pages = list(
        generate_set(args.pages, args.seed, dpi=args.dpi, defects=not args.clean, turns=args.turns)
    )
    entries = write(pages, args)
    manifest = {
        "generator": "synth",
        "seed": args.seed,
        "dpi": args.dpi,
        "format": args.format,
        "defects": not args.clean,
        "angles": "counter-clockwise degrees",
        "pages": entries,
    }
    (args.outdir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(
        f"synth: wrote {len(pages)} pages ({args.format}, {args.dpi} dpi, seed {args.seed}) "
        f"to {args.outdir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
