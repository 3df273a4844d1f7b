"""An OpenSearch-API server for the search adapter tests: ``osmem-server`` on 127.0.0.1.

osmem-server (PyPI, in the test extras) is an in-memory emulator of the OpenSearch REST
API written in Go, not Lucene: it is the only such server installable here (no JVM, no
Docker). One server process runs per test session; every test gets its own clone (an
empty cluster on its own port, dropped afterwards). Tests whose behaviour osmem does not
reproduce are skipped with ``osmem_lacks(...)``, naming what it lacks; the adapter is
written for real Elasticsearch/OpenSearch semantics either way.

Import the fixtures into a test module: ``from tests.search_server import osmem``.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from typing import Any

import pytest

ENGINES = ("tantivy", "memory", "opensearch")  # every SearchIndex adapter under test


_server: Any = None


def _close() -> None:
    if _server is not None:
        _server.close()
        for stream in (_server.process.stdout, _server.process.stdin):
            if stream is not None and not stream.closed:
                stream.close()


@pytest.fixture(scope="session")
def osmem() -> Any:
    """One osmem-server per test process, however many modules import this fixture;
    it stops when the tests end (and by itself if this process dies)."""
    global _server
    if _server is None:
        module = pytest.importorskip(
            "osmem_server",
            reason="osmem-server (a test extra) is not installed: the OpenSearch adapter "
            "is untested",
        )
        _server = module.OsmemServer.start(japanese=False, addr="127.0.0.1:0")
        atexit.register(_close)
    return _server


def opensearch_url(osmem: Any, index: str = "") -> Iterator[str]:
    """A fresh clone's URL as HOSO_SEARCH_URL (``opensearch://127.0.0.1:PORT/index``)."""
    clone = osmem.clone()
    try:
        address = clone.url.removeprefix("http://").rstrip("/")
        yield f"opensearch://{address}/{index}" if index else f"opensearch://{address}"
    finally:
        clone.close()


def osmem_lacks(what: str) -> pytest.MarkDecorator:
    """Skip on osmem only; the reason says which real-engine behaviour it lacks."""
    return pytest.mark.skip(reason=f"osmem-server (the local OpenSearch emulator) lacks {what}")
