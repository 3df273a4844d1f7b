"""The ``elasticsearch://`` path: what the official ``elasticsearch`` client sends.

No Elasticsearch server can run here, and osmem-server (the OpenSearch emulator the other
adapter tests use) refuses the 9.x client's ``compatible-with=9`` content type. So this
is NOT a test of Elasticsearch's behaviour: a small HTTP recorder on 127.0.0.1 answers
with canned JSON and keeps each request, to check that the thin wrapper sends the shared
request bodies (``search.elastic_body``, whose behaviour the OpenSearch tests cover) to
the right REST endpoints with the right parameters, and reads the answers back. Running
the port contract against a real Elasticsearch is left to a deployment (docker-compose.yml
has a server; see README, "Search servers").
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from search import elastic_body, open_index
from search.elastic_index import ElasticIndex
from search.port import PageEntry, SearchQuery

pytest.importorskip("elasticsearch", reason="the elasticsearch client is not installed")


@dataclass
class Seen:
    method: str
    path: str
    params: dict[str, list[str]]
    content_type: str
    body: bytes


@dataclass
class Recorder:
    url: str
    seen: list[Seen] = field(default_factory=list)
    index_exists: bool = False

    def json_bodies(self, path_end: str) -> list[Any]:
        return [json.loads(s.body) for s in self.seen if s.path.endswith(path_end)]


SEARCH_ANSWER = {
    "took": 1,
    "timed_out": False,
    "hits": {
        "total": {"value": 1, "relation": "eq"},
        "max_score": 3.5,
        "hits": [
            {
                "_index": "ho-so",
                "_id": "4-3",
                "_score": 3.5,
                "_source": {
                    "document_id": 4,
                    "page": 3,
                    "batch_id": 12,
                    "source": "scan 01.pdf",
                    "doc_type": "can_cuoc",
                    "text": "Ông Nguyễn Văn An <i>",
                },
                "highlight": {"text.folded": ["Ông \ue000Nguyễn\ue001 Văn An <i>"]},
                "sort": [3.5, 4, 3],
            }
        ],
    },
    "aggregations": {
        "types": {"buckets": [{"key": "can_cuoc", "doc_count": 1}]},
        "procedures": {"buckets": [{"key": "1.001193", "doc_count": 1}]},
    },
}


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, payload: Any = None) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            rec.seen.append(
                Seen(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    self.headers.get("Content-Type", ""),
                    self.rfile.read(length),
                )
            )
            if self.command == "HEAD":
                self._answer(200 if rec.index_exists else 404)
            elif self.command == "PUT":
                rec.index_exists = True
                self._answer(200, {"acknowledged": True, "index": parts.path.strip("/")})
            elif parts.path == "/_bulk":
                self._answer(200, {"took": 1, "errors": False, "items": []})
            elif parts.path.endswith("/_delete_by_query"):
                self._answer(200, {"deleted": 0, "failures": []})
            elif json.loads(rec.seen[-1].body).get("size") == 0:  # newer generations?
                self._answer(200, {"hits": {"hits": []}, "aggregations": {}})
            else:
                self._answer(200, SEARCH_ANSWER)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.url = f"elasticsearch://127.0.0.1:{server.server_address[1]}/ho-so"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


def test_the_elasticsearch_wrapper_sends_the_shared_bodies(recorder: Recorder) -> None:
    index = open_index(recorder.url)
    assert isinstance(index, ElasticIndex)
    assert recorder.seen == []  # nothing connects when the adapter is made
    entry = PageEntry(
        4, 3, 12, "scan 01.pdf", "Ông Nguyễn Văn An", datetime(2026, 3, 2, tzinfo=UTC)
    )
    index.add_pages([entry])
    calls = [(s.method, s.path) for s in recorder.seen]
    assert calls == [
        ("HEAD", "/ho-so"),
        ("PUT", "/ho-so"),
        ("PUT", "/_bulk"),
        ("POST", "/ho-so/_search"),
        ("POST", "/ho-so/_delete_by_query"),
    ], calls
    _head, put, bulk, newer, delete = recorder.seen
    assert json.loads(put.body) == elastic_body.index_body()
    lines = [json.loads(line) for line in bulk.body.decode().splitlines() if line]
    action, source = lines
    assert action["index"]["_id"] == "4-3" and action["index"]["version_type"] == "external_gte"
    generation = action["index"]["version"]
    assert source == elastic_body.page_source(entry, generation)
    assert bulk.params["refresh"] == ["wait_for"]
    assert "compatible-with=9" in bulk.content_type  # what an Elasticsearch 9 server expects
    assert json.loads(newer.body) == elastic_body.newer_pages_query([4], generation)
    assert json.loads(delete.body) == elastic_body.older_pages_query([4], generation)
    assert delete.params["refresh"] == ["true"] and delete.params["conflicts"] == ["proceed"]

    result = index.search(SearchQuery("nguyen thu_tuc:1.001193", limit=5, offset=0))
    search = recorder.seen[-1]
    assert (search.method, search.path) == ("POST", "/ho-so/_search")
    assert json.loads(search.body) == elastic_body.search_body(
        SearchQuery("nguyen thu_tuc:1.001193", limit=5)
    )
    (hit,) = result.hits
    assert (hit.document_id, hit.page, hit.batch_id, hit.source) == (4, 3, 12, "scan 01.pdf")
    assert hit.snippet_html == "Ông <b>Nguyễn</b> Văn An &lt;i&gt;"
    assert (result.total, result.facets, result.procedure_facets) == (
        1,
        {"can_cuoc": 1},
        {"1.001193": 1},
    )
    index.delete_document(4)
    last = recorder.seen[-1]
    assert last.path == "/ho-so/_delete_by_query"
    assert json.loads(last.body) == elastic_body.document_query(4)
