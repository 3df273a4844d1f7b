"""The same code on the scale-out engines: PostgreSQL for records, Redis as the Celery
broker. Skipped, with the reason, where the server is not reachable on 127.0.0.1."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import RESOURCES, hoso_env, needs_pg, needs_redis, running_server


@pytest.mark.services
@needs_pg
def test_pipeline_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """Migrations and every pipeline step run unchanged on PostgreSQL."""
    from tests.unit.test_pipeline import World, png_bytes, tiff_bytes

    world = World(tmp_path, url=pg_url)
    try:
        batch, messages, errors = world.upload(
            {"a.png": png_bytes(tmp_path, "Phạm Thị Lan đất"), "b.tif": tiff_bytes(["", ""])}
        )
        world.drain(messages)
        progress = world.progress(batch)
    finally:
        world.engine.dispose()
    assert errors == [None, None]
    assert progress["status"] == "done" and progress["pages_done"] == 3
    assert world.engine.dialect.name == "postgresql"


def _empty_redis_db() -> int:
    """A Redis database no one else is using (another run's worker would take our tasks)."""
    import redis

    candidates = list(range(1, 16))
    uuid_order = sorted(candidates, key=lambda _: uuid.uuid4().int)
    for db in uuid_order:
        client = redis.Redis(host="127.0.0.1", port=6379, db=db)
        try:
            if client.dbsize() == 0:
                return db
        finally:
            client.close()
    pytest.skip("GAP: every Redis database on 127.0.0.1:6379 is in use")


@pytest.mark.services
@pytest.mark.slow
@needs_redis
def test_celery_on_redis_broker(tmp_path: Path) -> None:
    """``hoso serve`` with HOSO_BROKER_URL=redis://… processes an upload end to end."""
    db = _empty_redis_db()
    env = hoso_env(tmp_path, HOSO_BROKER_URL=f"redis://127.0.0.1:6379/{db}")
    with running_server(tmp_path, env) as server, server.client("clerk") as clerk:
        jpeg = (RESOURCES / "synth" / "jpeg" / "page-0001.jpg").read_bytes()
        created = clerk.post("/api/batches", files={"files": ("a.jpg", jpeg, "image/jpeg")})
        assert created.status_code == 201, created.text
        batch = server.wait_batch(created.json()["id"], timeout=120)
    assert batch["documents"][0]["status"] == "done"
    assert not (tmp_path / "broker").exists()  # the queue lived in Redis, not on disk
