"""Runs pipeline steps in a local process pool: ``hoso ingest`` with no service running.

Each pool process builds its own container (its own database connections and OCR
sidecar, model kept loaded), like a Celery worker process does.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from hoso.bootstrap import Container, bootstrap
from hoso.settings import Settings
from ingest.pipeline import Message

_container: Container | None = None


def _init(settings: Settings) -> None:
    global _container
    _container = bootstrap(settings, migrate=False)


def _step(task: str, item_id: int) -> list[Message]:
    assert _container is not None
    return getattr(_container.pipeline, task)(item_id)  # type: ignore[no-any-return]


def run_locally(
    settings: Settings,
    messages: list[Message],
    *,
    workers: int,
    on_tick: Callable[[], None] | None = None,
) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(settings,)
    ) as pool:
        pending: set[Future[list[Message]]] = {pool.submit(_step, m.task, m.id) for m in messages}
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                for m in future.result():
                    pending.add(pool.submit(_step, m.task, m.id))
            if on_tick:
                on_tick()
