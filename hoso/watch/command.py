"""Running the watcher: ``hoso watch`` (local worker pool) and the thread ``hoso serve``
starts for ``HOSO_WATCH_DIR`` (work sent to Celery)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hoso.bootstrap import Container
from hoso.watch.scan import check_dir
from hoso.watch.watcher import Dispatch, Watcher
from ingest.pipeline import Message
from records.errors import BadInput, HosoError

log = logging.getLogger("hoso.watch")


def summary(result: dict[str, Any]) -> str:
    """One line per batch, for a clerk."""
    head = f"Lô {result['batch_id']}" if result["batch_id"] else "Không tạo lô mới"
    counts = [
        f"{len(result['files'])} tệp",
        f"{len(result['done'])} xong",
        f"{len(result['failed'])} lỗi",
    ]
    if result["duplicates"]:
        counts.append(f"{len(result['duplicates'])} trùng")
    line = f"{head} [{result['folder'] or '.'}]: " + ", ".join(counts)
    if "dossier_code" in result:
        code = result["dossier_code"]
        line += (
            f"; hồ sơ {code}: đã gắn {len(result['attached'])} tài liệu"
            if result["dossier_found"]
            else f"; không tìm thấy hồ sơ {code}, chưa gắn tài liệu"
        )
    if "procedure_code" in result:
        line += f"; thủ tục {result['procedure_code']}"
    return line


def local_dispatch(container: Container, workers: int | None = None) -> Dispatch:
    """Run the messages in a local process pool and return when everything is done."""

    def dispatch(messages: list[Message]) -> None:
        from hoso.local import run_locally

        container.engine.dispose()  # no connections shared with the pool's processes
        run_locally(container.settings, messages, workers=workers or container.settings.workers)

    return dispatch


def _log_to_stderr() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s hoso watch: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def watch_command(args: argparse.Namespace) -> int:
    """``hoso watch DIR [--once] [--settle S] [--interval S] [--json]``."""
    from hoso.bootstrap import bootstrap

    if args.settle < 0 or args.interval <= 0:
        raise BadInput("--settle phải ≥ 0 và --interval phải > 0 (giây)")
    root = Path(args.dir)
    check_dir(root)  # before migrations: a wrong folder is said at once
    container = bootstrap()
    _log_to_stderr()
    watcher = Watcher(container, root, local_dispatch(container), local=True, settle=args.settle)
    watcher.open()
    any_failed = False

    def emit(results: list[dict[str, Any]]) -> None:
        nonlocal any_failed
        for r in results:
            any_failed = any_failed or bool(r["failed"])
            if args.json:
                print(json.dumps(r, ensure_ascii=False), flush=True)
            else:
                print(summary(r), flush=True)
                for f in r["failed"]:
                    print(f"LỖI {f['file']}: {f['message']}", file=sys.stderr, flush=True)

    try:
        if args.once:
            results = watcher.once()
            emit(results)
            if not results and not args.json:
                print("Không có tệp mới.")
            return 2 if any_failed else 0
        log.info("đang theo dõi %s (Ctrl-C để dừng)", watcher.root)
        while True:
            try:
                emit(watcher.poll())
            except HosoError as e:
                log.error("%s", e.message)
            except Exception:
                log.exception("lỗi trong một lượt quét; thử lại sau %s giây", args.interval)
            time.sleep(args.interval)
    finally:
        watcher.close()


class WatchThread:
    """``hoso serve`` with ``HOSO_WATCH_DIR``: the watcher in a thread, work sent to Celery.

    A folder that is missing or locked (a network share not mounted yet) is tried again
    every ``interval`` seconds; the reason is logged once per change.
    """

    def __init__(
        self,
        container: Container,
        root: Path,
        dispatch: Dispatch,
        *,
        interval: float = 2.0,
        settle: float = 2.0,
    ) -> None:
        self.container = container
        self.root = root
        self.dispatch = dispatch
        self.interval = interval
        self.settle = settle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hoso-watch", daemon=True)

    def start(self) -> WatchThread:
        _log_to_stderr()
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        watcher: Watcher | None = None
        last_problem = None
        while not self._stop.is_set():
            try:
                if watcher is None:
                    watcher = Watcher(
                        self.container, self.root, self.dispatch, local=False, settle=self.settle
                    ).open()
                    log.info("đang theo dõi thư mục quét %s", watcher.root)
                    last_problem = None
                for r in watcher.poll():
                    log.info("%s", summary(r))
                    for f in r["failed"]:
                        log.warning("LỖI %s: %s", f["file"], f["message"])
            except HosoError as e:
                if e.message != last_problem:
                    log.warning("%s", e.message)
                    last_problem = e.message
            except Exception:
                log.exception("lỗi trong một lượt quét thư mục %s", self.root)
            self._stop.wait(self.interval)
        if watcher is not None:
            watcher.close()
