"""A search server (or the object store) that is down or answers with errors: the API says
503 with a message a clerk understands, the CLI exits non-zero with one line. Servers are
on 127.0.0.1 only: a closed port (nothing listening) and a tiny HTTP server that answers
every request with 500.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from hoso.bootstrap import bootstrap
from hoso.settings import Settings
from records.users import create_user, issue_token
from search import SearchQuery, SearchUnavailable, open_index
from search.port import PageEntry
from tests.conftest import hoso_env, run_hoso


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Broken(BaseHTTPRequestHandler):
    def _fail(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = b'{"error": {"type": "internal_server_error"}, "status": 500}'
        self.send_response(500)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _fail

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def broken_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _staff_client(
    tmp_path: Path, search_url: str, storage_url: str = "memory://", role: str = "staff"
) -> tuple[TestClient, dict[str, str]]:
    settings = Settings(data_dir=tmp_path, storage_url=storage_url, search_url=search_url)
    container = bootstrap(settings)
    with container.uow() as uow:
        token = issue_token(uow, create_user(uow, "lan", role, "mat-khau-123"))
        uow.commit()
    client = TestClient(create_app(container, lambda messages: None))
    return client, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_api_search_with_the_server_down_is_503_for_the_clerk(
    tmp_path: Path, closed_port: int, engine: str
) -> None:
    """GIVEN HOSO_SEARCH_URL at a closed port WHEN staff search THEN 503 and a message
    naming the search server and saying to try again later (no raw 500)."""
    client, headers = _staff_client(tmp_path, f"{engine}://127.0.0.1:{closed_port}/hoso-pages")
    r = client.get("/api/search", params={"q": "nguyen van an"}, headers=headers)
    assert r.status_code == 503, r.text
    message = r.json()["error"]
    assert message.startswith("Máy chủ tìm kiếm"), message
    assert "không trả lời" in message and "thử lại sau" in message
    assert f"127.0.0.1:{closed_port}/hoso-pages" in message


def test_api_search_when_the_server_answers_500_is_503(tmp_path: Path, broken_server: int) -> None:
    client, headers = _staff_client(tmp_path, f"opensearch://127.0.0.1:{broken_server}/hoso-pages")
    r = client.get("/api/search", params={"q": "nguyen"}, headers=headers)
    assert r.status_code == 503, r.text
    assert "trả lời lỗi (HTTP 500)" in r.json()["error"]
    assert "thử lại sau" in r.json()["error"]


def test_adapter_writes_to_a_server_that_is_down_raise_search_unavailable(
    closed_port: int,
) -> None:
    """Writes (the pipeline's indexing, re-indexing after an attach) and deletes too."""
    index = open_index(f"opensearch://u:secret@127.0.0.1:{closed_port}/hoso-pages")
    entry = PageEntry(1, 1, 1, "a.pdf", "Nguyễn Văn An", datetime.now(UTC))
    for call in (
        lambda: index.add_pages([entry]),
        lambda: index.delete_document(1),
        lambda: index.search(SearchQuery("an")),
    ):
        with pytest.raises(SearchUnavailable) as e:
            call()
        assert e.value.http_status == 503 and e.value.retryable
        assert "secret" not in e.value.message  # credentials never shown


def test_cli_search_with_the_server_down_exits_non_zero_with_one_line(
    tmp_path: Path, closed_port: int
) -> None:
    env = hoso_env(tmp_path, HOSO_SEARCH_URL=f"opensearch://127.0.0.1:{closed_port}/hoso-pages")
    done = run_hoso(["search", "nguyen van an"], env)
    assert done.returncode == 5, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("hoso: Máy chủ tìm kiếm") and "thử lại sau" in lines[0]
    assert done.stdout == ""


def test_api_upload_with_the_object_store_down_is_503(tmp_path: Path, closed_port: int) -> None:
    """The same for the object store (MinIO/S3 at a closed port): StorageUnavailable is a
    ServiceUnavailable too."""
    client, headers = _staff_client(
        tmp_path,
        "memory://",
        storage_url=f"s3://a:b@127.0.0.1:{closed_port}/hoso?secure=false",
        role="clerk",
    )
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    r = client.post("/api/batches", files={"files": ("a.png", png, "image/png")}, headers=headers)
    assert r.status_code == 503, r.text
    message = r.json()["error"]
    assert message.startswith("Kho lưu trữ S3") and "thử lại sau" in message
    assert f"127.0.0.1:{closed_port}/hoso" in message
