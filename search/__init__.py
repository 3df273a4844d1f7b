"""Full-text search: the ``SearchIndex`` port, its adapters, Vietnamese folding, the factory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from search.fold import fold
from search.port import Hit, PageEntry, SearchIndex, SearchQuery, SearchResult


def open_index(url: str) -> SearchIndex:
    """Pick the adapter from a URL: ``tantivy:///var/lib/hoso/index`` or ``memory://``."""
    parsed = urlparse(url)
    if parsed.scheme == "tantivy":
        from search.tantivy_index import TantivyIndex

        return TantivyIndex(Path(unquote(parsed.path)))
    if parsed.scheme == "memory":
        from search.memory import MemoryIndex

        return MemoryIndex()
    raise ValueError(f"HOSO_SEARCH_URL không được hỗ trợ: {url!r} (dùng tantivy:///… )")


__all__ = ["Hit", "PageEntry", "SearchIndex", "SearchQuery", "SearchResult", "fold", "open_index"]
