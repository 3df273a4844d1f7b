"""Runs OCR in a long-lived child process, so a crash or a hang costs one page, not a worker.

The child keeps the Tesseract model loaded between pages (the point of tesserocr) and
answers one JSON line per request. The parent waits with a deadline; on timeout it kills
the child and the next page starts a fresh one. Works under any worker pool (Celery
prefork children may not fork multiprocessing children, but may start subprocesses).
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from ocr.engine import OcrEngine
from ocr.page import PageOptions, PageOutcome, ocr_page
from records.errors import EngineError, HosoError

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


class SidecarOcr:
    """Parent side: ``run(image, out_dir, options)`` with a per-page timeout."""

    def __init__(self, engine: str = "tesserocr", timeout: float = 180.0) -> None:
        self.engine = engine
        self.timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, language: str | None = None) -> None:
        """Start the child now (it loads ``language``'s model at once) instead of on the
        first page: a worker calls this when it starts, so the first page does not wait."""
        self._start(language)

    def _start(self, language: str | None = None) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            env = dict(os.environ, OMP_THREAD_LIMIT="1")
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ocr.sidecar",
                    self.engine,
                    *([language] if language else []),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                preexec_fn=die_with_parent,
            )
        return self._proc

    def run(self, image: Path, out_dir: Path, options: PageOptions) -> PageOutcome:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        request = {"image": str(image), "out_dir": str(out_dir), "options": asdict(options)}
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.flush()
        except BrokenPipeError as e:
            self.close()
            raise EngineError("Tesseract đã dừng bất thường") from e
        line = self._read_line(proc)
        answer = json.loads(line)
        if not answer["ok"]:
            raise EngineError(f"Lỗi nhận dạng chữ (OCR): {answer['error']}")
        return PageOutcome(**answer["outcome"])

    def _read_line(self, proc: subprocess.Popen[bytes]) -> bytes:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
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
                    code = proc.wait()
                    self.close()
                    raise EngineError(f"Tesseract bị lỗi và đã dừng (mã thoát {code})")
                buf += chunk
        return bytes(buf)

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
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


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "tesserocr", *sys.argv[2:3])
