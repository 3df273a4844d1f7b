"""``hoso serve``: the API and web pages, plus a Celery worker in a child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import uvicorn

from hoso.bootstrap import bootstrap
from hoso.celery_app import make_celery, send
from hoso.settings import Settings
from ocr.sidecar import die_with_parent

STOP_GRACE = 20.0  # seconds a worker gets to finish its current page on shutdown


def worker_command(concurrency: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hoso.worker",
        "worker",
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "--loglevel",
        "warning",
        "--queues",
        "hoso",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def run_worker(concurrency: int | None) -> int:
    settings = Settings()
    bootstrap(settings)  # migrations before the first task
    os.execv(sys.executable, worker_command(concurrency or settings.workers))
    return 0  # not reached


def stop(worker: subprocess.Popen[bytes]) -> None:
    """Warm shutdown (the current page finishes), then the whole process group goes."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(worker.pid, signal.SIGKILL)  # pool children and OCR sidecars too
    except ProcessLookupError:
        pass
    worker.wait()


def serve(host: str, port: int, workers: int | None) -> None:
    settings = Settings()
    container = bootstrap(settings)
    celery = make_celery(settings)
    # Own process group, and SIGTERM if we die: a worker never outlives its server.
    worker = subprocess.Popen(
        worker_command(workers or settings.workers),
        start_new_session=True,
        preexec_fn=die_with_parent,
    )
    watcher = None

    def shut_down() -> None:
        """Runs from the app's shutdown (SIGTERM included) and, to be sure, at the end."""
        if watcher is not None:
            watcher.stop()
        stop(worker)

    try:
        from api.app import create_app

        app = create_app(container, lambda messages: send(celery, messages), shut_down)
        if settings.watch_dir is not None:
            from hoso.watch import WatchThread

            dispatch = lambda messages: send(celery, messages)  # noqa: E731
            watcher = WatchThread(container, settings.watch_dir, dispatch).start()
        print(f"hoso đang chạy: http://{host}:{port}/ (dữ liệu: {settings.data_dir})", flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        shut_down()
