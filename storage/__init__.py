"""Object storage: the ``ObjectStore`` port, its adapters and the factory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from storage.port import ObjectStore


def open_store(url: str) -> ObjectStore:
    """Pick the adapter from a URL: ``file:///var/lib/hoso/objects`` or ``memory://``."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from storage.filesystem import FilesystemStore

        return FilesystemStore(Path(unquote(parsed.path)))
    if parsed.scheme == "memory":
        from storage.memory import MemoryStore

        return MemoryStore()
    raise ValueError(f"HOSO_STORAGE_URL không được hỗ trợ: {url!r} (dùng file:///… )")


__all__ = ["ObjectStore", "open_store"]
