"""Peak memory (RSS) of ``hoso serve`` while it ingests one long scanned PDF.

What it does: generates a few distinct synthetic scanned pages (A4, 300 dpi, JPEG q85,
skewed, some turned 180°/90°/270°; ``synth``) and repeats them into ONE N-page PDF
(img2pdf, one JPEG per page, default 200 pages), in a temporary folder. It starts
``hoso serve --port P --workers 2`` (API + Celery worker on the filesystem broker) with a
fresh HOSO_DATA_DIR, creates a clerk with ``hoso users add``, uploads the PDF with
``POST /api/batches`` (multipart field ``files``) and polls ``GET /api/batches/{id}`` until
its status is ``done``.

Meanwhile a thread walks the server's process tree every 0.2 s (psutil if installed, else
/proc/<pid>/status VmRSS and /proc/<pid>/task/*/children) and records each process's
RSS. Roles: ``api`` (the ``hoso serve`` process: uvicorn), ``celery-main`` (the worker's
main process), ``pool-child`` (its prefork children, which run the pipeline steps),
``ocr-sidecar`` (the Tesseract processes the children start), ``other`` (short-lived
helpers). Prints each process's peak RSS and CPU time, the peak of the per-role sum and of
the whole tree, the target (flat, < 500 MB per process) and the pages/minute seen, then
one JSON line. The server is stopped with SIGTERM to the process this script started (as a
service manager would); the report says whether its worker tree outlived it and for how
long (after 60 s this script stops what is left, by pid). The folder is removed. Only
127.0.0.1. Usage::

    .venv/bin/python -m bench.memory --pages 200
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    hoso_env,
    jpeg_bytes,
    json_line,
    machine,
    proc_cmdline,
    proc_rss_cpu,
    proc_tree,
    psutil,
    table,
    venv_tool,
)

TARGET_MB = 500.0
OUTLIVE_S = 60.0  # how long the worker tree may outlive `hoso serve` before we stop it
SAMPLE_S = 0.2
# the distinct pages repeated through the PDF: 2/12 turned 180, 2/12 sideways
TURNS = (0, 0, 180, 0, 0, 90, 0, 0, 180, 0, 270, 0)


@dataclass
class Proc:
    pid: int
    ppid: int
    cmd: str
    role: str
    peak: int = 0
    peak_at: float = 0.0  # monotonic time of the peak
    cpu: float = 0.0
    first: float = 0.0
    last: float = 0.0


@dataclass
class Sampler:
    root: int
    procs: dict[int, Proc] = field(default_factory=dict)
    role_peak: dict[str, int] = field(default_factory=dict)
    tree_peak: int = 0
    samples: int = 0
    timeline: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def role(self, pid: int, ppid: int, cmd: str) -> str:
        if pid == self.root:
            return "api"
        if "ocr.sidecar" in cmd:
            return "ocr-sidecar"
        if "celery" in cmd:
            parent = self.procs.get(ppid)
            if parent is not None and parent.role == "celery-main":
                return "pool-child"
            if parent is not None and parent.role == "pool-child":
                return "ocr-sidecar"  # forked by a pool child, not yet exec'd
            return "celery-main"
        return "other"

    def sample(self) -> None:
        now = time.monotonic()
        sums: dict[str, int] = {}
        for pid, ppid in proc_tree(self.root):
            got = proc_rss_cpu(pid)
            if got is None:
                continue
            rss, cpu = got
            proc = self.procs.get(pid)
            cmd = proc_cmdline(pid)
            if proc is None:
                proc = Proc(pid, ppid, cmd, self.role(pid, ppid, cmd), first=now)
                self.procs[pid] = proc
            elif cmd and cmd != proc.cmd:  # seen between fork and exec: classify again
                proc.cmd, proc.role = cmd, self.role(pid, ppid, cmd)
            if rss > proc.peak:
                proc.peak, proc.peak_at = rss, now
            proc.cpu = max(proc.cpu, cpu)
            proc.last = now
            sums[proc.role] = sums.get(proc.role, 0) + rss
        for r, v in sums.items():
            self.role_peak[r] = max(self.role_peak.get(r, 0), v)
        self.tree_peak = max(self.tree_peak, sum(sums.values()))
        self.timeline.append((now, sums))
        self.samples += 1

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            self.sample()
            self.stop.wait(max(0.0, SAMPLE_S - (time.monotonic() - started)))


# -- the run -----------------------------------------------------------------------------
def make_pdf(n: int, distinct: int, seed: int, target: Path) -> int:
    import img2pdf

    from synth import generate_set

    jpegs = [jpeg_bytes(p.image) for p in generate_set(distinct, seed, turns=TURNS[:distinct])]
    target.write_bytes(
        img2pdf.convert([jpegs[i % len(jpegs)] for i in range(n)], engine=img2pdf.Engine.internal)
    )
    return sum(1 for i in range(n) if TURNS[i % len(jpegs)] != 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(client: Any, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if client.get("/api/batches").status_code == 200:
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise SystemExit("hoso serve did not answer in time")


def stop_server(server: subprocess.Popen[bytes], sampler: Sampler) -> dict[str, Any]:
    """SIGTERM to the server we started, as a service manager would. Its worker tree may
    outlive it for a while (a warm shutdown): wait up to ``OUTLIVE_S`` for it to go on its
    own, then SIGTERM, then SIGKILL, by pid, whatever is still alive with the command line
    it had. Returns what happened."""
    t0 = time.monotonic()
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=45)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    server_s = time.monotonic() - t0

    def alive() -> list[Proc]:
        return [
            pr
            for pr in sampler.procs.values()
            if pr.pid != server.pid and pr.cmd and proc_cmdline(pr.pid) == pr.cmd
        ]

    outlived = [pr.pid for pr in alive()]
    deadline = time.monotonic() + OUTLIVE_S
    while alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    gone_s = time.monotonic() - t0
    stopped = [pr.pid for pr in alive()]
    for role, grace in (("celery-main", 30.0), (None, 5.0), (None, 0.0)):
        procs = [pr for pr in alive() if role is None or pr.role == role]
        if not procs:
            continue
        sig = signal.SIGKILL if grace == 0.0 else signal.SIGTERM
        for pr in procs:
            try:
                os.kill(pr.pid, sig)
            except ProcessLookupError:
                pass
        until = time.monotonic() + max(grace, 1.0)
        while time.monotonic() < until and any(proc_cmdline(pr.pid) == pr.cmd for pr in procs):
            time.sleep(0.2)
    return {
        "server_exit_s": round(server_s, 2),
        "server_exit_code": server.returncode,
        "outlived_server": outlived,
        "tree_gone_s": round(gone_s, 2),
        "stopped_by_bench": stopped,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--pages", type=int, default=200, help="pages in the one PDF (200)")
    p.add_argument("--distinct", type=int, default=12, help="distinct page images (12, max 12)")
    p.add_argument("--seed", type=int, default=2, help="seed of the synthetic pages (2)")
    p.add_argument("--workers", type=int, default=2, help="hoso serve --workers (2)")
    p.add_argument("--timeout", type=float, default=3600, help="give up after seconds (3600)")
    args = p.parse_args(argv)
    if not 1 <= args.distinct <= len(TURNS):
        p.error(f"--distinct must be between 1 and {len(TURNS)}")
    import httpx

    info = machine()
    with tempfile.TemporaryDirectory(prefix="hoso-memory-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "tmp").mkdir()
        pdf = tmp / f"scan-{args.pages}.pdf"
        t0 = time.perf_counter()
        turned = make_pdf(args.pages, args.distinct, args.seed, pdf)
        size_mb = pdf.stat().st_size / 1e6
        print(
            f"{pdf.name}: {args.pages} pages ({turned} turned), {size_mb:.0f} MB, made in "
            f"{time.perf_counter() - t0:.1f} s; load average {info['load_avg_1m']}",
            flush=True,
        )
        env = hoso_env(tmp / "data", TMPDIR=str(tmp / "tmp"))
        hoso = venv_tool("hoso")
        made = subprocess.run(
            [hoso, "users", "add", "bench", "--role", "clerk", "--json"],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if made.returncode != 0:
            raise SystemExit(f"hoso users add failed:\n{made.stderr[-3000:]}")
        token = json.loads(made.stdout.strip().splitlines()[-1])["token"]
        port = free_port()
        log = (tmp / "serve.log").open("wb")
        server = subprocess.Popen(
            [
                hoso,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            cwd=tmp,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        sampler = Sampler(server.pid)
        thread = threading.Thread(target=sampler.run, daemon=True)
        thread.start()
        progress_log: list[tuple[float, int]] = []
        result: dict[str, Any] = {}
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=httpx.Timeout(60.0, read=900.0),
            ) as client:
                wait_ready(client, time.monotonic() + 120)
                time.sleep(2.0)  # let the worker settle; its idle RSS is part of the record
                idle = {
                    r: v for r, v in (sampler.timeline[-1][1] if sampler.timeline else {}).items()
                }
                up0 = time.monotonic()
                with pdf.open("rb") as fh:
                    created = client.post(
                        "/api/batches", files=[("files", (pdf.name, fh, "application/pdf"))]
                    )
                up1 = time.monotonic()
                if created.status_code >= 400:
                    raise SystemExit(f"upload refused: {created.status_code} {created.text}")
                batch = created.json()["id"]
                print(f"uploaded in {up1 - up0:.1f} s, batch {batch}; processing…", flush=True)
                status: dict[str, Any] = {}
                next_print = up1 + 30
                while time.monotonic() - up0 < args.timeout:
                    status = client.get(f"/api/batches/{batch}").json()
                    now = time.monotonic()
                    progress_log.append((now, int(status["pages_done"])))
                    if status["status"] == "done":
                        break
                    if now >= next_print:
                        print(
                            f"  {now - up0:6.0f} s: {status['pages_done']}/"
                            f"{status['pages_total']} pages",
                            flush=True,
                        )
                        next_print = now + 30
                    time.sleep(1.0)
                done_at = time.monotonic()
                result = {
                    "upload_s": up1 - up0,
                    "upload_t0": up0,
                    "total_s": done_at - up0,
                    "status": status.get("status"),
                    "pages_done": status.get("pages_done"),
                    "pages_failed": status.get("pages_failed"),
                    "errors": status.get("errors"),
                    "idle": idle,
                }
                first_page = next((t for t, n in progress_log if n > 0), None)
                result["first_page_s"] = first_page - up0 if first_page else None
        finally:
            sampler.stop.set()
            thread.join()
            shutdown = stop_server(server, sampler)
            log.close()
    report = _report(sampler, result, shutdown, args, info, size_mb)
    print(report["text"])
    print(json_line("memory", report["json"]))
    return 0


def _mb(value: int) -> float:
    return value / (1024 * 1024)


def _report(
    sampler: Sampler,
    result: dict[str, Any],
    shutdown: dict[str, Any],
    args: argparse.Namespace,
    info: dict[str, object],
    size_mb: float,
) -> dict[str, Any]:
    order = {"api": 0, "celery-main": 1, "pool-child": 2, "ocr-sidecar": 3, "other": 4}
    procs = sorted(sampler.procs.values(), key=lambda x: (order[x.role], x.first))
    rows = []
    t0 = float(result.get("upload_t0") or 0.0)
    total = float(result.get("total_s") or 0.0)
    for pr in procs:
        ok = _mb(pr.peak) < TARGET_MB
        short = pr.cmd.split(" -m ")[-1][:40] if " -m " in pr.cmd else pr.cmd[:40]
        at = f"{pr.peak_at - t0:.0f} / {total:.0f}" if t0 else "-"
        rows.append(
            [
                pr.role,
                pr.pid,
                short,
                f"{_mb(pr.peak):.0f}",
                at,
                f"{pr.cpu:.0f}",
                "yes" if ok else "NO",
            ]
        )
    role_rows = []
    for r in sorted(sampler.role_peak, key=lambda x: order[x]):
        n = sum(1 for pr in procs if pr.role == r)
        single = max(_mb(pr.peak) for pr in procs if pr.role == r)
        idle = result.get("idle", {}).get(r)
        role_rows.append(
            [
                r,
                n,
                f"{single:.0f}",
                f"{_mb(sampler.role_peak[r]):.0f}",
                f"{_mb(idle):.0f}" if idle else "-",
            ]
        )
    pages = int(result.get("pages_done") or 0)
    total_s = float(result.get("total_s") or 0)
    ppm = pages * 60 / total_s if total_s else 0.0
    first = result.get("first_page_s")
    steady = (
        (pages - 1) * 60 / (total_s - first) if first and total_s > first and pages > 1 else None
    )
    worst = max((_mb(pr.peak) for pr in procs), default=0.0)
    met = worst < TARGET_MB
    # "flat": RSS of the long-lived roles in the last quarter of the run vs the second quarter
    flat = _flatness(sampler)
    lines = [
        "",
        f"hoso serve --workers {args.workers}, one {args.pages}-page scanned PDF "
        f"({size_mb:.0f} MB, {args.distinct} distinct pages repeated); "
        f"{sampler.samples} samples every {SAMPLE_S} s ({'psutil' if psutil else '/proc'}); "
        f"machine: {info['cpus']} cores, {info['os']}; commit {info['commit']}",
        "",
        table(
            [
                "role",
                "pid",
                "command",
                "peak RSS MB",
                "peak at s (of run)",
                "CPU s",
                f"< {TARGET_MB:.0f} MB",
            ],
            rows,
        ),
        "",
        table(
            ["role", "processes", "largest peak MB", "peak of role sum MB", "idle MB"], role_rows
        ),
        "",
        f"whole tree peak: {_mb(sampler.tree_peak):.0f} MB",
        f"target: every process < {TARGET_MB:.0f} MB and flat -> "
        f"{'met' if met else 'NOT MET'} (largest {worst:.0f} MB)",
        "growth (median of each role's RSS sum, 2nd quarter -> last quarter of the run): "
        + ", ".join(f"{r} {a:.0f} -> {b:.0f} MB" for r, (a, b) in flat.items()),
        f"status {result.get('status')}: {pages} pages done, {result.get('pages_failed')} failed; "
        f"upload {result.get('upload_s', 0):.1f} s; upload -> done {total_s:.1f} s = "
        f"{ppm:.1f} pages/min"
        + (f"; first page done after {first:.1f} s, then {steady:.1f} pages/min" if steady else ""),
    ]
    if result.get("errors"):
        lines.append(f"errors: {result['errors']}")
    lines.append(
        f"shutdown: SIGTERM -> `hoso serve` exited after {shutdown['server_exit_s']:.1f} s "
        f"(code {shutdown['server_exit_code']})"
        + (
            f"; {len(shutdown['outlived_server'])} of its processes outlived it "
            f"(pids {shutdown['outlived_server']}), all gone {shutdown['tree_gone_s']:.1f} s "
            "after the SIGTERM"
            if shutdown["outlived_server"]
            else "; no process outlived it"
        )
        + (
            f"; still alive after {OUTLIVE_S:.0f} s, stopped by this script: "
            f"{shutdown['stopped_by_bench']}"
            if shutdown["stopped_by_bench"]
            else ""
        )
    )
    data = {
        "pages": args.pages,
        "pdf_mb": round(size_mb, 1),
        "workers": args.workers,
        "machine": info,
        "peak_rss_mb": {f"{pr.role}:{pr.pid}": round(_mb(pr.peak), 1) for pr in procs},
        "role_sum_peak_mb": {r: round(_mb(v), 1) for r, v in sampler.role_peak.items()},
        "tree_peak_mb": round(_mb(sampler.tree_peak), 1),
        "target_mb": TARGET_MB,
        "met": met,
        "growth_mb": {r: [round(a, 1), round(b, 1)] for r, (a, b) in flat.items()},
        "pages_done": pages,
        "pages_failed": result.get("pages_failed"),
        "upload_s": round(float(result.get("upload_s") or 0), 2),
        "total_s": round(total_s, 2),
        "pages_per_min": round(ppm, 2),
        "steady_pages_per_min": round(steady, 2) if steady else None,
        "shutdown": shutdown,
    }
    return {"text": "\n".join(lines), "json": data}


def _flatness(sampler: Sampler) -> dict[str, tuple[float, float]]:
    from statistics import median

    tl = sampler.timeline
    if len(tl) < 8:
        return {}
    q = len(tl) // 4
    out = {}
    for r in ("api", "celery-main", "pool-child", "ocr-sidecar"):
        a = [s.get(r, 0) for _, s in tl[q : 2 * q]]
        b = [s.get(r, 0) for _, s in tl[3 * q :]]
        if any(a) or any(b):
            out[r] = (_mb(int(median(a))), _mb(int(median(b))))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
