"""Runs OCR in a long-lived child process, so a crash or a hang costs one page, not a worker.

The child keeps the Tesseract model loaded between pages (the point of tesserocr) and
answers one JSON line per request. The parent waits with a deadline; on timeout it kills
the child and the next page starts a fresh one. Works under any worker pool (Celery
prefork children may not fork multiprocessing children, but may start subprocesses).

A sidecar may also be started ahead by another process (``start_ahead``: ``hoso ingest``
starts them before its worker pool exists, so the model loads while the pool starts) and
then adopted by a worker (``SidecarOcr.adopt``); it talks over a socket pair instead of
pipes. If an adopted sidecar hangs or dies, the worker kills it and starts its own.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from records.errors import EngineError, HosoError

# ocr.page (OpenCV, NumPy) is imported where pages are handled: ``start_ahead`` runs in
# ``hoso ingest`` before anything heavy is imported.
if TYPE_CHECKING:
    from ocr.engine import OcrEngine
    from ocr.page import PageOptions, PageOutcome

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """``preexec_fn`` for children that must not outlive their parent (Linux: the kernel
    sends SIGTERM when the parent dies, even if it was killed with SIGKILL)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the parent's own cleanup still applies


def make_engine(name: str) -> OcrEngine:
    if name == "tesserocr":
        from ocr.tesserocr_engine import TesserocrEngine

        return TesserocrEngine()
    if name == "cli":
        from ocr.cli_engine import TesseractCliEngine

        return TesseractCliEngine()
    raise ValueError(f"unknown OCR engine {name!r} (tesserocr or cli)")


def serve(engine_name: str, warm_language: str | None = None) -> None:
    """The child's loop: read a request per line on stdin, answer a line on stdout.

    ``warm_language``: load that language's model before the first request arrives, so
    the load overlaps with whatever the parent does meanwhile."""
    engine = make_engine(engine_name)
    warm = getattr(engine, "warm", None)
    if warm_language and warm is not None:
        warm(warm_language)
    from ocr.page import PageOptions, ocr_page

    out = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write on the answer channel
    for line in sys.stdin:
        request = json.loads(line)
        try:
            outcome = ocr_page(
                engine,
                Path(request["image"]),
                Path(request["out_dir"]),
                PageOptions(**request["options"]),
            )
            answer: dict[str, object] = {"ok": True, "outcome": outcome.to_json()}
        except HosoError as e:
            answer = {"ok": False, "error": e.message}
        except Exception as e:  # an engine failure on this page only
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()


def _command(engine: str, language: str | None) -> list[str]:
    return [sys.executable, "-m", "ocr.sidecar", engine, *([language] if language else [])]


def _env() -> dict[str, str]:
    return dict(os.environ, OMP_THREAD_LIMIT="1")


@dataclass
class Ahead:
    """A sidecar started by one process for another to adopt: its pid and our end of the
    socket pair it reads requests from and writes answers to. Picklable into a
    multiprocessing child (the socket travels as a file descriptor)."""

    pid: int
    channel: socket.socket


def start_ahead(engine: str, language: str | None) -> tuple[subprocess.Popen[bytes], Ahead]:
    """Start a sidecar now, for a process that does not exist yet. The caller keeps the
    ``Popen`` (to reap it; the sidecar dies with the caller) and hands ``Ahead`` on."""
    ours, theirs = socket.socketpair()
    with theirs:
        proc = subprocess.Popen(
            _command(engine, language),
            stdin=theirs.fileno(),
            stdout=theirs.fileno(),
            env=_env(),
            preexec_fn=die_with_parent,
        )
    return proc, Ahead(proc.pid, ours)


class _Child:
    """One running sidecar as the parent sees it: where requests go, where answers come
    from, how to end it."""

    def __init__(
        self, pid: int, send: socket.socket | subprocess.Popen[bytes], answers: int
    ) -> None:
        self.pid = pid
        self._send = send
        self.answers = answers  # file descriptor the answers are read from

    @classmethod
    def own(cls, proc: subprocess.Popen[bytes]) -> _Child:
        assert proc.stdout is not None
        return cls(proc.pid, proc, proc.stdout.fileno())

    @classmethod
    def adopted(cls, ahead: Ahead) -> _Child:
        return cls(ahead.pid, ahead.channel, ahead.channel.fileno())

    @property
    def popen(self) -> subprocess.Popen[bytes] | None:
        return self._send if isinstance(self._send, subprocess.Popen) else None

    def alive(self) -> bool:
        proc = self.popen
        if proc is not None:
            return proc.poll() is None
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True

    def send(self, data: bytes) -> None:
        if isinstance(self._send, socket.socket):
            self._send.sendall(data)
            return
        assert self._send.stdin is not None
        self._send.stdin.write(data)
        self._send.stdin.flush()

    def exit_code(self) -> int | None:
        """The exit status once it has stopped (only known for our own children)."""
        proc = self.popen
        return proc.wait() if proc is not None else None

    def end(self) -> None:
        proc = self.popen
        if proc is None:  # adopted: not our child, its starter reaps it
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            assert isinstance(self._send, socket.socket)
            self._send.close()
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except BrokenPipeError:
                    pass


class SidecarOcr:
    """Parent side: ``run(image, out_dir, options)`` with a per-page timeout."""

    def __init__(self, engine: str = "tesserocr", timeout: float = 180.0) -> None:
        self.engine = engine
        self.timeout = timeout
        self._child: _Child | None = None

    def start(self, language: str | None = None) -> None:
        """Start the child now (it loads ``language``'s model at once) instead of on the
        first page: a worker calls this when it starts, so the first page does not wait."""
        self._start(language)

    def adopt(self, ahead: Ahead) -> None:
        """Use a sidecar another process started (``start_ahead``) instead of starting one."""
        self.close()
        self._child = _Child.adopted(ahead)

    def _start(self, language: str | None = None) -> _Child:
        if self._child is None or not self._child.alive():
            if self._child is not None:
                self.close()
            proc = subprocess.Popen(
                _command(self.engine, language),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=_env(),
                preexec_fn=die_with_parent,
            )
            self._child = _Child.own(proc)
        return self._child

    def run(self, image: Path, out_dir: Path, options: PageOptions) -> PageOutcome:
        from ocr.page import PageOutcome

        child = self._start()
        request = {"image": str(image), "out_dir": str(out_dir), "options": asdict(options)}
        try:
            child.send((json.dumps(request) + "\n").encode())
        except OSError as e:  # BrokenPipeError, or a socket whose other end is gone
            self.close()
            raise EngineError("Tesseract đã dừng bất thường") from e
        line = self._read_line(child)
        answer = json.loads(line)
        if not answer["ok"]:
            raise EngineError(f"Lỗi nhận dạng chữ (OCR): {answer['error']}")
        return PageOutcome(**answer["outcome"])

    def _read_line(self, child: _Child) -> bytes:
        fd = child.answers
        deadline = time.monotonic() + self.timeout
        buf = bytearray()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while not buf.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.close()
                    raise EngineError(
                        f"Nhận dạng chữ quá thời gian cho phép ({self.timeout:.0f} giây)"
                    )
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    code = child.exit_code()
                    self.close()
                    raise EngineError(
                        "Tesseract bị lỗi và đã dừng"
                        + (f" (mã thoát {code})" if code is not None else "")
                    )
                buf += chunk
        return bytes(buf)

    def close(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.end()


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "tesserocr", *sys.argv[2:3])
