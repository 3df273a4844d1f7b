"""OCR throughput of ``hoso ingest`` against three references, as ratios in one run.

What it does: generates N synthetic scanned Vietnamese pages (A4, 300 dpi, JPEG q85,
skew within ±2°, about 1 in 6 turned 180° and 1 in 8 turned 90°/270°; ``synth``) in a
temporary folder, then, for each repeat, runs every contender once on the same pages
(the order rotates from repeat to repeat so that background load hits them alike) and
reports pages per minute (median over repeats, and each run):

  hoso          ``hoso ingest DIR --json --workers 2`` on the scanned JPEGs: wall time of the
                whole command (start-up, migrations, worker pool, OCR sidecars, deskew,
                orientation, hOCR/words/thumbnails, searchable PDFs, indexing, export).
                A fresh HOSO_DATA_DIR each run.
  CLI floor     ``tesseract IMG OUT -l vie`` (text only), OMP_THREAD_LIMIT=1, two at a time,
                on the same pages made upright beforehand (turn undone exactly, not timed;
                skew left as is).
  engine limit  two processes, each with one ``tesserocr.PyTessBaseAPI`` (Debian's ``vie``
                model) recognising half of the upright pages (SetImageFile + GetUTF8Text).
                Timed from the moment both APIs are loaded (``warm``, the figure used for
                the ratio); the time including process start and model load (``cold``) is
                printed beside it.
  OCRmyPDF      ``ocrmypdf --jobs 2 -l vie --rotate-pages --deskew --output-type pdf`` on a
                PDF of the scanned pages as they are (img2pdf, one JPEG per page),
                OMP_THREAD_LIMIT=1.

Also prints the pooled character error rate (tests.quality) of hoso's text and of the
CLI floor's against the ground truth, the targets (hoso ≥ 1.0× CLI floor, ≥ 0.9× engine
limit, ≥ 3× OCRmyPDF) and whether they are met, then one JSON line.

Everything is written under one temporary folder (also TMPDIR of the children), removed
at the end. No network. Usage::

    .venv/bin/python -m bench.ocr_throughput --pages 24 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import (
    BenchPage,
    TreeCpu,
    children_cpu,
    hoso_env,
    json_line,
    machine,
    make_pages,
    median,
    pooled_cer,
    table,
    venv_tool,
)

TARGETS = {"cli_floor": 1.0, "engine_limit": 0.9, "ocrmypdf": 3.0}
LABELS = {
    "hoso": "hoso ingest --workers 2",
    "cli_floor": "CLI floor (tesseract -P2, upright)",
    "engine_limit": "engine limit (tesserocr x2, warm)",
    "ocrmypdf": "OCRmyPDF --jobs 2 --rotate-pages --deskew",
}
MIN_PAGES = 24


def _omp_env(tmp: Path) -> dict[str, str]:
    return dict(os.environ, OMP_THREAD_LIMIT="1", TMPDIR=str(tmp))


# -- contenders ----------------------------------------------------------------------------
def run_hoso(pages: list[BenchPage], scans: Path, work: Path, tmp: Path) -> dict[str, Any]:
    data = work / "data"
    cmd = [venv_tool("hoso"), "ingest", str(scans), "--json", "--workers", "2"]
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=work,
        env=hoso_env(data, TMPDIR=str(tmp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with TreeCpu(proc.pid) as tree:
        stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    reaped = children_cpu() - cpu0  # the CLI and the processes it (transitively) reaped
    sidecars = tree.total("ocr.sidecar")
    # the OCR sidecars are reaped by the CLI that starts them ahead, but a sidecar a pool
    # process started itself exits with it unreaped: add their sampled CPU unless the
    # reaped figure already holds it
    others = tree.total() - sidecars
    seen = sum(1 for cmd in tree.cmd.values() if "ocr.sidecar" in cmd)
    if reaped >= others + 0.8 * sidecars:
        cpu = reaped
    else:
        cpu = reaped + sidecars if seen >= 2 else float("nan")  # a sidecar not sampled
    done = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    try:
        out = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(
            f"hoso ingest failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
        ) from None
    texts = {d["source"]: d["text"] for d in out["documents"]}
    failed = [d["source"] for d in out["documents"] if d["status"] != "done"]
    failed += [e["source"] for e in out["errors"]]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "sidecars_seen": seen,
        "texts": texts,
        "failed": failed,
        "exit": done.returncode,
    }


def run_cli_floor(pages: list[BenchPage], work: Path, tmp: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    env = _omp_env(tmp)

    def one(page: BenchPage) -> int:
        assert page.upright is not None
        return subprocess.run(
            ["tesseract", str(page.upright), str(work / page.upright.stem), "-l", "vie"],
            env=env,
            capture_output=True,
            check=False,
        ).returncode

    cpu0 = children_cpu()
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(one, pages))
    seconds = time.perf_counter() - start
    cpu = children_cpu() - cpu0
    texts = {}
    for p in pages:
        txt = work / (Path(p.name).stem + ".txt")
        texts[p.name] = txt.read_text(encoding="utf-8") if txt.exists() else ""
    failed = [p.name for p, c in zip(pages, codes, strict=True) if c != 0]
    return {"seconds": seconds, "cpu": cpu, "texts": texts, "failed": failed}


def run_engine_limit(pages: list[BenchPage], work: Path, tmp: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    env = _omp_env(tmp)
    halves = [pages[0::2], pages[1::2]]
    cpu0 = children_cpu()
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.engine_worker", str(work)]
            + [str(p.upright) for p in half],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
        )
        for half in halves
    ]
    for p in procs:
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"engine worker did not start: {line!r}")
    warm_start = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    busy, warm_cpu = [], 0.0
    for p in procs:
        assert p.stdout is not None
        line = p.stdout.readline().strip()
        busy.append(float(line.split()[1]) if line.startswith("done") else float("nan"))
        warm_cpu += float(line.split()[2]) if line.startswith("done") else float("nan")
    end = time.perf_counter()
    for p in procs:
        p.wait()
    cold_cpu = children_cpu() - cpu0
    texts = {}
    for p in pages:
        txt = work / (Path(p.name).stem + ".txt")
        texts[p.name] = txt.read_text(encoding="utf-8") if txt.exists() else ""
    return {
        "seconds": end - warm_start,
        "cold_seconds": end - start,
        "cpu": warm_cpu,
        "cold_cpu": cold_cpu,
        "worker_busy": busy,
        "texts": texts,
        "failed": [p.name for p in pages if not texts[p.name]],
    }


def make_pdf(pages: list[BenchPage], target: Path) -> None:
    import img2pdf

    target.write_bytes(
        img2pdf.convert([p.scan.read_bytes() for p in pages], engine=img2pdf.Engine.internal)
    )


def run_ocrmypdf(pdf: Path, work: Path, tmp: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    cmd = [
        venv_tool("ocrmypdf"),
        "--jobs",
        "2",
        "-l",
        "vie",
        "--rotate-pages",
        "--deskew",
        "--output-type",
        "pdf",
        str(pdf),
        str(work / "out.pdf"),
    ]
    cpu0 = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, env=_omp_env(tmp), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    cpu = children_cpu() - cpu0
    if done.returncode != 0:
        print(f"ocrmypdf exit {done.returncode}:\n{done.stderr[-2000:]}", file=sys.stderr)
    return {"seconds": seconds, "cpu": cpu, "failed": [] if done.returncode == 0 else ["(all)"]}


# -- main ------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.ocr_throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--pages", type=int, default=24, help="pages in the set (24; at least 24)")
    p.add_argument("--repeats", type=int, default=3, help="runs of each contender (3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic set (0)")
    p.add_argument(
        "--only",
        default="hoso,cli_floor,engine_limit,ocrmypdf",
        help="comma-separated contenders to run (all)",
    )
    p.add_argument(
        "--turns",
        default="",
        metavar="LIST",
        help="comma-separated turns cycled over the pages instead of the usual mix, e.g. 0 "
        "for upright pages only (for analysis; the targets are for the usual mix)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="allow fewer than 24 pages (to check the script; figures not comparable)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.pages < MIN_PAGES and not args.smoke:
        parser.error(f"--pages must be at least {MIN_PAGES} (or pass --smoke)")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    chosen = [c for c in args.only.split(",") if c]
    unknown = set(chosen) - set(LABELS)
    if unknown:
        parser.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    info = machine()
    with tempfile.TemporaryDirectory(prefix="hoso-bench-") as tmp_name:
        tmp = Path(tmp_name)
        child_tmp = tmp / "tmp"
        child_tmp.mkdir()
        t0 = time.perf_counter()
        turns = [int(t) for t in args.turns.split(",") if t.strip()] or None
        pages = make_pages(args.pages, args.seed, tmp / "scans", tmp / "upright", turns=turns)
        pdf = tmp / "scans.pdf"
        if "ocrmypdf" in chosen:
            make_pdf(pages, pdf)
        turned = {t: sum(1 for p in pages if p.turn == t) for t in (0, 90, 180, 270)}
        print(
            f"{len(pages)} pages generated in {time.perf_counter() - t0:.1f} s "
            f"(upright {turned[0]}, 180° {turned[180]}, 90° {turned[90]}, 270° {turned[270]}); "
            f"load average {info['load_avg_1m']}",
            flush=True,
        )
        if "hoso" in chosen:  # the classifier is trained once per deployment: not timed
            subprocess.run(
                [sys.executable, "-m", "hoso.cli", "classifier", "status"],
                env=hoso_env(tmp / "warm-up", TMPDIR=str(child_tmp)),
                capture_output=True,
                check=False,
            )
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in chosen}
        for r in range(args.repeats):
            order = chosen[r % len(chosen) :] + chosen[: r % len(chosen)]
            for c in order:
                work = tmp / f"{c}-{r}"
                work.mkdir()
                if c == "hoso":
                    res = run_hoso(pages, tmp / "scans", work, child_tmp)
                elif c == "cli_floor":
                    res = run_cli_floor(pages, work, child_tmp)
                elif c == "engine_limit":
                    res = run_engine_limit(pages, work, child_tmp)
                else:
                    res = run_ocrmypdf(pdf, work, child_tmp)
                res["ppm"] = len(pages) * 60.0 / res["seconds"]
                res["load"] = round(os.getloadavg()[0], 2)
                runs[c].append(res)
                extra = (
                    f", cold {len(pages) * 60.0 / res['cold_seconds']:.1f} p/min"
                    if "cold_seconds" in res
                    else ""
                )
                fails = f", FAILED: {res['failed']}" if res.get("failed") else ""
                print(
                    f"repeat {r + 1}/{args.repeats} {c:<13} {res['seconds']:7.1f} s "
                    f"{res['ppm']:6.1f} pages/min{extra}, {res['cpu'] / len(pages):.2f} CPU s/page "
                    f"(load {res['load']}){fails}",
                    flush=True,
                )
                shutil.rmtree(work, ignore_errors=True)
        report = _report(pages, runs, info, args)
    print(report["text"])
    print(json_line("ocr_throughput", report["json"]))
    return 0


def _cer_of(pages: list[BenchPage], texts: dict[str, str]) -> float:
    return pooled_cer([(p.text, texts.get(p.name, "")) for p in pages])


def _report(
    pages: list[BenchPage],
    runs: dict[str, list[dict[str, Any]]],
    info: dict[str, object],
    args: argparse.Namespace,
) -> dict[str, Any]:
    med = {c: median(r["ppm"] for r in rs) for c, rs in runs.items()}
    cpu_pp = {
        c: median(r["cpu"] / len(pages) for r in rs if r["cpu"] == r["cpu"])
        for c, rs in runs.items()
    }
    rows = []
    for c, rs in runs.items():
        per_run = ", ".join(f"{r['ppm']:.1f}" for r in rs)
        note = ""
        if c == "engine_limit":
            cold = median(len(pages) * 60.0 / r["cold_seconds"] for r in rs)
            cold_cpu = median(r["cold_cpu"] / len(pages) for r in rs)
            note = (
                f"cold (with start + model load): {cold:.1f} pages/min, {cold_cpu:.2f} CPU s/page"
            )
        if c == "hoso":
            note = f"median wall {median(r['seconds'] for r in rs):.1f} s"
        rows.append([LABELS[c], f"{med[c]:.1f}", per_run, f"{cpu_pp[c]:.2f}", note])
    lines = [
        "",
        f"OCR throughput, {len(pages)} pages, {args.repeats} repeats "
        f"(pages/min; machine: {info['cpus']} cores, {info['os']}, "
        f"{info['tesseract_cli']}, tesserocr {info['tesserocr']}; commit {info['commit']})",
        "",
        table(["contender", "pages/min median", "runs", "CPU s/page", "note"], rows),
        "",
    ]
    ratios: dict[str, float | None] = {}
    met: dict[str, bool | None] = {}
    per_repeat: dict[str, list[float]] = {}
    if "hoso" in med:
        ratio_rows = []
        for c, target in TARGETS.items():
            if c not in med:
                continue
            ratio = med["hoso"] / med[c]
            ratios[c] = round(ratio, 3)
            met[c] = ratio >= target
            paired = [h["ppm"] / o["ppm"] for h, o in zip(runs["hoso"], runs[c], strict=False)]
            per_repeat[c] = [round(x, 3) for x in paired]
            ratio_rows.append(
                [
                    f"hoso / {c}",
                    f"{ratio:.2f}x",
                    ", ".join(f"{x:.2f}" for x in paired),
                    f">= {target:.1f}x",
                    "yes" if met[c] else "NO",
                ]
            )
        lines += [
            table(
                ["ratio", "of medians", "within each repeat", "target", "met"],
                ratio_rows,
            ),
            "",
        ]
        cpu_rows = [
            [f"hoso / {c}", f"{cpu_pp[c] / cpu_pp['hoso']:.2f}x"] for c in TARGETS if c in cpu_pp
        ]
        lines += [
            table(["pages per CPU-second (less sensitive to others' load)", "ratio"], cpu_rows),
            "(hoso's CPU: the CLI and pool processes as reaped, plus the OCR sidecars sampled "
            "from /proc every 0.2 s; engine limit: CPU after the model is loaded)",
            "",
        ]
    cers: dict[str, float] = {}
    cer_rows = []
    for c in ("hoso", "cli_floor", "engine_limit"):
        if c in runs:
            values = [_cer_of(pages, r["texts"]) for r in runs[c]]
            cers[c] = round(median(values) * 100, 3)
            cer_rows.append(
                [LABELS[c], f"{cers[c]:.2f}%", ", ".join(f"{v * 100:.2f}%" for v in values)]
            )
    if cer_rows:
        lines += [
            table(["CER vs ground truth (pooled)", "median", "runs"], cer_rows),
            "(hoso reads the pages as scanned; the CLI floor and engine limit get them upright)",
            "",
        ]
    failures = {c: [r["failed"] for r in rs if r.get("failed")] for c, rs in runs.items()}
    failures = {c: f for c, f in failures.items() if f}
    if failures:
        lines.append(f"FAILURES: {failures}")
    data = {
        "pages": len(pages),
        "repeats": args.repeats,
        "seed": args.seed,
        "machine": info,
        "pages_per_min": {c: round(v, 2) for c, v in med.items()},
        "runs": {c: [round(r["ppm"], 2) for r in rs] for c, rs in runs.items()},
        "cpu_s_per_page": {c: round(v, 3) for c, v in cpu_pp.items()},
        "engine_limit_cold": [
            round(len(pages) * 60.0 / r["cold_seconds"], 2) for r in runs.get("engine_limit", [])
        ],
        "ratios": ratios,
        "ratios_per_repeat": per_repeat,
        "targets": TARGETS,
        "met": met,
        "cer_percent": cers,
        "failures": failures,
    }
    return {"text": "\n".join(lines), "json": data}


if __name__ == "__main__":
    raise SystemExit(main())
