"""Object storage: the ``ObjectStore`` port, its adapters and the factory."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from storage.port import ObjectStore, StorageUnavailable


def open_store(url: str) -> ObjectStore:
    """Pick the adapter from a URL: ``file:///var/lib/hoso/objects``, ``memory://`` or
    ``s3://ACCESS:SECRET@host:9000/bucket?secure=false`` (see ``storage.s3.parse_s3_url``).
    Nothing connects here: an S3 store connects on its first operation."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        from storage.filesystem import FilesystemStore

        return FilesystemStore(Path(unquote(parsed.path)))
    if parsed.scheme == "memory":
        from storage.memory import MemoryStore

        return MemoryStore()
    if parsed.scheme == "s3":
        from storage.s3 import parse_s3_url

        return parse_s3_url(url)
    raise ValueError(
        f"HOSO_STORAGE_URL không được hỗ trợ: {url!r} (dùng file:///… hoặc s3://host/bucket)"
    )


__all__ = ["ObjectStore", "StorageUnavailable", "open_store"]
