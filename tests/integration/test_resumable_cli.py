"""``hoso ingest --server`` over a link that drops: a real ``hoso serve`` (``live_server``)
behind a small TCP proxy written here, which cuts connections part-way through uploads.
The CLI must resume (HEAD → offset → PATCH the rest) and the batch come out whole."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest

from hoso import ingest_cli
from tests.conftest import RESOURCES, LiveServer, hoso_env, run_hoso
from tests.quality import cer

PDF = RESOURCES / "synth" / "pdf" / "batch.pdf"
TRUTH = [
    (RESOURCES / "synth" / "pdf" / "truth" / f"page-{n:04d}.txt").read_text(encoding="utf-8")
    for n in (1, 2)
]
MIB = 1024 * 1024
PATCH = b"PATCH /api/uploads/"


class FlakyProxy:
    """Forwards 127.0.0.1:port to the server. When the bytes sent upstream (all
    connections together) reach the next of ``cut_at``, the connection carrying them is
    cut there, both ways, mid-request. Counts bytes sent upstream and PATCH requests."""

    def __init__(self, target: str, cut_at: list[int] | None = None) -> None:
        self.target = httpx.URL(target)
        self.cut_at = sorted(cut_at or [])
        self.sent = 0
        self.patches = 0
        self.cuts = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.sent = self.patches = 0

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection((self.target.host, self.target.port))
            with self._lock:
                self._open |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, upward: bool) -> None:
        tail = b""
        try:
            while data := src.recv(65536):
                cut = False
                if upward:
                    with self._lock:
                        if self.cut_at and self.sent + len(data) >= self.cut_at[0]:
                            data = data[: self.cut_at.pop(0) - self.sent]
                            cut = True
                            self.cuts += 1
                        self.sent += len(data)
                        self.patches += (tail + data).count(PATCH)
                        tail = data[-(len(PATCH) - 1) :]
                dst.sendall(data)
                if cut:
                    return
        except OSError:
            pass
        finally:
            self._close(src, dst)

    def _close(self, *socks: socket.socket) -> None:
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            with self._lock:
                self._open.discard(s)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            still = list(self._open)
        self._close(*still)


@pytest.fixture
def proxy_factory(live_server: LiveServer) -> Iterator[Callable[..., FlakyProxy]]:
    """Proxies to the live server, closed after the test."""
    made: list[FlakyProxy] = []

    def make(cut_at: list[int] | None = None) -> FlakyProxy:
        made.append(FlakyProxy(live_server.url, cut_at))
        return made[-1]

    yield make
    for p in made:
        p.close()


def scanned_pdf(path: Path, size: int) -> Path:
    """batch.pdf's two scanned pages twice (4 pages), padded to about ``size`` bytes with
    random bytes (unique, so no two test files are duplicates)."""
    with pikepdf.open(PDF) as pdf:
        for page in list(pdf.pages):
            pdf.pages.append(page)
        pdf.Root.HosoTestPadding = pdf.make_stream(os.urandom(size - PDF.stat().st_size))
        pdf.save(path)
    return path


def stored(live_server: LiveServer, path: Path) -> bool:
    """The server's object store holds exactly these bytes (content-addressed)."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return (live_server.data_dir / "objects" / sha[:2] / sha[2:4] / sha).is_file()


def check_pages(text: str) -> None:
    pages = text.split("\f")
    assert len(pages) == 4
    for i, page in enumerate(pages):
        assert cer(TRUTH[i % 2], page) < 0.05, (i, page[:200])


@pytest.mark.slow
def test_ingest_resumes_through_a_link_that_drops(
    live_server: LiveServer, proxy_factory: Callable[..., FlakyProxy], tmp_path: Path
) -> None:
    """GIVEN a 6 MB scanned PDF and a link that cuts three uploads part-way WHEN ``hoso
    ingest --server … --json --wait --chunk-mb 1`` runs THEN it says it retries, resumes
    each time from the server's offset, and the batch comes out with the input's pages."""
    scan = scanned_pdf(tmp_path / "ho-so-day.pdf", 6 * MIB)
    proxy = proxy_factory(cut_at=[int(1.7 * MIB), int(3.4 * MIB), int(5.1 * MIB)])
    env = hoso_env(tmp_path / "client")
    done = run_hoso(
        [
            "ingest",
            str(scan),
            "--server",
            proxy.url,
            "--token",
            live_server.tokens["clerk"],
            "--json",
            "--wait",
            "--chunk-mb",
            "1",
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    assert proxy.cuts == 3
    assert done.stderr.count("Mất kết nối, đang thử lại") >= 3
    assert proxy.patches > 6  # 6 chunks; a cut one is finished by another PATCH
    assert proxy.sent < scan.stat().st_size + MIB  # resumed from the offset, never over
    out = json.loads(done.stdout)
    assert set(out) == {"batch_id", "documents", "duplicates", "errors"}
    assert out["errors"] == []
    [doc] = out["documents"]
    assert doc["source"] == "ho-so-day.pdf" and doc["status"] == "done" and doc["pages"] == 4
    check_pages(doc["text"])
    assert stored(live_server, scan)  # every byte arrived, in order
    state = json.loads((tmp_path / "client" / "uploads.json").read_text())
    assert state == {}  # finished uploads are forgotten


@pytest.mark.slow
def test_a_second_run_after_a_crash_resumes_from_the_saved_offset(
    live_server: LiveServer,
    proxy_factory: Callable[..., FlakyProxy],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a first run killed after two 1 MiB chunks WHEN the same command runs again
    THEN the server already holds those chunks and they are not sent again."""
    scan = scanned_pdf(tmp_path / "bi-ngat.pdf", 4 * MIB)
    size = scan.stat().st_size
    proxy = proxy_factory()
    client_dir = tmp_path / "client"
    monkeypatch.setenv("HOSO_DATA_DIR", str(client_dir))

    class Killed(Exception):
        pass

    chunks: list[int] = []

    def killed_after_two(_path: Path, offset: int, _size: int) -> None:
        chunks.append(offset)
        if len(chunks) == 2:
            raise Killed

    first = argparse.Namespace(
        paths=[str(scan)],
        server=proxy.url,
        token=live_server.tokens["clerk"],
        wait=False,
        json=True,
        language=None,
        chunk_mb=1,
    )
    with pytest.raises(Killed):
        ingest_cli.ingest_remote(first, on_chunk=killed_after_two)
    assert chunks == [MIB, 2 * MIB]
    [entry] = json.loads((client_dir / "uploads.json").read_text()).values()
    with live_server.client("clerk") as clerk:
        head = clerk.head(entry["url"], headers={"Tus-Resumable": "1.0.0"})
    assert head.status_code == 200
    assert int(head.headers["upload-offset"]) == 2 * MIB  # what the server kept
    assert int(head.headers["upload-length"]) == size

    proxy.reset()
    token = live_server.tokens["clerk"]
    done = run_hoso(  # the same command again (default 4 MiB chunks)
        ["ingest", str(scan), "--server", proxy.url, "--token", token, "--json"],
        hoso_env(client_dir),
    )
    assert done.returncode == 0, done.stderr
    assert proxy.patches == 1  # the rest, in one chunk
    assert size - 2 * MIB <= proxy.sent < size - 2 * MIB + 64 * 1024  # not the first 2 MiB
    out = json.loads(done.stdout)
    assert out["errors"] == [] and out["documents"] == []
    batch: dict[str, Any] = live_server.wait_batch(out["batch_id"])
    [doc] = batch["documents"]
    assert doc["source"] == "bi-ngat.pdf" and doc["status"] == "done" and doc["pages"] == 4
    assert stored(live_server, scan)
    assert json.loads((client_dir / "uploads.json").read_text()) == {}
