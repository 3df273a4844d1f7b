"""The Celery app and its tasks. Messages carry IDs as JSON; each task runs one pipeline
step and sends the follow-ups the step returns.

The default broker needs no server: kombu's ``filesystem://`` transport with folders
under ``HOSO_DATA_DIR/broker``. ``HOSO_BROKER_URL=redis://…`` or ``amqp://…`` for scale.
"""

from __future__ import annotations

import logging

from celery import Celery, signals

from hoso.bootstrap import Container, bootstrap
from hoso.settings import Settings
from ingest.pipeline import STEPS, Message

TASKS = STEPS


def make_celery(settings: Settings) -> Celery:
    app = Celery("hoso", broker=settings.broker_url)
    conf: dict[str, object] = {
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "worker_hijack_root_logger": False,
        "task_default_queue": "hoso",
    }
    if settings.broker_url.startswith("filesystem://"):
        folder = settings.broker_dir / "queue"
        folder.mkdir(parents=True, exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "store_processed": False,
            "polling_interval": 0.2,
            # kombu keeps exchange bindings in "./control" unless told otherwise
            "control_folder": str(settings.broker_dir / "control"),
        }
        # filesystem:// has no broadcast exchange; worker remote control needs one.
        conf["worker_enable_remote_control"] = False
    app.conf.update(conf)
    _register(app)
    return app


_container: Container | None = None


def container() -> Container:
    """The worker process's container, built on first use from the environment."""
    global _container
    if _container is None:
        _container = bootstrap(migrate=False)
    return _container


def send(app: Celery, messages: list[Message]) -> None:
    for m in messages:
        app.send_task(f"hoso.{m.task}", args=[m.id])


def _register(app: Celery) -> None:
    for name in TASKS:

        def run(item_id: int, _name: str = name) -> None:
            step = getattr(container().pipeline, _name)
            send(app, step(int(item_id)))

        app.task(name=f"hoso.{name}", acks_late=True)(run)


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _start_sidecar(**_: object) -> None:
    """Start the process's OCR sidecar now: it loads the language model while the worker
    waits for its first message, not while a page waits. Only a process start here:
    Celery kills a child whose initialisation takes more than a few seconds."""
    box = container()
    try:
        box.recognizer.start(box.settings.ocr_language)
    except OSError:
        logging.getLogger(__name__).warning("OCR sidecar did not start", exc_info=True)


@signals.worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _close_sidecar(**_: object) -> None:
    if _container is not None and "recognizer" in _container.__dict__:
        _container.recognizer.close()


def app_from_env() -> Celery:
    return make_celery(Settings())
