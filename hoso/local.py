"""Runs pipeline steps in a local process pool: ``hoso ingest`` with no service running.

Each pool process builds its own container (its own database connections and OCR
sidecar, model kept loaded), like a Celery worker process does. The pool can be started
before there is anything to do (``LocalPool``), so the first page waits for as little as
possible: the OCR sidecars are started at once by the caller (``start_ahead``) and load
their model while the fork server imports the pipeline; each pool process adopts one,
then loads the classifier on a thread while its first pages are recognised.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import forkserver
from types import TracebackType
from typing import TYPE_CHECKING

from hoso.settings import Settings
from ocr.sidecar import Ahead, start_ahead

# Light at the top: ``hoso ingest`` imports this module to start the pool before anything
# heavy; the pool's processes import the rest (PRELOAD, once, in the fork server).
if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

    from hoso.bootstrap import Container
    from ingest.pipeline import Message

_container: Container | None = None

TICK = 1.0  # seconds between progress updates (each is a query)

#: Imported once by the fork server; every pool process forked from it starts with them
#: loaded. The fork server's imports are on the path to the first page (every process
#: waits for them): nothing here may import scikit-learn (prediction needs none).
PRELOAD = [
    "hoso.local",
    "hoso.classifier",
    "ingest.pipeline",
    "ocr.pdf",
    "search.tantivy_index",
    "storage.filesystem",
]


def _init(settings: Settings, ahead: list[Ahead], claims: Synchronized[int]) -> None:
    """Pool process start-up. Touches no database: the caller may still be migrating it.

    Takes the next of the sidecars started ahead (every process receives all of them and
    closes the others' ends), or starts its own when none is left."""
    from hoso.bootstrap import bootstrap

    global _container
    _container = bootstrap(settings, migrate=False)
    with claims.get_lock():
        mine = claims.value
        claims.value += 1
    for i, sidecar in enumerate(ahead):
        if i == mine:
            _container.recognizer.adopt(sidecar)
        else:
            sidecar.channel.close()
    try:  # warming up only: a failure here shows again, with its reason, on the first step
        if mine >= len(ahead):
            _container.recognizer.start(settings.ocr_language)
    except Exception:
        logging.getLogger(__name__).warning("OCR warm-up failed", exc_info=True)
    # The first document is assembled only after its pages are recognised: load (or, on a
    # new data directory, train) the model meanwhile, while this process waits for OCR.
    threading.Thread(target=_warm_classifier, args=(_container,), daemon=True).start()


def _warm_classifier(container: Container) -> None:
    try:
        container.classifier()
    except Exception:
        logging.getLogger(__name__).warning("classifier warm-up failed", exc_info=True)


def _ready() -> None:
    """A no-op task: submitting one per process makes the pool start them all at once."""


def _step(task: str, item_id: int) -> list[Message]:
    assert _container is not None
    return getattr(_container.pipeline, task)(item_id)  # type: ignore[no-any-return]


class LocalPool:
    """``with LocalPool(settings, workers) as pool: …; pool.run(messages)``."""

    def __init__(self, settings: Settings, workers: int, language: str | None = None) -> None:
        # The sidecars first: loading Tesseract's model is what the first page waits for
        # longest, and they need nothing from the pool.
        self._sidecars = [
            start_ahead(settings.ocr_engine, language or settings.ocr_language)
            for _ in range(workers)
        ]
        # forkserver, not fork: the caller may already run threads (progress bar, SQL
        # pool); the fork server is a fresh single-threaded process that imports PRELOAD.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        ahead = [a for _, a in self._sidecars]
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init,
            initargs=(settings, ahead, context.Value("i", 0)),
        )
        forkserver.ensure_running()  # now: a thread may wait for the GIL behind imports

        # Starting a process waits until the fork server has imported PRELOAD (~0.7 s):
        # do that on a thread, so the caller receives files meanwhile. Our ends of the
        # sidecars' sockets stay open until the pool is shut down: a process the pool
        # starts later still receives them.
        self._warming = threading.Thread(
            target=lambda: [self._pool.submit(_ready) for _ in range(workers)], daemon=True
        )
        self._warming.start()

    def run(self, messages: list[Message], on_tick: Callable[[], None] | None = None) -> None:
        """Run ``messages`` and every step they lead to, until none is left."""
        self._warming.join()
        submit = self._pool.submit
        pending: set[Future[list[Message]]] = {submit(_step, m.task, m.id) for m in messages}
        ticked = time.monotonic()
        while pending:
            done, pending = wait(pending, timeout=TICK, return_when=FIRST_COMPLETED)
            for future in done:
                for m in future.result():
                    pending.add(submit(_step, m.task, m.id))
            if on_tick and (not pending or time.monotonic() - ticked >= TICK):
                on_tick()
                ticked = time.monotonic()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._warming.join()
        self._pool.shutdown(wait=True, cancel_futures=kind is not None)
        _end_fork_server()
        for proc, ahead in self._sidecars:  # not needed any more: end them now
            ahead.channel.close()
            proc.kill()
            proc.wait()


def _end_fork_server() -> None:
    """Stop the fork server once the pool is shut down. Left alone it exits only when this
    process does, and then spends ~0.3 s tearing down the modules it preloaded while it
    still holds this command's stdout and stderr (a caller reading them waits). It keeps
    no state: killing it is safe, and the next pool starts a new one."""
    server = getattr(forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if server is None or not pid:
        return
    try:
        os.kill(pid, signal.SIGKILL)
        server._stop()  # closes our end, reaps it, forgets it (private, stable since 3.8)
    except (OSError, AttributeError):
        logging.getLogger(__name__).debug("fork server not stopped", exc_info=True)


def run_locally(
    settings: Settings,
    messages: list[Message],
    *,
    workers: int,
    on_tick: Callable[[], None] | None = None,
) -> None:
    with LocalPool(settings, workers) as pool:
        pool.run(messages, on_tick)
