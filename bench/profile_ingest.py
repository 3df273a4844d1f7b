"""Where ``hoso ingest`` spends its time, per stage, without editing product code.

What it does: generates N synthetic scanned pages (as ``bench.ocr_throughput``), then runs
``hoso ingest DIR --json --workers 2`` once with a ``sitecustomize`` module (written to a
temporary folder put first on PYTHONPATH) that wraps the product's functions with timers in
every Python process of the run (the CLI, the pool workers, the OCR sidecars). Each call is
logged as (pid, stage, start, end); the script prints:

* a timeline of the run (process starts, migrations, first/last page, assembly, exit),
* per process role, the total, count and mean of each stage,
* how the OCR sidecars' busy time splits into Tesseract recognition, orientation
  detection, deskew, file I/O, hOCR/word boxes and thumbnails, against 2 × wall time.

Timers add a few µs per call; the figures are for one run on a shared machine. Everything
is written under a temporary folder that is removed. No network. Usage::

    .venv/bin/python -m bench.profile_ingest --pages 24
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import hoso_env, json_line, machine, make_pages, median, table, venv_tool

# module -> functions ("Class.method" or "function") wrapped where they are defined
TARGETS = {
    "hoso.bootstrap": ["bootstrap", "Container.migrate"],
    "hoso.ingest_local": ["ingest_local", "_local_result"],
    "hoso.ingest_common": ["expand"],
    "hoso.local": ["run_locally", "_init", "_step"],
    "ingest.upload": ["receive_file", "create_batch"],
    "ingest.progress": ["batch_progress"],
    "ingest.rasterize": ["page_image", "count_pages"],
    "ingest.pipeline": [
        "Pipeline.split_source",
        "Pipeline.ocr_page",
        "Pipeline.assemble_document",
        "Pipeline._store_outputs",
        "Pipeline._after_page",
        "Pipeline._fail_page",
    ],
    "ocr.sidecar": ["SidecarOcr.run", "SidecarOcr._start"],
    "ocr.page": ["ocr_page", "_read", "_write", "_straighten"],
    "ocr.geometry": ["detect_skew", "rotate", "turn"],
    "ocr.tesserocr_engine": [
        "TesserocrEngine.recognize",
        "TesserocrEngine.recognize_pixels",
        "TesserocrEngine.detect_orientation",
        "TesserocrEngine._api",
        "_words",
    ],
    "ocr.pdf": ["build_searchable_pdf"],
    "search.tantivy_index": ["TantivyIndex.__init__", "TantivyIndex.add_pages"],
    "storage.filesystem": ["FilesystemStore.put_stream", "FilesystemStore.get_bytes"],
    "records.sql": ["UnitOfWork.commit"],
    "records.migrate": ["upgrade"],
}

SITECUSTOMIZE = r'''
"""Timing hooks for bench.profile_ingest (written to a temporary folder)."""
import functools, importlib.abc, os, sys, time

_LOG = os.environ.get("BENCH_TRACE_FILE")
_TARGETS = {}


def _write(line):
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def _process_start():
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/stat") as f:
        btime = next(int(l.split()[1]) for l in f if l.startswith("btime"))
    return btime + start_ticks / os.sysconf("SC_CLK_TCK")


if _LOG:
    import json

    _TARGETS = json.loads(os.environ["BENCH_TRACE_TARGETS"])
    with open("/proc/self/cmdline", "rb") as f:
        _cmd = " ".join(a.decode(errors="replace") for a in f.read().split(b"\0") if a)
    _write(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "event": "process",
                       "start": _process_start(), "site": time.time(), "cmd": _cmd[:300]}))

    def _timed(stage, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            t0, c0 = time.time(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                _write(json.dumps({"pid": os.getpid(), "stage": stage, "t0": t0,
                                   "t1": time.time(), "cpu": time.process_time() - c0}))
        return wrapper

    def _patch(module):
        for qual in _TARGETS.get(module.__name__, []):
            owner, _, attr = qual.rpartition(".")
            holder = getattr(module, owner) if owner else module
            fn = getattr(holder, attr, None)
            if fn is not None:
                setattr(holder, attr, _timed(module.__name__ + ":" + qual, fn))

    class _Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name not in _TARGETS:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            loader = spec.loader
            original = loader.exec_module

            def exec_module(module, _original=original):
                _original(module)
                _patch(module)

            loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _Finder())
'''


def role(cmd: str) -> str:
    if "ocr.sidecar" in cmd:
        return "sidecar"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "pool"
    if "ingest" in cmd:
        return "cli"
    return "other"


def analyse(trace: Path, wall: float, t_start: float) -> tuple[str, dict[str, object]]:
    procs: dict[int, dict[str, object]] = {}
    calls: list[dict[str, object]] = []
    for line in trace.read_text().splitlines():
        rec = json.loads(line)
        if rec.get("event") == "process":
            procs[rec["pid"]] = rec
        else:
            calls.append(rec)
    for rec in calls:
        # pool workers are forked from the fork server: they never start an interpreter
        # of their own, so they have no process record
        pid = rec["pid"]
        rec["role"] = role(str(procs[pid].get("cmd", ""))) if pid in procs else "pool"
    t_zero = min([t_start, *(float(p["start"]) for p in procs.values())])

    def first(stage: str, key: str = "t0") -> float | None:
        values = [float(c[key]) for c in calls if c["stage"].endswith(stage)]
        return min(values) - t_zero if values else None

    def last(stage: str) -> float | None:
        values = [float(c["t1"]) for c in calls if c["stage"].endswith(stage)]
        return max(values) - t_zero if values else None

    marks = [
        ("CLI process starts", min(float(p["start"]) for p in procs.values()) - t_zero),
        (
            "CLI reaches site (interpreter up)",
            next(
                (float(p["site"]) - t_zero for p in procs.values() if role(str(p["cmd"])) == "cli"),
                None,
            ),
        ),
        ("migrations done (bootstrap ends)", last(":upgrade")),
        ("files received", last(":receive_file")),
        ("worker pool starting (run_locally)", first(":run_locally")),
        (
            "first pool process up",
            min(
                (
                    float(p["site"]) - t_zero
                    for p in procs.values()
                    if role(str(p["cmd"])) == "pool"
                ),
                default=None,
            ),
        ),
        ("pool initialisers done (last)", last("hoso.local:_init")),
        ("first split_source starts", first(":Pipeline.split_source")),
        (
            "first sidecar process up",
            min(
                (
                    float(p["site"]) - t_zero
                    for p in procs.values()
                    if role(str(p["cmd"])) == "sidecar"
                ),
                default=None,
            ),
        ),
        ("first sidecar ocr_page starts", first("ocr.page:ocr_page")),
        ("first model load done (_api)", first(":TesserocrEngine._api", "t1")),
        (
            "first page recognised",
            min(
                (
                    v
                    for v in (
                        first(":TesserocrEngine.recognize", "t1"),
                        first(":TesserocrEngine.recognize_pixels", "t1"),
                    )
                    if v is not None
                ),
                default=None,
            ),
        ),
        ("last ocr_page ends", last(":Pipeline.ocr_page")),
        ("last assemble_document ends", last(":Pipeline.assemble_document")),
        ("run_locally returns", last(":run_locally")),
        ("result built (_local_result)", last(":_local_result")),
        ("command exits (wall)", t_start + wall - t_zero),
    ]
    timeline = table(
        ["moment", "seconds since start"],
        [[m, f"{v:.2f}" if v is not None else "-"] for m, v in marks],
    )
    by: dict[tuple[str, str], list[float]] = defaultdict(list)
    cpu: dict[tuple[str, str], float] = defaultdict(float)
    for c in calls:
        key = (str(c["role"]), str(c["stage"]))
        by[key].append(float(c["t1"]) - float(c["t0"]))
        cpu[key] += float(c.get("cpu", 0.0))
    rows = []
    for (r, stage), ds in sorted(by.items(), key=lambda kv: (kv[0][0], -sum(kv[1]))):
        rows.append(
            [
                r,
                stage,
                len(ds),
                f"{sum(ds):.2f}",
                f"{cpu[(r, stage)]:.2f}",
                f"{sum(ds) / len(ds) * 1000:.0f}",
                f"{median(ds) * 1000:.0f}",
            ]
        )
    stages = table(
        ["role", "stage", "calls", "wall s", "CPU s", "mean wall ms", "median wall ms"], rows
    )

    def total(r: str, stage: str) -> tuple[float, float]:
        return sum(by.get((r, stage), [])), cpu.get((r, stage), 0.0)

    # recognitions thrown away: the first of two in one ocr_page (the page was turned)
    wasted_w = wasted_c = 0.0
    recs = [
        c
        for c in calls
        if c["stage"].endswith(("TesserocrEngine.recognize", "TesserocrEngine.recognize_pixels"))
    ]
    for page in (c for c in calls if c["stage"] == "ocr.page:ocr_page"):
        inside = sorted(
            (
                c
                for c in recs
                if c["pid"] == page["pid"]
                and float(page["t0"]) <= float(c["t0"]) <= float(page["t1"])
            ),
            key=lambda c: float(c["t0"]),
        )
        if len(inside) > 1:
            wasted_w += float(inside[0]["t1"]) - float(inside[0]["t0"])
            wasted_c += float(inside[0].get("cpu", 0.0))
    T = "ocr.tesserocr_engine:TesserocrEngine."
    ocr_total = total("sidecar", "ocr.page:ocr_page")
    from_file, in_memory = (
        total("sidecar", T + "recognize"),
        total("sidecar", T + "recognize_pixels"),
    )
    recog = (from_file[0] + in_memory[0], from_file[1] + in_memory[1])
    words = total("sidecar", "ocr.tesserocr_engine:_words")
    model = total("sidecar", T + "_api")
    osd = total("sidecar", T + "detect_orientation")
    skew = total("sidecar", "ocr.page:_straighten")
    read = total("sidecar", "ocr.page:_read")
    write = total("sidecar", "ocr.page:_write")
    pool_ocr = total("pool", "ingest.pipeline:Pipeline.ocr_page")
    sidecar_run = total("pool", "ocr.sidecar:SidecarOcr.run")
    assemble = total("pool", "ingest.pipeline:Pipeline.assemble_document")
    split = total("pool", "ingest.pipeline:Pipeline.split_source")
    n_recog = len(recs)
    cap = 2 * wall

    def sub(a: tuple[float, float], *bs: tuple[float, float]) -> tuple[float, float]:
        return a[0] - sum(b[0] for b in bs), a[1] - sum(b[1] for b in bs)

    useful = sub(recog, words, model, (wasted_w, wasted_c))
    rest = sub(ocr_total, recog, osd, skew, read, write)
    parts = [
        ("Tesseract recognition kept (recognize, less word boxes/model load)", useful),
        ("Tesseract recognition thrown away (first pass on turned pages)", (wasted_w, wasted_c)),
        ("model load (first call per sidecar)", model),
        ("word boxes (_words iterator)", words),
        ("orientation detection (OSD)", osd),
        ("deskew (_straighten: detect + rotate)", skew),
        ("image read + write (cv2)", (read[0] + write[0], read[1] + write[1])),
        ("rest of ocr_page (text/hOCR/words files, thumbnail)", rest),
        ("pool: ocr_page outside the sidecar (extract, store, DB)", sub(pool_ocr, sidecar_run)),
        (
            "pool: sidecar round trip beyond ocr_page (IPC, spawn; CPU: the pool's own)",
            (sidecar_run[0] - ocr_total[0], sidecar_run[1]),
        ),
        ("pool: split_source", split),
        ("pool: assemble_document (PDF + index)", assemble),
    ]
    accounted = sum(w for _, (w, _c) in parts)
    split_rows = [["2 cores x wall (capacity)", f"{cap:.2f}", "", "100%"]]
    split_rows += [[name, f"{w:.2f}", f"{c:.2f}", f"{w / cap:.0%}"] for name, (w, c) in parts]
    split_rows.append(
        [
            "not in any stage above (start-up, tail, CLI, scheduling, others' load)",
            f"{cap - accounted:.2f}",
            "",
            f"{(cap - accounted) / cap:.0%}",
        ]
    )
    split_table = table(["where the 2 cores went", "wall s", "CPU s", "share"], split_rows)
    text = "\n\n".join(
        [
            "Timeline (one run):",
            timeline,
            "Stages per process role (wall = time inside the call, CPU = that process's CPU time):",
            stages,
            f"Busy time against capacity ({n_recog} recognitions):",
            split_table,
        ]
    )
    data: dict[str, object] = {
        "wall_s": round(wall, 2),
        "marks_s": {m: round(v, 2) if v is not None else None for m, v in marks},
        "stages": {
            f"{r}|{s}": [len(d), round(sum(d), 3), round(cpu[(r, s)], 3)]
            for (r, s), d in by.items()
        },
        "recognitions": n_recog,
        "capacity_split_s": {name: [round(w, 2), round(c, 2)] for name, (w, c) in parts},
    }
    return text, data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.profile_ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--pages", type=int, default=24, help="pages (24)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic set (0)")
    p.add_argument("--workers", type=int, default=2, help="hoso ingest --workers (2)")
    args = p.parse_args(argv)
    info = machine()
    with tempfile.TemporaryDirectory(prefix="hoso-profile-") as tmp_name:
        tmp = Path(tmp_name)
        pages = make_pages(args.pages, args.seed, tmp / "scans")
        hooks = tmp / "hooks"
        hooks.mkdir()
        (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
        trace = tmp / "trace.jsonl"
        (tmp / "tmp").mkdir()
        env = hoso_env(
            tmp / "data",
            TMPDIR=str(tmp / "tmp"),
            PYTHONPATH=os.pathsep.join([str(hooks), *filter(None, [os.environ.get("PYTHONPATH")])]),
            BENCH_TRACE_FILE=str(trace),
            BENCH_TRACE_TARGETS=json.dumps(TARGETS),
        )
        cmd = [
            venv_tool("hoso"),
            "ingest",
            str(tmp / "scans"),
            "--json",
            "--workers",
            str(args.workers),
        ]
        t_start = time.time()
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            print(done.stderr[-3000:])
        text, data = analyse(trace, wall, t_start)
    turned = sum(1 for pg in pages if pg.turn)
    print(
        f"hoso ingest, {len(pages)} pages ({turned} turned), --workers {args.workers}: "
        f"{wall:.1f} s wall, {len(pages) * 60 / wall:.1f} pages/min, exit {done.returncode}; "
        f"load average {info['load_avg_1m']}; commit {info['commit']}\n"
    )
    print(text)
    print(json_line("profile_ingest", {"pages": len(pages), "machine": info, **data}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
