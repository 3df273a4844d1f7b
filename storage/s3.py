"""S3 adapter of the object store (MinIO in production), over the official ``minio`` client.

Chosen by ``HOSO_STORAGE_URL=s3://ACCESS:SECRET@host:port/bucket[/prefix]?secure=false``
(see :func:`parse_s3_url`). Objects are named ``[prefix/]ab/cd/<sha256>``, like the
filesystem layout, so ``mc ls`` and the console stay browsable.

**Writing.** The key is the SHA-256 of the bytes, known only once the last byte has
arrived. The writer spools to a local temp file while hashing, then on ``commit`` asks the
server whether the key exists (a duplicate is never uploaded again) and otherwise uploads
the file in 5 MiB multipart parts, one part in memory at a time. The alternative, streaming
into a temporary object and copying it server-side to its key, was rejected: it costs a
second write of every byte on the server, leaves orphan objects behind a crashed worker,
needs a multipart copy above 5 GiB, and uploads duplicates before finding out. A spool file
costs local disk the size of one upload (the worker already needs local copies for
pdftoppm), and the object appears at its key atomically, complete, or not at all. Over plain
HTTP the client signs each part's SHA-256, so the server refuses bytes damaged in transit;
over HTTPS TLS protects them.

**Reading.** ``get_bytes`` and ``open`` check the digest (``IntegrityError`` when the stored
bytes no longer match). ``local_path`` downloads into a local cache of verified copies
(``cache=`` folder, ``cache_mb=`` bound, oldest evicted), because the pipeline asks for the
same source file once per page: a 300-page PDF is downloaded once, not 300 times.

**Retention.** When the bucket has S3 Object Lock enabled (the adapter creates its bucket
that way when the bucket does not exist), ``retain`` sets a COMPLIANCE-mode retention on
the object's current version: until that date the server refuses to delete or overwrite
that version, for every user, root included. What it does not stop: a plain DELETE without
a version id still adds a *delete marker* that hides the object (removing the marker brings
it back; the bytes themselves cannot be destroyed). ``retained_until`` reads the retention
from the object's HEAD headers (``x-amz-object-lock-retain-until-date``), which S3, MinIO
and moto all return; moto cannot parse its own ``GET ?retention`` answer, so that call is
not used. On a bucket *without* object lock nothing is enforced by the server: the date is
recorded in an object tag (``hoso-retain-until``) and honoured by hoso only, like the
filesystem adapter, and a warning is logged once.

Nothing connects at import or construction; the first operation checks (or creates) the
bucket. Connection failures and refusals raise ``StorageUnavailable`` naming the endpoint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast
from urllib.parse import parse_qs, unquote, urlparse

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, Tags
from minio.error import MinioException, S3Error
from minio.helpers import check_bucket_name
from minio.retention import Retention

from records.errors import NotFound
from storage.port import (
    CHUNK,
    StorageUnavailable,
    VerifyingReader,
    check_key,
    put_bytes_via,
    put_stream_via,
    too_large,
    verify,
)

log = logging.getLogger(__name__)

PART_SIZE = 5 * 1024 * 1024  # the S3 minimum: one part is what a multipart upload holds
RETAIN_TAG = "hoso-retain-until"
RETAIN_HEADER = "x-amz-object-lock-retain-until-date"
MISSING_CODES = {"NoSuchKey", "NoSuchVersion", "NoSuchObject"}
T = TypeVar("T")


def _not_found(key: str) -> NotFound:
    return NotFound(f"Không tìm thấy đối tượng {key[:12]}… trong kho lưu trữ S3")


class S3Writer:
    """Spools to a local temp file while hashing; ``commit`` uploads it under its digest."""

    def __init__(self, store: S3Store, max_bytes: int | None) -> None:
        self._store = store
        self._max = max_bytes
        self._hash = hashlib.sha256()
        self.size = 0
        fd, self._tmp = tempfile.mkstemp(prefix="hoso-s3-spool-", dir=store.spool_dir)
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._max is not None and self.size > self._max:
            self.abort()
            raise too_large(self._max)
        self._hash.update(data)
        self._file.write(data)

    def commit(self) -> tuple[str, int]:
        try:
            self._file.close()
            key = self._hash.hexdigest()
            self._store._upload_file(key, Path(self._tmp), self.size)
            return key, self.size
        finally:
            self.abort()

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        if os.path.exists(self._tmp):
            os.unlink(self._tmp)


class _Body:
    """An S3 GET response as a plain stream; read errors become ``StorageUnavailable``."""

    def __init__(self, store: S3Store, response: Any) -> None:
        self._store = store
        self._response = response

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._response.read(None if n is None or n < 0 else n)
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise self._store._unavailable(e) from e
        return cast(bytes, data)

    def close(self) -> None:
        self._response.close()
        self._response.release_conn()


class S3Store:
    """Objects in one bucket of an S3 server (MinIO), keyed ``[prefix/]ab/cd/<sha256>``."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        *,
        access_key: str | None,
        secret_key: str | None,
        secure: bool = True,
        region: str | None = "us-east-1",
        prefix: str = "",
        cache_dir: Path | None = None,
        cache_bytes: int = 1024 * 1024 * 1024,
        spool_dir: Path | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 300.0,
    ) -> None:
        try:
            check_bucket_name(bucket, strict=True)
        except ValueError as e:
            raise ValueError(f"HOSO_STORAGE_URL: tên bucket không hợp lệ {bucket!r}") from e
        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.secure = secure
        where = Path(tempfile.gettempdir())
        self.cache_dir = cache_dir or where / f"hoso-s3-cache-{os.getuid()}"
        self.cache_bytes = cache_bytes
        self.spool_dir = str(spool_dir) if spool_dir else None
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or None,
            retries=urllib3.Retry(
                total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
            ),
        )
        self.client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=self._http,
        )
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._ready = False
        self.locking = False  # whether the bucket has object lock (known after first use)
        self._verified: set[str] = set()

    # -- plumbing --------------------------------------------------------------
    @property
    def where(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{self.endpoint}/{self.bucket}"

    def name_of(self, key: str) -> str:
        check_key(key)
        name = f"{key[:2]}/{key[2:4]}/{key}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def _unavailable(self, e: BaseException) -> StorageUnavailable:
        if isinstance(e, S3Error):
            reason = f"máy chủ từ chối ({e.code}: {e.message})"
        elif isinstance(e, urllib3.exceptions.MaxRetryError) and e.reason is not None:
            reason = f"không kết nối được ({e.reason})"
        else:
            reason = f"không kết nối được ({e})"
        return StorageUnavailable(
            f"Kho lưu trữ S3 tại {self.where} không dùng được: {reason}; thử lại sau."
        )

    def _call(self, fn: Callable[[], T], key: str | None = None) -> T:
        """Run one client call after the bucket check; map errors to hoso's."""
        if self._pid != os.getpid():  # forked (worker pool): never share a parent's socket
            self._http.clear()
            self._pid = os.getpid()
        self._ensure_bucket()
        try:
            return fn()
        except S3Error as e:
            if key is not None and e.code in MISSING_CODES:
                raise _not_found(key) from e
            raise self._unavailable(e) from e
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as e:
            raise self._unavailable(e) from e

    def _ensure_bucket(self) -> None:
        """On first use: find (or create, with object lock) the bucket; learn if it locks."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            try:
                if not self.client.bucket_exists(self.bucket):
                    try:
                        self.client.make_bucket(self.bucket, object_lock=True)
                        log.info("Đã tạo bucket %s (object lock bật)", self.where)
                    except S3Error as e:
                        if e.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                            raise
                try:
                    self.client.get_object_lock_config(self.bucket)
                    self.locking = True
                except S3Error as e:
                    if e.code != "ObjectLockConfigurationNotFoundError":
                        raise
                    self.locking = False
                    log.warning(
                        "Bucket %s không bật object lock: thời hạn lưu giữ chỉ được ghi nhận "
                        "(thẻ %s), máy chủ không cưỡng chế",
                        self.where,
                        RETAIN_TAG,
                    )
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as e:
                raise self._unavailable(e) from e
            self._ready = True

    def _stat(self, key: str) -> Any:
        """HEAD the object: its metadata, or None when it does not exist."""
        name = self.name_of(key)
        try:
            return self._call(lambda: self.client.stat_object(self.bucket, name), key)
        except NotFound:
            return None

    def _upload_file(self, key: str, path: Path, size: int) -> None:
        if self._stat(key) is not None:
            return  # content addressed: same key, same bytes; never uploaded twice
        name = self.name_of(key)
        self._call(
            lambda: self.client.fput_object(
                self.bucket, name, str(path), part_size=PART_SIZE, num_parallel_uploads=1
            )
        )

    # -- the port ----------------------------------------------------------------
    def writer(self, *, max_bytes: int | None = None) -> S3Writer:
        return S3Writer(self, max_bytes)

    def put_stream(self, stream: BinaryIO, *, max_bytes: int | None = None) -> tuple[str, int]:
        return put_stream_via(self.writer(max_bytes=max_bytes), stream)

    def put_bytes(self, data: bytes) -> str:
        return put_bytes_via(self.writer(), data)

    def exists(self, key: str) -> bool:
        return self._stat(key) is not None

    def open(self, key: str) -> BinaryIO:
        name = self.name_of(key)
        response = self._call(lambda: self.client.get_object(self.bucket, name), key)
        return cast(BinaryIO, VerifyingReader(cast(BinaryIO, _Body(self, response)), key))

    def get_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            data = stream.read()
        return verify(key, data)

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        path = self.cache_dir / self.name_of(key).rsplit("/", 1)[-1]
        if key not in self._verified or not path.exists():
            if path.exists() and not _file_matches(path, key):
                path.unlink(missing_ok=True)  # a damaged cached copy: fetch it again
            if not path.exists():
                self._download(key, path)
            self._verified.add(key)
        os.utime(path)  # most recently used: evicted last
        yield path

    def _download(self, key: str, path: Path) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=self.cache_dir)
        try:
            with os.fdopen(fd, "wb") as out, self.open(key) as stream:
                while chunk := stream.read(CHUNK):
                    out.write(chunk)
            os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._evict(keep=path)

    def _evict(self, keep: Path) -> None:
        """Drop the least recently used copies beyond ``cache_bytes`` (not ones in use now)."""
        entries = []
        for p in self.cache_dir.iterdir():
            if p.name.startswith(".") or p == keep:
                continue
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in entries) + keep.stat().st_size
        recent = time.time() - 600  # a copy used in the last 10 minutes may be open
        for mtime, size, p in sorted(entries):
            if total <= self.cache_bytes:
                break
            if mtime > recent:
                continue
            p.unlink(missing_ok=True)
            total -= size

    def retain(self, key: str, until: datetime) -> None:
        until = until.replace(tzinfo=UTC) if until.tzinfo is None else until.astimezone(UTC)
        stat = self._stat(key)
        if stat is None:
            raise _not_found(key)
        current = self._retention_of(key, stat)
        if current is not None and until <= current:
            return
        name = self.name_of(key)
        if self.locking:
            retention = Retention(COMPLIANCE, until)
            self._call(lambda: self.client.set_object_retention(self.bucket, name, retention), key)
        else:
            tags = Tags.new_object_tags()
            tags[RETAIN_TAG] = until.isoformat()
            self._call(lambda: self.client.set_object_tags(self.bucket, name, tags), key)

    def retained_until(self, key: str) -> datetime | None:
        stat = self._stat(key)
        return None if stat is None else self._retention_of(key, stat)

    def _retention_of(self, key: str, stat: Any) -> datetime | None:
        headers = {k.lower(): v for k, v in (stat.metadata or {}).items()}
        if self.locking:
            value = headers.get(RETAIN_HEADER)
            return datetime.fromisoformat(value) if value else None
        name = self.name_of(key)
        tags = self._call(lambda: self.client.get_object_tags(self.bucket, name), key)
        value = tags.get(RETAIN_TAG) if tags else None
        return datetime.fromisoformat(value) if value else None


def _file_matches(path: Path, key: str) -> bool:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == key


def _flag(value: str) -> bool:
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"HOSO_STORAGE_URL: giá trị không hợp lệ {value!r} (dùng true/false)")


def parse_s3_url(url: str, environ: Mapping[str, str] | None = None) -> S3Store:
    """``s3://[ACCESS:SECRET@]host[:port]/bucket[/prefix][?options]`` → an ``S3Store``.

    Options: ``secure=false`` (plain HTTP; default true = HTTPS), ``region=`` (default
    us-east-1, what MinIO expects), ``cache=`` (folder of verified local copies),
    ``cache_mb=`` (its bound, default 1024). Credentials in the URL are percent-encoded;
    without them ``HOSO_S3_ACCESS_KEY`` and ``HOSO_S3_SECRET_KEY`` are read from the
    environment (keeps secrets out of a URL that may be printed). Nothing connects here.
    """
    env = os.environ if environ is None else environ
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.hostname:
        raise ValueError(f"HOSO_STORAGE_URL không hợp lệ: {url!r} (s3://host:port/bucket)")
    bucket, _, prefix = parsed.path.lstrip("/").partition("/")
    if not bucket:
        raise ValueError("HOSO_STORAGE_URL: thiếu tên bucket (s3://host:port/bucket)")
    options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    unknown = set(options) - {"secure", "region", "cache", "cache_mb"}
    if unknown:
        raise ValueError(f"HOSO_STORAGE_URL: tuỳ chọn không biết {sorted(unknown)}")
    access = unquote(parsed.username) if parsed.username else env.get("HOSO_S3_ACCESS_KEY")
    secret = unquote(parsed.password) if parsed.password else env.get("HOSO_S3_SECRET_KEY")
    if not access or not secret:
        raise ValueError(
            "HOSO_STORAGE_URL s3://…: thiếu khoá truy cập (ghi trong URL s3://KHOÁ:BÍ_MẬT@… "
            "hoặc đặt HOSO_S3_ACCESS_KEY và HOSO_S3_SECRET_KEY)"
        )
    host = parsed.hostname
    endpoint = f"[{host}]" if ":" in host else host
    if parsed.port:
        endpoint += f":{parsed.port}"
    return S3Store(
        endpoint,
        bucket,
        access_key=access,
        secret_key=secret,
        secure=_flag(options.get("secure", "true")),
        region=options.get("region", "us-east-1"),
        prefix=prefix,
        cache_dir=Path(options["cache"]) if "cache" in options else None,
        cache_bytes=int(options.get("cache_mb", "1024")) * 1024 * 1024,
    )
