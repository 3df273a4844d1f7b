"""The object store port, over every adapter: filesystem (the default), memory (the fake) and
S3 (over real HTTP to moto's S3 server on 127.0.0.1, see tests/s3server.py). S3-only
behaviour (object lock, bounded memory, corruption on the server, end to end) is in
tests/integration/test_storage_s3.py."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from records.errors import FileTooLarge, IntegrityError, NotFound
from storage import open_store
from storage.filesystem import FilesystemStore
from storage.memory import MemoryStore
from storage.port import ObjectStore
from storage.s3 import S3Store
from tests import s3server

DATA = "Giấy chứng nhận quyền sử dụng đất — trang 1".encode() * 1000
KEY = hashlib.sha256(DATA).hexdigest()
MISSING = "0" * 64


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    yield from s3server.moto_server()


@pytest.fixture(params=["filesystem", "memory", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "filesystem":
        return FilesystemStore(tmp_path / "objects")
    if request.param == "s3":  # the server starts only when an s3 case runs
        return s3server.new_store(request.getfixturevalue("moto_endpoint"), tmp_path)
    return MemoryStore()


class ShortReads(io.RawIOBase):
    """A stream that returns short reads, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._data.read(min(n, 7) if n and n > 0 else 7)


def test_put_stream_returns_sha256_and_size(store: ObjectStore) -> None:
    key, size = store.put_stream(io.BytesIO(DATA))
    assert key == KEY
    assert size == len(DATA)
    assert store.exists(key)
    assert store.get_bytes(key) == DATA


def test_put_stream_with_short_reads(store: ObjectStore) -> None:
    data = b"short reads " * 10
    key, size = store.put_stream(ShortReads(data))  # type: ignore[arg-type]
    assert (key, size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert store.get_bytes(key) == data


def test_put_stream_empty(store: ObjectStore) -> None:
    key, size = store.put_stream(io.BytesIO(b""))
    assert (key, size) == (hashlib.sha256(b"").hexdigest(), 0)
    assert store.get_bytes(key) == b""


def test_put_bytes_returns_the_key(store: ObjectStore) -> None:
    assert store.put_bytes(DATA) == KEY
    assert store.get_bytes(KEY) == DATA


def test_re_put_is_idempotent(store: ObjectStore) -> None:
    assert store.put_bytes(DATA) == KEY
    assert store.put_stream(io.BytesIO(DATA)) == (KEY, len(DATA))
    assert store.put_bytes(DATA) == KEY
    assert store.get_bytes(KEY) == DATA


def test_exists(store: ObjectStore) -> None:
    assert not store.exists(KEY)
    store.put_bytes(DATA)
    assert store.exists(KEY)
    assert not store.exists(MISSING)


def test_open_streams_the_object(store: ObjectStore) -> None:
    store.put_bytes(DATA)
    with store.open(KEY) as stream:
        first = stream.read(100)
        rest = stream.read()
        assert stream.read() == b""
    assert first + rest == DATA
    assert first == DATA[:100]


def test_open_read_in_chunks(store: ObjectStore) -> None:
    store.put_bytes(DATA)
    got = bytearray()
    with store.open(KEY) as stream:
        while chunk := stream.read(4096):
            got += chunk
    assert bytes(got) == DATA


def test_local_path_gives_a_verified_copy(store: ObjectStore) -> None:
    store.put_bytes(DATA)
    with store.local_path(KEY) as path:
        assert path.is_file()
        assert path.read_bytes() == DATA


def test_max_bytes_refuses_and_stores_nothing(store: ObjectStore) -> None:
    with pytest.raises(FileTooLarge):
        store.put_stream(io.BytesIO(DATA), max_bytes=len(DATA) - 1)
    assert not store.exists(KEY)
    with pytest.raises(NotFound):
        store.get_bytes(KEY)


def test_max_bytes_exactly_at_the_limit_is_accepted(store: ObjectStore) -> None:
    assert store.put_stream(io.BytesIO(DATA), max_bytes=len(DATA)) == (KEY, len(DATA))


def test_file_too_large_message_names_the_limit(store: ObjectStore) -> None:
    big = b"x" * (3 * 1024 * 1024)
    with pytest.raises(FileTooLarge, match="2 MB"):
        store.put_stream(io.BytesIO(big), max_bytes=2 * 1024 * 1024)
    assert FileTooLarge.http_status == 413


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get_bytes(MISSING),
        lambda s: s.open(MISSING),
        lambda s: s.local_path(MISSING).__enter__(),
    ],
    ids=["get_bytes", "open", "local_path"],
)
def test_missing_key_is_not_found(
    store: ObjectStore, call: Callable[[ObjectStore], object]
) -> None:
    with pytest.raises(NotFound):
        call(store)


BAD_KEYS = [
    "../etc/passwd",
    "",
    KEY.upper(),
    KEY[:-1],
    KEY + "0",
    "../" + KEY[3:],
    "g" * 64,
]


@pytest.mark.parametrize("key", BAD_KEYS)
@pytest.mark.parametrize(
    "method", ["exists", "get_bytes", "open", "local_path"], ids=lambda m: str(m)
)
def test_key_that_is_not_sha256_hex_is_refused(store: ObjectStore, key: str, method: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        result = getattr(store, method)(key)
        if method == "local_path":
            result.__enter__()


def test_filesystem_layout_is_read_only_and_leaves_no_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "objects"
    store = FilesystemStore(root)
    store.put_stream(io.BytesIO(DATA))
    store.put_bytes(b"second")
    path = root / KEY[:2] / KEY[2:4] / KEY
    assert path.read_bytes() == DATA
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert list((root / "tmp").iterdir()) == []


def test_filesystem_too_large_leaves_no_temp_file(tmp_path: Path) -> None:
    root = tmp_path / "objects"
    store = FilesystemStore(root)
    with pytest.raises(FileTooLarge):
        store.put_stream(io.BytesIO(DATA), max_bytes=10)
    assert list((root / "tmp").iterdir()) == []
    assert [p for p in root.rglob("*") if p.is_file()] == []


def test_filesystem_store_survives_reopening(tmp_path: Path) -> None:
    FilesystemStore(tmp_path / "objects").put_bytes(DATA)
    again = FilesystemStore(tmp_path / "objects")
    assert again.exists(KEY)
    assert again.get_bytes(KEY) == DATA


def _corrupt(root: Path, key: str) -> None:
    path = root / key[:2] / key[2:4] / key
    os.chmod(path, 0o644)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))


def test_filesystem_corruption_is_detected_by_get_bytes(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "objects")
    store.put_bytes(DATA)
    _corrupt(tmp_path / "objects", KEY)
    with pytest.raises(IntegrityError):
        store.get_bytes(KEY)


def test_filesystem_corruption_is_detected_by_a_chunked_streaming_read(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "objects")
    store.put_bytes(DATA)
    _corrupt(tmp_path / "objects", KEY)
    with store.open(KEY) as stream, pytest.raises(IntegrityError):
        while stream.read(1000):
            pass


def test_filesystem_corruption_is_detected_by_a_single_full_read(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "objects")
    store.put_bytes(DATA)
    _corrupt(tmp_path / "objects", KEY)
    with store.open(KEY) as stream, pytest.raises(IntegrityError):
        stream.read()


def test_memory_corruption_is_detected_by_a_single_full_read() -> None:
    store = MemoryStore()
    store.put_bytes(DATA)
    store.objects[KEY] = DATA[:-1] + b"?"
    with store.open(KEY) as stream, pytest.raises(IntegrityError):
        stream.read()


def test_filesystem_corruption_is_detected_by_local_path(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "objects")
    store.put_bytes(DATA)
    _corrupt(tmp_path / "objects", KEY)
    with pytest.raises(IntegrityError), store.local_path(KEY):
        pass


def test_memory_corruption_is_detected() -> None:
    store = MemoryStore()
    store.put_bytes(DATA)
    store.objects[KEY] = DATA[:-1] + b"?"
    with pytest.raises(IntegrityError):
        store.get_bytes(KEY)
    with store.open(KEY) as stream, pytest.raises(IntegrityError):
        while stream.read(1000):
            pass


def test_open_store_file_url(tmp_path: Path) -> None:
    root = tmp_path / "kho lưu trữ"
    store = open_store(root.as_uri())
    assert isinstance(store, FilesystemStore)
    assert store.put_bytes(DATA) == KEY
    assert (root / KEY[:2] / KEY[2:4] / KEY).is_file()


def test_open_store_file_url_plain(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}/objects")
    assert isinstance(store, FilesystemStore)
    assert store.root == tmp_path / "objects"


def test_open_store_memory_url() -> None:
    store = open_store("memory://")
    assert isinstance(store, MemoryStore)
    assert store.put_bytes(DATA) == KEY


@pytest.mark.parametrize("url", ["/var/lib/hoso/objects", "ftp://x/y", "", "s3:///bucket"])
def test_open_store_bad_scheme(url: str) -> None:
    with pytest.raises(ValueError, match="HOSO_STORAGE_URL"):
        open_store(url)


def test_open_store_s3_url_connects_to_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing an s3:// URL builds the adapter without a request (the host does not exist)."""
    monkeypatch.delenv("HOSO_S3_ACCESS_KEY", raising=False)
    store = open_store(
        "s3://kh%C3%B3a:b%C3%AD%2Fm%E1%BA%ADt@minio.invalid:9000/hoso/objects"
        "?secure=false&region=vn-hanoi-1&cache_mb=64"
    )
    assert isinstance(store, S3Store)
    assert (store.endpoint, store.bucket, store.prefix) == ("minio.invalid:9000", "hoso", "objects")
    assert store.where == "http://minio.invalid:9000/hoso"
    assert store.cache_bytes == 64 * 1024 * 1024
    assert store.name_of(KEY) == f"objects/{KEY[:2]}/{KEY[2:4]}/{KEY}"
    creds = store.client._provider.retrieve()  # type: ignore[union-attr]
    assert (creds.access_key, creds.secret_key) == ("khóa", "bí/mật")


def test_open_store_s3_defaults_to_https_and_env_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSO_S3_ACCESS_KEY", "tu-bien-moi-truong")
    monkeypatch.setenv("HOSO_S3_SECRET_KEY", "bi-mat")
    store = open_store("s3://minio.invalid/hoso")
    assert isinstance(store, S3Store)
    assert store.where == "https://minio.invalid/hoso"
    assert store.name_of(KEY) == f"{KEY[:2]}/{KEY[2:4]}/{KEY}"
    creds = store.client._provider.retrieve()  # type: ignore[union-attr]
    assert creds.access_key == "tu-bien-moi-truong"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("s3://minio.invalid:9000/hoso", "HOSO_S3_ACCESS_KEY"),  # no credentials anywhere
        ("s3://a:b@minio.invalid:9000/", "bucket"),
        ("s3://a:b@minio.invalid:9000/H_", "bucket"),
        ("s3://a:b@minio.invalid:9000/hoso?secure=maybe", "true/false"),
        ("s3://a:b@minio.invalid:9000/hoso?endpoint=x", "endpoint"),
    ],
)
def test_open_store_s3_bad_urls(url: str, complaint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOSO_S3_ACCESS_KEY", raising=False)
    monkeypatch.delenv("HOSO_S3_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="HOSO_STORAGE_URL") as e:
        open_store(url)
    assert complaint in str(e.value)


def test_retention_is_recorded_and_only_extended(store: ObjectStore) -> None:
    from datetime import UTC, datetime

    key = store.put_bytes(DATA)
    assert store.retained_until(key) is None
    later = datetime(2036, 1, 1, tzinfo=UTC)
    store.retain(key, later)
    assert store.retained_until(key) == later
    store.retain(key, datetime(2030, 1, 1, tzinfo=UTC))  # shortening is ignored
    assert store.retained_until(key) == later
    store.retain(key, datetime(2040, 1, 1, tzinfo=UTC))
    assert store.retained_until(key) == datetime(2040, 1, 1, tzinfo=UTC)


def test_retaining_a_missing_object_is_not_found(store: ObjectStore) -> None:
    from datetime import UTC, datetime

    with pytest.raises(NotFound):
        store.retain(MISSING, datetime(2036, 1, 1, tzinfo=UTC))
