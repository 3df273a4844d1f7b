"""The S3 adapter over real HTTP (moto's S3 server on 127.0.0.1): what only S3 shows.

The port's contract tests run against it too, in tests/unit/test_storage.py (the ``s3``
case of its ``store`` fixture); here: object lock, memory, damage on the server, the
local cache, an unreachable server, and hoso's pipeline end to end on S3.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from minio.error import S3Error

from records.errors import IntegrityError
from storage import StorageUnavailable, open_store
from storage.s3 import RETAIN_TAG, S3Store
from tests import s3server
from tests.conftest import RESOURCES, free_port, hoso_env, run_hoso

DATA = "Quyết định cấp giấy chứng nhận — bản ký số".encode() * 500
KEY = hashlib.sha256(DATA).hexdigest()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    yield from s3server.moto_server()


@pytest.fixture
def store(endpoint: str, tmp_path: Path) -> S3Store:
    return s3server.new_store(endpoint, tmp_path)


def test_adapter_creates_its_bucket_with_object_lock(store: S3Store) -> None:
    assert not store.client.bucket_exists(store.bucket)  # nothing happened at construction
    assert not store.exists(KEY)  # first use: bucket made, with object lock
    assert store.client.bucket_exists(store.bucket)
    assert store.locking
    store.client.get_object_lock_config(store.bucket)  # raises if lock is not enabled


def test_retention_is_enforced_by_the_server(store: S3Store) -> None:
    """GIVEN a retained object WHEN anyone deletes its version through the S3 API THEN the
    server refuses (COMPLIANCE mode), and the bytes stay readable."""
    key = store.put_bytes(DATA)
    until = datetime(2036, 1, 1, tzinfo=UTC)
    store.retain(key, until)
    name = store.name_of(key)
    stat = store.client.stat_object(store.bucket, name)
    assert stat.metadata["x-amz-object-lock-mode"] == "COMPLIANCE"
    assert store.retained_until(key) == until
    with pytest.raises(S3Error) as refused:
        store.client.remove_object(store.bucket, name, version_id=stat.version_id)
    assert refused.value.code == "AccessDenied"
    assert store.get_bytes(key) == DATA


def test_bucket_without_object_lock_only_records_retention(endpoint: str, tmp_path: Path) -> None:
    """Honest about the limit: on a bucket made without object lock the date is kept in a
    tag and honoured by hoso, but the server lets the object be deleted."""
    bucket = s3server.bucket_name()
    store = s3server.new_store(endpoint, tmp_path, bucket)
    store.client.make_bucket(bucket)  # someone else made it, without lock
    key = store.put_bytes(DATA)
    assert not store.locking
    until = datetime(2036, 1, 1, tzinfo=UTC)
    store.retain(key, until)
    assert store.retained_until(key) == until
    tags = store.client.get_object_tags(bucket, store.name_of(key))
    assert tags is not None and tags[RETAIN_TAG] == until.isoformat()
    store.client.remove_object(bucket, store.name_of(key))  # not refused: nothing enforces it
    assert not store.exists(key)


def test_same_bytes_are_uploaded_once(store: S3Store) -> None:
    store.put_bytes(DATA)
    assert store.put_stream(io.BytesIO(DATA)) == (KEY, len(DATA))
    writer = store.writer()
    writer.write(DATA)
    assert writer.commit() == (KEY, len(DATA))
    versions = list(store.client.list_objects(store.bucket, recursive=True, include_version=True))
    assert [v.object_name for v in versions] == [store.name_of(KEY)]


def _corrupt(store: S3Store, key: str) -> None:
    """Replace the object's bytes on the server (a new current version, one byte flipped)."""
    bad = bytearray(DATA)
    bad[len(bad) // 2] ^= 0x01
    store.client.put_object(store.bucket, store.name_of(key), io.BytesIO(bytes(bad)), len(bad))


def test_damage_on_the_server_is_detected_by_every_read(store: S3Store) -> None:
    key = store.put_bytes(DATA)
    _corrupt(store, key)
    with pytest.raises(IntegrityError):
        store.get_bytes(key)
    with store.open(key) as stream, pytest.raises(IntegrityError):
        while stream.read(1000):
            pass
    with pytest.raises(IntegrityError), store.local_path(key):
        pass
    assert not any(store.cache_dir.iterdir())  # no damaged copy left in the cache


def test_local_path_downloads_once_and_refetches_a_damaged_copy(
    store: S3Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = store.put_bytes(DATA)
    gets: list[str] = []
    real_get = store.client.get_object

    def counting_get(*args: object, **kw: object) -> object:
        gets.append(str(args[1]))
        return real_get(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store.client, "get_object", counting_get)
    with store.local_path(key) as first:
        assert first.read_bytes() == DATA
    with store.local_path(key) as second:
        assert second == first and second.read_bytes() == DATA
    assert len(gets) == 1  # the pipeline asks once per page: one download

    os.chmod(first, 0o644)
    first.write_bytes(b"hong" + DATA[4:])  # the local copy is damaged
    again = s3server.new_store(
        store.endpoint, store.cache_dir.parent, store.bucket
    )  # a new process: verifies its cache before trusting it
    monkeypatch.setattr(again.client, "get_object", counting_get)
    with again.local_path(key) as path:
        assert path.read_bytes() == DATA
    assert len(gets) == 2


def test_local_cache_evicts_least_recently_used(store: S3Store) -> None:
    other = DATA + b"!"
    k1, k2 = store.put_bytes(DATA), store.put_bytes(other)
    store.cache_bytes = len(other) + 10  # room for one copy
    with store.local_path(k1) as p1:
        pass
    os.utime(p1, (1_000_000, 1_000_000))  # long unused
    with store.local_path(k2) as p2:
        assert p2.read_bytes() == other
    assert not p1.exists()


def test_unreachable_server_names_the_endpoint(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    store = open_store(
        f"s3://a:b@127.0.0.1:{port}/hoso?secure=false&cache={tmp_path / 'cache'}"
    )  # constructing connects to nothing
    with pytest.raises(StorageUnavailable) as e:
        store.exists(KEY)
    assert f"http://127.0.0.1:{port}/hoso" in e.value.message
    assert "Kho lưu trữ S3" in e.value.message and "không kết nối được" in e.value.message
    assert e.value.retryable and e.value.http_status == 503


def test_a_refusal_is_reported_not_taken_for_a_missing_object(
    store: S3Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto accepts any key pair; a real MinIO answers InvalidAccessKeyId. Whatever the
    server refuses must surface as StorageUnavailable naming it, never as NotFound."""
    store.exists(KEY)  # connected, bucket made

    def refuse(*args: object, **kw: object) -> object:
        raise S3Error(None, "InvalidAccessKeyId", "bad key", None, None, None)  # type: ignore[arg-type]

    monkeypatch.setattr(store.client, "stat_object", refuse)
    with pytest.raises(StorageUnavailable, match="InvalidAccessKeyId") as e:
        store.exists(KEY)
    assert store.where in e.value.message


# A child process measures its own memory: the server (in this process) holds the object.
STREAM_20MB = r"""
import hashlib, io, json, sys, tracemalloc
from pathlib import Path
from storage.s3 import S3Store

endpoint, bucket, cache = sys.argv[1:4]
SIZE, BLOCK = 20 * 1024 * 1024, 64 * 1024

class Scanner(io.RawIOBase):  # 20 MB produced piece by piece, never held whole
    def __init__(self):
        self.sent = 0
    def readable(self):
        return True
    def readinto(self, buf):
        n = min(len(buf), BLOCK, SIZE - self.sent)
        block = hashlib.sha256(str(self.sent).encode()).digest() * (n // 32 + 1)
        buf[:n] = block[:n]
        self.sent += n
        return n

store = S3Store(endpoint, bucket, access_key="hoso-test", secret_key="hoso-test-secret",
                secure=False, cache_dir=Path(cache))
store.exists("0" * 64)  # connect and create the bucket outside the measurement
tracemalloc.start()
key, size = store.put_stream(io.BufferedReader(Scanner(), BLOCK))
put_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.reset_peak()
digest = hashlib.sha256()
with store.open(key) as stream:
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
read_peak = tracemalloc.get_traced_memory()[1]
tracemalloc.reset_peak()
with store.local_path(key) as path:
    local_size = path.stat().st_size
local_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"key": key, "size": size, "read": digest.hexdigest(), "local": local_size,
                  "put_peak": put_peak, "read_peak": read_peak, "local_peak": local_peak}))
"""


def test_20mb_object_streams_with_bounded_memory(endpoint: str, tmp_path: Path) -> None:
    """GIVEN a 20 MB upload WHEN it is stored, streamed back and copied to a local file
    THEN each stays far below 20 MB of Python memory."""
    size = 20 * 1024 * 1024
    done = subprocess.run(
        [sys.executable, "-c", STREAM_20MB, endpoint, s3server.bucket_name(), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["size"] == out["local"] == size
    assert out["read"] == out["key"]
    mib = 1024 * 1024
    # put: about two copies of one 5 MiB multipart part (minio reads a part, then sends
    # it), whatever the object's size; a 1 GB upload peaks the same
    assert out["put_peak"] < 12 * mib, out
    assert out["read_peak"] < 4 * mib, out
    assert out["local_peak"] < 4 * mib, out


@pytest.mark.slow
def test_hoso_ingest_keeps_every_object_in_s3(endpoint: str, tmp_path: Path) -> None:
    """GIVEN HOSO_STORAGE_URL=s3://… WHEN ``hoso ingest --wait`` processes a scan (real
    OCR, worker processes) THEN it succeeds, its objects are in the bucket, none on disk,
    and the searchable PDF read back from S3 is intact."""
    bucket = s3server.bucket_name()
    url = s3server.s3_url(endpoint, bucket, tmp_path / "cache")
    env = hoso_env(tmp_path / "data", HOSO_STORAGE_URL=url)
    scan = RESOURCES / "synth" / "jpeg" / "page-0001.jpg"
    done = run_hoso(["ingest", str(scan), "--wait", "--json", "--workers", "1"], env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    [doc] = out["documents"]
    assert doc["status"] == "done" and doc["pages"] == 1 and doc["text"].strip()

    store = s3server.new_store(endpoint, tmp_path, bucket)
    names = [o.object_name for o in store.client.list_objects(bucket, recursive=True)]
    source_key = hashlib.sha256(scan.read_bytes()).hexdigest()
    assert store.name_of(source_key) in names
    assert len(names) >= 3  # the scan, the page image/text/hOCR, the searchable PDF …
    for name in names:
        key = name.rsplit("/", 1)[-1]
        assert hashlib.sha256(store.get_bytes(key)).hexdigest() == key
    assert not (tmp_path / "data" / "objects").exists()
