"""Runs pipeline steps in a local process pool: ``hoso ingest`` with no service running.

Each pool process builds its own container (its own database connections and OCR
sidecar, model kept loaded), like a Celery worker process does. The pool can be started
before there is anything to do (``LocalPool``): its processes import the product, start
their OCR sidecars and load the classifier while the caller receives the files, so the
first page does not wait for all of that.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import TYPE_CHECKING

from hoso.bootstrap import Container, bootstrap
from hoso.settings import Settings

if TYPE_CHECKING:
    from ingest.pipeline import Message

_container: Container | None = None

TICK = 1.0  # seconds between progress updates (each is a query)

#: Imported once by the fork server; every pool process forked from it starts with them
#: loaded (~2 s of CPU per process when each imported them itself).
PRELOAD = [
    "hoso.local",
    "hoso.classifier",
    "classify.model",
    "ingest.pipeline",
    "ocr.pdf",
    "search.tantivy_index",
    "storage.filesystem",
]


def _init(settings: Settings) -> None:
    """Pool process start-up. Touches no database: the caller may still be migrating it."""
    global _container
    _container = bootstrap(settings, migrate=False)
    try:  # warming up only: a failure here shows again, with its reason, on the first step
        _container.recognizer.start(settings.ocr_language)
        _container.classifier()  # load (or, on a new data directory, train) the model now
    except Exception:
        logging.getLogger(__name__).warning("worker warm-up failed", exc_info=True)


def _ready() -> None:
    """A no-op task: submitting one per process makes the pool start them all at once."""


def _step(task: str, item_id: int) -> list[Message]:
    assert _container is not None
    return getattr(_container.pipeline, task)(item_id)  # type: ignore[no-any-return]


class LocalPool:
    """``with LocalPool(settings, workers) as pool: …; pool.run(messages)``."""

    def __init__(self, settings: Settings, workers: int) -> None:
        # forkserver, not fork: the caller may already run threads (progress bar, SQL
        # pool); the fork server is a fresh single-threaded process that imports PRELOAD.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_init,
            initargs=(settings,),
        )
        # Starting a process waits until the fork server has imported PRELOAD (~2 s):
        # do that on a thread, so the caller receives files meanwhile.
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


def run_locally(
    settings: Settings,
    messages: list[Message],
    *,
    workers: int,
    on_tick: Callable[[], None] | None = None,
) -> None:
    with LocalPool(settings, workers) as pool:
        pool.run(messages, on_tick)
