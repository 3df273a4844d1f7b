"""Search adapter for an Elasticsearch or OpenSearch server, through the official clients.

``opensearch://host:9200/index`` (or ``http+opensearch://``, ``https+opensearch://``) uses
``opensearch-py``; ``elasticsearch://host:9200/index`` (or ``http+elasticsearch://``,
``https+elasticsearch://``) uses ``elasticsearch`` (9.x, for Elasticsearch 9 servers).
``user:password@`` in the URL is sent as basic auth; the index name defaults to
``hoso-pages``. The request bodies are built in ``search.elastic_body`` and are the same for
both; the two wrappers here only hand them to their client.

Nothing connects when the adapter is made: the client is created on first use, and the
index (settings and mapping) is created on the first request if it does not exist. A
server that cannot be reached or answers with an error raises :class:`SearchUnavailable`
(HTTP 503, a message for the clerk naming the server); the client's own error is logged
at INFO level.

Several worker processes (or hosts) may write at once: the server serialises writes, and
no lock is needed. Refresh policy: ``add_pages`` sends its bulk request with
``refresh=wait_for`` and deletes with ``refresh=true``, so when a call returns its pages are
searchable (as with the embedded index after a commit); it waits at most one refresh
interval (1 s by default) and forces no extra refresh.

Re-indexing a document first writes the new pages, then deletes its pages of older
generations, so the document never disappears from search in between. Each call has a
generation (a microsecond clock) used as an external version: an older concurrent write
never overwrites a newer page. After its write is visible, a call asks whether a later
generation already wrote the document; if so it deletes its own pages too. Whichever of
two concurrent re-indexes refreshes last therefore sees the other's pages and removes
what is older: the newest generation's pages are what stays.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from search import elastic_body as body
from search.port import PageEntry, SearchQuery, SearchResult, SearchUnavailable

log = logging.getLogger("hoso.search")

DEFAULT_INDEX = "hoso-pages"
OPENSEARCH_SCHEMES = {"opensearch": "http", "http+opensearch": "http", "https+opensearch": "https"}
ELASTICSEARCH_SCHEMES = {
    "elasticsearch": "http",
    "http+elasticsearch": "http",
    "https+elasticsearch": "https",
}


class SearchServerError(SearchUnavailable):
    """The search server refused some pages of a bulk write (other than a version
    conflict)."""


class Backend(Protocol):
    """The few calls the adapter makes; one thin wrapper per client library."""

    def create_index(self, index: str, settings: Mapping[str, Any]) -> None:
        """Create the index unless it exists (another process may create it first)."""
        ...

    def bulk(self, operations: list[dict[str, Any]]) -> Mapping[str, Any]: ...

    def delete_by_query(self, index: str, query: Mapping[str, Any]) -> None: ...

    def search(self, index: str, request: Mapping[str, Any]) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class ServerAddress:
    scheme: str  # http | https
    host: str
    port: int
    username: str | None
    password: str | None
    index: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.username is None:
            return None
        return (self.username, self.password or "")

    @property
    def where(self) -> str:
        """The server and index, for messages (never the credentials)."""
        return f"{self.url}/{self.index}"


def unavailable(engine: str, address: ServerAddress, status: object) -> SearchUnavailable:
    """The clerk's message for a failed request; ``status``: the HTTP status of the
    server's error answer, or None when it did not answer at all."""
    where = f"{engine} tại {address.where}"
    what = f"trả lời lỗi (HTTP {status})" if isinstance(status, int) else "không trả lời"
    return SearchUnavailable(f"Máy chủ tìm kiếm ({where}) {what}; thử lại sau.")


def parse_url(url: str) -> tuple[str, ServerAddress]:
    """``opensearch://user:pw@host:9200/index`` → ("opensearch", address)."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in OPENSEARCH_SCHEMES:
        engine, http = "opensearch", OPENSEARCH_SCHEMES[scheme]
    elif scheme in ELASTICSEARCH_SCHEMES:
        engine, http = "elasticsearch", ELASTICSEARCH_SCHEMES[scheme]
    else:
        raise ValueError(f"HOSO_SEARCH_URL không phải máy chủ Elasticsearch/OpenSearch: {url!r}")
    if not parsed.hostname:
        raise ValueError(f"HOSO_SEARCH_URL thiếu máy chủ: {url!r}")
    index = unquote(parsed.path.strip("/")) or DEFAULT_INDEX
    if "/" in index or index != index.lower():
        raise ValueError(f"Tên chỉ mục {index!r} không hợp lệ (chữ thường, không có '/')")
    return engine, ServerAddress(
        scheme=http,
        host=parsed.hostname,
        port=parsed.port or 9200,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        index=index,
    )


class _Generations:
    """Strictly increasing per process; across processes a microsecond clock orders them.
    Microseconds (about 1.8e15) stay below 2**53, exact in any JSON reader that parses
    numbers as doubles."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(time.time_ns() // 1000, self._last + 1)
            return self._last


_generations = _Generations()


class ElasticIndex:
    """``SearchIndex`` over Elasticsearch/OpenSearch (see the module docstring)."""

    def __init__(self, backend: Backend, index: str = DEFAULT_INDEX) -> None:
        self._backend = backend
        self.index = index
        self._ready = False

    def _ensure_index(self) -> None:
        if not self._ready:
            self._backend.create_index(self.index, body.index_body())
            self._ready = True

    def add_pages(self, entries: Iterable[PageEntry]) -> None:
        entries = list(entries)
        if not entries:
            return
        self._ensure_index()
        generation = _generations.next()
        answer = self._backend.bulk(body.bulk_operations(self.index, entries, generation))
        failures = body.bulk_failures(answer)
        if failures:
            shown = "; ".join(itertools.islice(failures, 5))
            raise SearchServerError(
                f"Máy chủ tìm kiếm không ghi được {len(failures)} trang vào chỉ mục: {shown}"
            )
        ids = {e.document_id for e in entries}
        newer = body.superseded(
            self._backend.search(self.index, body.newer_pages_query(ids, generation))
        )
        self._backend.delete_by_query(self.index, body.older_pages_query(ids, generation, newer))

    def delete_document(self, document_id: int) -> None:
        self._ensure_index()
        self._backend.delete_by_query(self.index, body.document_query(document_id))

    def search(self, query: SearchQuery) -> SearchResult:
        request = body.search_body(query)
        if request is None:
            return SearchResult(total=0, hits=[])
        self._ensure_index()
        return body.read_result(self._backend.search(self.index, request))


class OpenSearchBackend:
    """``opensearch-py``; the client is made on first use."""

    def __init__(self, address: ServerAddress, timeout: float = 30.0) -> None:
        self._address = address
        self._timeout = timeout
        self._client: Any = None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """The client's transport and HTTP errors → :class:`SearchUnavailable`."""
        from opensearchpy.exceptions import TransportError

        try:
            yield
        except TransportError as e:
            log.info("OpenSearch %s: %r", self._address.where, e)
            raise unavailable("OpenSearch", self._address, e.status_code) from e

    def _os(self) -> Any:
        if self._client is None:
            from opensearchpy import OpenSearch

            a = self._address
            self._client = OpenSearch(
                hosts=[{"host": a.host, "port": a.port, "scheme": a.scheme}],
                http_auth=a.auth,
                use_ssl=a.scheme == "https",
                verify_certs=a.scheme == "https",
                timeout=self._timeout,
                max_retries=3,
                retry_on_timeout=True,
            )
        return self._client

    def create_index(self, index: str, settings: Mapping[str, Any]) -> None:
        from opensearchpy.exceptions import RequestError

        client = self._os()
        with self._guard():
            if client.indices.exists(index=index):
                return
            try:
                client.indices.create(index=index, body=dict(settings))
            except RequestError as e:
                if e.error != "resource_already_exists_exception":
                    raise

    def bulk(self, operations: list[dict[str, Any]]) -> Mapping[str, Any]:
        with self._guard():
            answer: Mapping[str, Any] = self._os().bulk(body=operations, refresh="wait_for")
        return answer

    def delete_by_query(self, index: str, query: Mapping[str, Any]) -> None:
        with self._guard():
            self._os().delete_by_query(
                index=index, body=dict(query), refresh=True, conflicts="proceed"
            )

    def search(self, index: str, request: Mapping[str, Any]) -> Mapping[str, Any]:
        with self._guard():
            answer: Mapping[str, Any] = self._os().search(index=index, body=dict(request))
        return answer


class ElasticsearchBackend:
    """``elasticsearch`` (9.x); the client is made on first use."""

    def __init__(self, address: ServerAddress, timeout: float = 30.0) -> None:
        self._address = address
        self._timeout = timeout
        self._client: Any = None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """The client's transport and HTTP errors → :class:`SearchUnavailable`."""
        from elasticsearch import ApiError, TransportError

        try:
            yield
        except ApiError as e:
            log.info("Elasticsearch %s: %r", self._address.where, e)
            raise unavailable("Elasticsearch", self._address, e.status_code) from e
        except TransportError as e:
            log.info("Elasticsearch %s: %r", self._address.where, e)
            raise unavailable("Elasticsearch", self._address, None) from e

    def _es(self) -> Any:
        if self._client is None:
            from elasticsearch import Elasticsearch

            a = self._address
            self._client = Elasticsearch(
                a.url,
                basic_auth=a.auth,
                request_timeout=self._timeout,
                max_retries=3,
                retry_on_timeout=True,
            )
        return self._client

    def create_index(self, index: str, settings: Mapping[str, Any]) -> None:
        from elasticsearch import BadRequestError

        client = self._es()
        with self._guard():
            if client.indices.exists(index=index):
                return
            try:
                client.indices.create(index=index, body=dict(settings))
            except BadRequestError as e:
                if e.error != "resource_already_exists_exception":
                    raise

    def bulk(self, operations: list[dict[str, Any]]) -> Mapping[str, Any]:
        with self._guard():
            answer = self._es().bulk(operations=operations, refresh="wait_for")
        return dict(answer.body)

    def delete_by_query(self, index: str, query: Mapping[str, Any]) -> None:
        with self._guard():
            self._es().delete_by_query(
                index=index, body=dict(query), refresh=True, conflicts="proceed"
            )

    def search(self, index: str, request: Mapping[str, Any]) -> Mapping[str, Any]:
        with self._guard():
            return dict(self._es().search(index=index, body=dict(request)).body)


def open_server_index(url: str) -> ElasticIndex:
    engine, address = parse_url(url)
    backend: Backend
    if engine == "opensearch":
        backend = OpenSearchBackend(address)
    else:
        backend = ElasticsearchBackend(address)
    return ElasticIndex(backend, address.index)
