"""The Celery app knows every step the pipeline can ask for."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from hoso.celery_app import make_celery
from hoso.settings import Settings
from ingest import editing, pipeline


def test_every_step_a_message_names_is_a_registered_task(tmp_path: Path) -> None:
    app = make_celery(Settings(data_dir=tmp_path))
    named = set()
    for module in (pipeline, editing):
        named |= set(re.findall(r'Message\("(\w+)"', inspect.getsource(module)))
    assert named <= set(pipeline.STEPS)
    assert {f"hoso.{s}" for s in pipeline.STEPS} <= set(app.tasks)
    assert all(callable(getattr(pipeline.Pipeline, s)) for s in pipeline.STEPS)
