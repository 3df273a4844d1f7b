"""The hot folder under a real restart: 20 files dropped while ``hoso watch`` is killed
once mid-way; each is ingested exactly once and none is lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import HOSO, RESOURCES, hoso_env

N = 20


def small_scan(dest: Path, n: int) -> None:
    """A strip of a synthetic page with a unique mark: quick to read, distinct bytes."""
    with Image.open(RESOURCES / "synth" / "jpeg" / "page-0001.jpg") as page:
        top = 250 + 90 * (n % 12)
        strip = page.crop((0, top, page.width, top + 400)).convert("L")
    strip.putpixel((n, 0), 0)
    tmp = dest.with_suffix(".part")  # written under a temporary name, then renamed
    strip.save(tmp, format="JPEG", quality=90, dpi=(200, 200))
    os.replace(tmp, dest)


def done_files(hot: Path) -> list[Path]:
    return [p for p in (hot / "done").rglob("*.jpg")] if (hot / "done").exists() else []


def start(hot: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*HOSO, "watch", str(hot), "--settle", "0.5", "--interval", "0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.mark.slow
def test_twenty_files_through_a_restart_each_exactly_once(tmp_path: Path) -> None:
    hot, data = tmp_path / "hot", tmp_path / "data"
    hot.mkdir()
    env = hoso_env(data)

    def scanner() -> None:
        for n in range(N):
            small_scan(hot / f"scan-{n:02d}.jpg", n)
            time.sleep(0.4)

    dropper = threading.Thread(target=scanner)
    watcher = start(hot, env)
    dropper.start()
    try:
        deadline = time.monotonic() + 120
        while len(done_files(hot)) < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(done_files(hot)) >= 6, "the watcher did not get going"
        os.killpg(watcher.pid, signal.SIGKILL)  # a crash mid-way, no cleanup
        watcher.wait()
        watcher = start(hot, env)
        dropper.join()
        deadline = time.monotonic() + 240
        while len(done_files(hot)) < N and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        dropper.join()
        if watcher.poll() is None:
            os.killpg(watcher.pid, signal.SIGTERM)
            watcher.wait(timeout=30)
    names = sorted(p.name for p in done_files(hot))
    assert names == [f"scan-{n:02d}.jpg" for n in range(N)]
    assert not (hot / "failed").exists() or not any((hot / "failed").rglob("*.jpg"))
    with sqlite3.connect(data / "hoso.db") as db:
        shas = [r[0] for r in db.execute("SELECT sha256 FROM source_files")]
        statuses = [r[0] for r in db.execute("SELECT status FROM documents")]
    assert len(shas) == N and len(set(shas)) == N  # each received exactly once
    assert statuses == ["done"] * N
