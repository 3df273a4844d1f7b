"""Helpers shared by the benchmarks: test pages, subprocess environments, tables, CER."""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # optional: /proc is read directly without it
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # for ``tests.quality`` when run from elsewhere
    sys.path.insert(0, str(ROOT))

from synth import generate_set  # noqa: E402
from synth.defects import turn as _turn  # noqa: E402
from tests.quality import cer, pooled_cer  # noqa: E402

__all__ = ["cer", "pooled_cer"]

TESSDATA = "/usr/share/tesseract-ocr/5/tessdata/"
MODEL_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "hoso-bench-model-cache"
JPEG_QUALITY = 85  # as ``python -m synth --format jpeg``
DPI = 300


@dataclass(frozen=True)
class BenchPage:
    name: str  # file name of the scanned page, e.g. page-0001.jpg
    scan: Path  # as scanned: skewed, maybe turned
    upright: Path | None  # the same page with the turn undone (skew kept), if written
    text: str  # ground truth
    turn: int  # counter-clockwise degrees the page was put in turned
    skew: float


def jpeg_bytes(image: Any, quality: int = JPEG_QUALITY, dpi: int = DPI) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def make_pages(
    n: int,
    seed: int,
    scans: Path,
    upright: Path | None = None,
    *,
    turns: Sequence[int] | None = None,
) -> list[BenchPage]:
    """Generate ``n`` synthetic scanned pages (300 dpi, skew within ±2°, the usual mix of
    turned pages unless ``turns`` is given) as JPEG files in ``scans``; if ``upright`` is
    given, also write each page with its turn undone (exact 90° steps, skew left as is)."""
    scans.mkdir(parents=True, exist_ok=True)
    if upright is not None:
        upright.mkdir(parents=True, exist_ok=True)
    pages = []
    for i, page in enumerate(generate_set(n, seed, dpi=DPI, turns=turns), 1):
        name = f"page-{i:04d}.jpg"
        (scans / name).write_bytes(jpeg_bytes(page.image))
        up = None
        if upright is not None:
            up = upright / name
            straight = _turn(page.image, (360 - page.turn) % 360) if page.turn else page.image
            up.write_bytes(jpeg_bytes(straight))
        pages.append(BenchPage(name, scans / name, up, page.text, page.turn, page.skew))
    return pages


def venv_tool(name: str) -> str:
    """A console script of this virtualenv (``hoso``, ``ocrmypdf``), else from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found next to {sys.executable} nor on PATH")
    return found


def hoso_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The current environment without any HOSO_* setting, plus a private data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSO_")}
    env["HOSO_DATA_DIR"] = str(data_dir)
    # The classifier is trained once per deployment (seconds), not per batch: share it
    # between runs so each run measures ingesting, not setting up.
    env["HOSO_MODEL_CACHE"] = str(MODEL_CACHE)
    env.update(extra)
    return env


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain fixed-width text table (also valid Markdown)."""
    cells = [[str(h) for h in headers], *[[_fmt(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def machine() -> dict[str, object]:
    info: dict[str, object] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    try:
        info["os"] = "Debian " + Path("/etc/debian_version").read_text().strip()
    except OSError:
        info["os"] = platform.platform()
    try:
        first = subprocess.run(
            ["tesseract", "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
        info["tesseract_cli"] = first[0] if first else "?"
    except OSError:
        info["tesseract_cli"] = "missing"
    try:
        import tesserocr

        engine = tesserocr.tesseract_version().split()[1]
        info["tesserocr"] = f"{tesserocr.__version__} (Tesseract {engine})"
    except Exception as e:  # pragma: no cover - informational only
        info["tesserocr"] = f"unavailable: {e}"
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if head:
            info["commit"] = head + (" (+ uncommitted changes)" if dirty else "")
        else:  # not a git checkout, e.g. a snapshot made with ``git archive``
            info["commit"] = os.environ.get("BENCH_COMMIT", "unknown")
    except OSError:
        info["commit"] = os.environ.get("BENCH_COMMIT", "unknown")
    return info


def json_line(kind: str, data: dict[str, object]) -> str:
    return json.dumps({"benchmark": kind, **data}, ensure_ascii=False, sort_keys=False)


# -- process trees (psutil if installed, else /proc) ----------------------------------
# -- process tree ------------------------------------------------------------------------
def proc_children(pid: int) -> list[int]:
    if psutil is not None:
        try:
            return [c.pid for c in psutil.Process(pid).children()]
        except psutil.Error:
            return []
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    kids.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def proc_tree(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of root and all its descendants."""
    out, todo = [(root, 0)], [root]
    while todo:
        pid = todo.pop()
        for kid in proc_children(pid):
            out.append((kid, pid))
            todo.append(kid)
    return out


def proc_rss_cpu(pid: int) -> tuple[int, float] | None:
    """Resident set size in bytes and user+system CPU seconds, or None if gone."""
    if psutil is not None:
        try:
            p = psutil.Process(pid)
            t = p.cpu_times()
            return p.memory_info().rss, t.user + t.system
        except psutil.Error:
            return None
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return rss, cpu
    except (OSError, ValueError, IndexError):
        return None


def proc_cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return " ".join(a.decode(errors="replace") for a in f.read().split(b"\0") if a)
    except OSError:
        return ""


def children_cpu() -> float:
    """User + system CPU seconds of this process's terminated, waited-for descendants."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class TreeCpu:
    """Samples the CPU time of every process under ``root`` every ``every`` seconds (the
    last value seen per pid), for processes that nobody in the tree waits for."""

    def __init__(self, root: int, every: float = 0.2) -> None:
        self.root = root
        self.every = every
        self.cpu: dict[int, float] = {}
        self.cmd: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeCpu:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid, _ppid in proc_tree(self.root):
                got = proc_rss_cpu(pid)
                if got is None:
                    continue
                # read every time: a child seen between fork and exec still shows its
                # parent's command line
                self.cmd[pid] = proc_cmdline(pid) or self.cmd.get(pid, "")
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), got[1])
            self._stop.wait(self.every)

    def total(self, matching: str = "") -> float:
        return sum(v for pid, v in self.cpu.items() if matching in self.cmd.get(pid, ""))
