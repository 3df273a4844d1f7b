"""An S3 server for tests: moto's, over real HTTP on 127.0.0.1, in a thread of this process.

No MinIO server can be installed on our machines; moto speaks the S3 protocol well enough
for the ``minio`` client (buckets, multipart, tags, object lock and retention; its gaps are
in shared/design/infra.md). Each test gets its own bucket, so tests stay independent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.s3 import S3Store

ACCESS, SECRET = "hoso-test", "hoso-test-secret"


def moto_server() -> Iterator[str]:
    """Start moto's server on a free port of 127.0.0.1; yield ``host:port``; stop it."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as e:  # pragma: no cover - the test extras install it
        pytest.skip(f"S3 tests need moto[server] (pip install -e '.[test]'): {e}")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"{host}:{port}"
    finally:
        server.stop()


def bucket_name() -> str:
    return f"hoso-{uuid.uuid4().hex[:16]}"


def s3_url(endpoint: str, bucket: str, cache: Path) -> str:
    return f"s3://{ACCESS}:{SECRET}@{endpoint}/{bucket}?secure=false&cache={cache}"


def new_store(endpoint: str, tmp_path: Path, bucket: str | None = None) -> S3Store:
    """A store on a fresh bucket (created by the adapter, with object lock, on first use)."""
    return S3Store(
        endpoint,
        bucket or bucket_name(),
        access_key=ACCESS,
        secret_key=SECRET,
        secure=False,
        cache_dir=tmp_path / "s3-cache",
    )
