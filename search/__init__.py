"""Full-text search: the ``SearchIndex`` port, its adapters, Vietnamese folding, the factory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from search.fold import fold
from search.port import (
    Hit,
    PageEntry,
    SearchIndex,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)


def open_index(url: str) -> SearchIndex:
    """Pick the adapter from a URL: ``tantivy:///var/lib/hoso/index``,
    ``opensearch://host:9200/index`` (also ``http+opensearch``, ``https+opensearch``),
    ``elasticsearch://host:9200/index`` (also ``http+``/``https+elasticsearch``) or
    ``memory://``. Nothing connects here."""
    parsed = urlparse(url)
    if parsed.scheme.endswith(("opensearch", "elasticsearch")):
        from search.elastic_index import open_server_index

        return open_server_index(url)
    if parsed.scheme == "tantivy":
        from search.tantivy_index import TantivyIndex

        return TantivyIndex(Path(unquote(parsed.path)))
    if parsed.scheme == "memory":
        from search.memory import MemoryIndex

        return MemoryIndex()
    raise ValueError(
        f"HOSO_SEARCH_URL không được hỗ trợ: {url!r} "
        "(dùng tantivy:///…, opensearch://máy:9200/chỉ-mục hoặc elasticsearch://máy:9200/chỉ-mục)"
    )


__all__ = [
    "Hit",
    "PageEntry",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "fold",
    "open_index",
]
