"""Character error rate of ``hoso ingest`` on generated scanned pages, turned ones included.

What it does: generates N synthetic scanned Vietnamese pages (A4, 300 dpi, JPEG q85, skew
within ±2°, about 1 in 6 turned 180° and 1 in 8 turned 90°/270°; ``synth``) in a temporary
folder, runs ``hoso ingest DIR --json --workers 2`` on them once (a fresh HOSO_DATA_DIR; one
document per page file), and compares each document's text with the page's ground truth
using ``tests.quality`` (NFC, whitespace collapsed, Levenshtein distance / truth length).

Prints, per page: the turn and skew it was given, the turn and deskew hoso applied (read
from the batch's SQLite database), its mean word confidence and CER; then the pooled CER
of all pages, of upright pages and of turned pages (and per turn), against the target
(≤ 1 % pooled), then one JSON line. Everything is removed afterwards. No network. Usage::

    .venv/bin/python -m bench.accuracy --pages 40
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    BenchPage,
    cer,
    hoso_env,
    json_line,
    machine,
    make_pages,
    pooled_cer,
    table,
    venv_tool,
)

TARGET = 1.0  # percent, pooled


def detected(db: Path) -> dict[str, dict[str, Any]]:
    """Per source file name: the turn, deskew and confidence hoso recorded for its page."""
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT s.filename, p.turned, p.skew, p.confidence FROM pages p "
            "JOIN documents d ON d.id = p.document_id "
            "JOIN source_files s ON s.id = d.source_file_id"
        ).fetchall()
    except sqlite3.Error:
        return {}
    finally:
        con.close()
    return {r[0]: {"turned": r[1], "skew": r[2], "confidence": r[3]} for r in rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.accuracy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--pages", type=int, default=40, help="pages in the set (40)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic set (1)")
    p.add_argument("--workers", type=int, default=2, help="hoso ingest --workers (2)")
    args = p.parse_args(argv)
    if args.pages < 1:
        p.error("--pages must be at least 1")
    info = machine()
    with tempfile.TemporaryDirectory(prefix="hoso-accuracy-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "tmp").mkdir()
        pages = make_pages(args.pages, args.seed, tmp / "scans")
        cmd = [
            venv_tool("hoso"),
            "ingest",
            str(tmp / "scans"),
            "--json",
            "--workers",
            str(args.workers),
        ]
        t0 = time.perf_counter()
        done = subprocess.run(
            cmd,
            cwd=tmp,
            env=hoso_env(tmp / "data", TMPDIR=str(tmp / "tmp")),
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - t0
        try:
            out = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise SystemExit(
                f"hoso ingest failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
            ) from None
        seen = detected(tmp / "data" / "hoso.db")
    report = _report(pages, out, seen, wall, done.returncode, info, args)
    print(report["text"])
    print(json_line("accuracy", report["json"]))
    return 0


def _report(
    pages: list[BenchPage],
    out: dict[str, Any],
    seen: dict[str, dict[str, Any]],
    wall: float,
    exit_code: int,
    info: dict[str, object],
    args: argparse.Namespace,
) -> dict[str, Any]:
    texts = {d["source"]: d["text"] for d in out["documents"]}
    status = {d["source"]: d["status"] for d in out["documents"]}
    rows = []
    per_page = []
    for pg in pages:
        found = texts.get(pg.name, "")
        value = cer(pg.text, found)
        s = seen.get(pg.name, {})
        turn_ok = s.get("turned") == pg.turn if s else None
        # hoso's deskew straightens, so it should be minus the skew the page was given
        skew_err = abs(float(s["skew"]) + pg.skew) if s else None
        rows.append(
            [
                pg.name,
                pg.turn,
                f"{pg.skew:+.2f}",
                s.get("turned", "-"),
                f"{s['skew']:+.2f}" if s else "-",
                f"{s['confidence']:.1f}" if s.get("confidence") is not None else "-",
                f"{value * 100:.2f}%",
                status.get(pg.name, "missing") if status.get(pg.name) != "done" else "",
            ]
        )
        per_page.append(
            {
                "page": pg.name,
                "turn": pg.turn,
                "skew": pg.skew,
                "hoso_turned": s.get("turned"),
                "hoso_deskew": s.get("skew"),
                "turn_ok": turn_ok,
                "skew_error": round(skew_err, 3) if skew_err is not None else None,
                "cer_percent": round(value * 100, 3),
            }
        )

    def pooled(selected: list[BenchPage]) -> float | None:
        if not selected:
            return None
        return pooled_cer([(pg.text, texts.get(pg.name, "")) for pg in selected]) * 100

    groups = {
        "all": pages,
        "upright": [pg for pg in pages if pg.turn == 0],
        "turned (any)": [pg for pg in pages if pg.turn != 0],
        "turned 180": [pg for pg in pages if pg.turn == 180],
        "turned 90/270": [pg for pg in pages if pg.turn in (90, 270)],
    }
    pooled_values = {k: pooled(v) for k, v in groups.items()}
    summary = []
    for k, v in groups.items():
        value = pooled_values[k]
        worst = max((cer(pg.text, texts.get(pg.name, "")) for pg in v), default=0.0) * 100
        summary.append([k, len(v), f"{value:.2f}%" if value is not None else "-", f"{worst:.2f}%"])
    turn_wrong = [x["page"] for x in per_page if x["turn_ok"] is False]
    skew_errors = [x["skew_error"] for x in per_page if x["skew_error"] is not None]
    met = pooled_values["all"] is not None and pooled_values["all"] <= TARGET
    lines = [
        f"hoso ingest accuracy: {len(pages)} pages (seed {args.seed}), --workers {args.workers}, "
        f"{wall:.1f} s wall ({len(pages) * 60 / wall:.1f} pages/min), exit {exit_code}; "
        f"machine: {info['cpus']} cores, {info['os']}, tesserocr {info['tesserocr']}; "
        f"commit {info['commit']}",
        "",
        table(
            ["page", "turn", "skew", "hoso turned", "hoso deskew", "conf", "CER", "status"],
            rows,
        ),
        "",
        table(["pages", "n", "pooled CER", "worst page"], summary),
        "",
        f"target: pooled CER <= {TARGET:.1f}% -> {'met' if met else 'NOT MET'}",
        f"orientation: {len(pages) - len(turn_wrong)}/{len(pages)} pages turned right"
        + (f" (wrong: {', '.join(turn_wrong)})" if turn_wrong else ""),
        f"deskew: max |error| {max(skew_errors, default=0):.2f}°, "
        f"mean {sum(skew_errors) / max(len(skew_errors), 1):.3f}°"
        " (hoso leaves pages under 0.1° as they are)",
    ]
    if out["errors"]:
        lines.append(f"errors: {out['errors']}")
    data = {
        "pages": len(pages),
        "seed": args.seed,
        "wall_s": round(wall, 2),
        "machine": info,
        "pooled_cer_percent": {
            k: round(v, 3) if v is not None else None for k, v in pooled_values.items()
        },
        "target_percent": TARGET,
        "met": met,
        "turn_wrong": turn_wrong,
        "per_page": per_page,
        "errors": out["errors"],
    }
    return {"text": "\n".join(lines), "json": data}


if __name__ == "__main__":
    raise SystemExit(main())
