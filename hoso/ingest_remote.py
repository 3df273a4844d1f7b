"""``hoso ingest --server``: files sent to a running server with resumable uploads (tus
1.0.0), one batch made of them, then (``--wait``) its progress and results over HTTP."""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from hoso.ingest_common import EXIT_PARTIAL, Bar, doc_json, expand, finish
from records.errors import BadInput, HosoError


def client_for(args: argparse.Namespace) -> httpx.Client:
    if not args.token:
        raise HosoError("Cần mã truy cập: --token hoặc biến HOSO_TOKEN")
    return httpx.Client(
        base_url=args.server.rstrip("/"),
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=httpx.Timeout(30.0, read=600.0),
    )


def check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        raise HosoError(f"Máy chủ trả lỗi {response.status_code}: {message}")
    return response.json()


# -- remote: resumable uploads (tus 1.0.0), then one batch ----------------------------

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK_MB = 4.0
MAX_TRIES = 10
REQUEST_TIMEOUT = httpx.Timeout(30.0, read=120.0)  # a dead link is noticed in minutes
STATE_MAX_AGE = 2 * 24 * 3600  # the server sweeps partial uploads idle for a day


class UploadFailed(HosoError):
    """A file could not be sent after every retry; running the command again resumes."""

    exit_code = EXIT_PARTIAL


class _Retry(Exception):
    """Worth another try: network error, 5xx, upload busy, offset moved."""


class _Gone(Exception):
    """The server no longer has this upload (expired, finished or deleted)."""


class _Refused(Exception):
    """The server will not take this file (too large, bad name…): reported, not retried."""


def state_path() -> Path:
    """Where unfinished uploads are remembered: ``HOSO_DATA_DIR/uploads.json``, else
    ``~/.cache/hoso/uploads.json``."""
    if data := os.environ.get("HOSO_DATA_DIR"):
        return Path(data) / "uploads.json"
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "hoso" / "uploads.json"


class UploadState:
    """Unfinished uploads by (server, absolute path, size, mtime) → upload URL, so the
    same command run again after a crash resumes instead of starting over. Holds no
    token: an upload URL is useless to anyone but its owner."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_path()

    @staticmethod
    def key(server: str, path: Path) -> str:
        st = path.stat()
        return json.dumps([server.rstrip("/"), str(path.resolve()), st.st_size, st.st_mtime_ns])

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> str | None:
        entry = self._read().get(key)
        return str(entry["url"]) if isinstance(entry, dict) and "url" in entry else None

    def put(self, key: str, url: str) -> None:
        with self._change() as entries:
            entries[key] = {"url": url, "saved": time.time()}

    def drop(self, keys: list[str]) -> None:
        with self._change() as entries:
            for key in keys:
                entries.pop(key, None)

    @contextmanager
    def _change(self) -> Iterator[dict[str, Any]]:
        """Read, change, write atomically, under an exclusive lock (two commands at once
        lose nothing)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_name(self.path.name + ".lock").open("a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            entries = self._read()
            yield entries
            old = time.time() - STATE_MAX_AGE
            kept = {
                k: v
                for k, v in entries.items()
                if isinstance(v, dict) and float(v.get("saved", 0)) > old
            }
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)


def _reason(error: httpx.TransportError) -> str:
    """One line, in Vietnamese, with the library's detail after it."""
    if isinstance(error, httpx.TimeoutException):
        what = "hết thời gian chờ"
    elif isinstance(error, httpx.ConnectError):
        what = "không kết nối được máy chủ"
    else:
        what = "kết nối bị ngắt"
    detail = " ".join(str(error).split())[:120]
    return f"{what} ({detail})" if detail else what


def _server_message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", response.text))
    except ValueError:
        return response.text.strip()[:200] or f"lỗi {response.status_code}"


@dataclass
class Uploaded:
    ids: list[str] = field(default_factory=list)  # upload ids, in the order of the files
    keys: list[str] = field(default_factory=list)  # their state entries
    errors: list[dict[str, str]] = field(default_factory=list)  # files refused at creation


class TusUploader:
    """Sends files with tus: create, then PATCH chunks. A failed step (network error,
    5xx, busy, offset moved) is retried with backoff after asking the server where the
    upload stands (HEAD); after ``max_tries`` failures in a row :class:`UploadFailed`."""

    def __init__(
        self,
        client: httpx.Client,
        server: str,
        *,
        chunk_size: int = int(CHUNK_MB * 1024 * 1024),
        language: str | None = None,
        state: UploadState | None = None,
        max_tries: int = MAX_TRIES,
        sleep: Callable[[float], None] = time.sleep,
        on_chunk: Callable[[Path, int, int], None] | None = None,
    ) -> None:
        self.client = client
        self.server = server.rstrip("/")
        self.chunk_size = chunk_size
        self.language = language
        self.state = state or UploadState()
        self.max_tries = max_tries
        self.sleep = sleep
        self.on_chunk = on_chunk

    # one request: transient failures become _Retry
    def _request(
        self,
        method: str,
        url: str,
        *,
        tus: bool = True,
        timeout: httpx.Timeout = REQUEST_TIMEOUT,
        **kw: Any,
    ) -> httpx.Response:
        headers = {**(TUS if tus else {}), **kw.pop("headers", {})}
        try:
            r = self.client.request(method, url, headers=headers, timeout=timeout, **kw)
        except httpx.TransportError as e:
            raise _Retry(_reason(e)) from e
        if r.status_code >= 500 or r.status_code in (408, 423, 429):
            raise _Retry(f"máy chủ trả lỗi {r.status_code}")
        return r

    def _wait(self, what: str, failures: int, reason: str, *, file: bool = False) -> None:
        if failures >= self.max_tries:
            if file:
                raise UploadFailed(
                    f"Không tải lên được '{what}' sau {failures} lần thử: {reason}. Chạy lại "
                    "đúng lệnh này để gửi tiếp từ chỗ đã dừng."
                )
            raise UploadFailed(
                f"Mất liên lạc với máy chủ ({what}) sau {failures} lần thử: {reason}"
            )
        print(
            f"Mất kết nối, đang thử lại… ({what}: {reason}; lần {failures}/{self.max_tries})",
            file=sys.stderr,
        )
        self.sleep(min(30.0, 0.5 * 2 ** (failures - 1)) * random.uniform(0.5, 1.0))

    def retrying(self, what: str, step: Callable[[], Any], *, file: bool = False) -> Any:
        failures = 0
        while True:
            try:
                return step()
            except _Retry as e:
                failures += 1
                self._wait(what, failures, str(e), file=file)

    def get_json(self, url: str) -> Any:
        """GET with the same retries (following a batch over a weak link)."""
        return self.retrying("tiến độ", lambda: check(self._request("GET", url, tus=False)))

    def get_text(self, url: str) -> str:
        return str(self.retrying("văn bản", lambda: self._request("GET", url, tus=False).text))

    def upload_all(self, files: list[Path]) -> Uploaded:
        out = Uploaded()
        for path in files:
            key = UploadState.key(self.server, path)
            try:
                url = self.upload(path, key)
            except _Refused as e:
                message = str(e).removeprefix(f"{path.name}: ")  # the name is said once
                out.errors.append({"source": path.name, "message": message})
                continue
            out.ids.append(url.rstrip("/").rsplit("/", 1)[-1])
            out.keys.append(key)
        return out

    def upload(self, path: Path, key: str | None = None) -> str:
        """The file's upload URL once every byte is on the server."""
        key = key or UploadState.key(self.server, path)
        size = path.stat().st_size
        url = self.state.get(key)
        offset: int | None = None  # unknown: ask the server
        for _ in range(3):
            if url is None:
                url, offset = self._create(path, size), 0
                self.state.put(key, url)
            try:
                self._send(path, url, size, offset)
                return url
            except _Gone:
                self.state.drop([key])
                url = None
        raise UploadFailed(f"Không tải lên được '{path.name}': máy chủ liên tục mất tải lên")

    def _create(self, path: Path, size: int) -> str:
        metadata = "filename " + base64.b64encode(path.name.encode()).decode()
        if self.language:
            metadata += ",language " + base64.b64encode(self.language.encode()).decode()
        headers = {"Upload-Length": str(size), "Upload-Metadata": metadata}
        r: httpx.Response = self.retrying(
            path.name, lambda: self._request("POST", "/api/uploads/", headers=headers), file=True
        )
        if r.status_code == 201 and r.headers.get("location"):
            return r.headers["location"]
        if r.status_code in (401, 403, 404, 412):
            check(r)  # credentials, role, or not a hoso with resumable uploads
        raise _Refused(_server_message(r))

    def _send(self, path: Path, url: str, size: int, offset: int | None) -> None:
        bar = tqdm(
            total=size, unit="B", unit_scale=True, desc=path.name, file=sys.stderr, disable=None
        )
        failures = 0
        try:
            with path.open("rb") as f:
                while True:
                    try:
                        if offset is None:
                            offset = self._head(url, size)
                        bar.n = offset
                        bar.refresh()
                        if offset >= size:
                            return
                        f.seek(offset)
                        offset = self._patch(url, offset, f.read(self.chunk_size))
                    except _Retry as e:
                        offset = None
                        failures += 1
                        self._wait(path.name, failures, str(e), file=True)
                        continue
                    failures = 0
                    if self.on_chunk is not None:
                        self.on_chunk(path, offset, size)
        finally:
            bar.close()

    def _head(self, url: str, size: int) -> int:
        r = self._request("HEAD", url)
        if r.status_code in (403, 404, 410):
            raise _Gone
        _check_status(r)
        if int(r.headers.get("upload-length", -1)) != size:
            raise _Gone  # not this file's upload
        return int(r.headers["upload-offset"])

    def _patch(self, url: str, offset: int, data: bytes) -> int:
        headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}
        r = self._request("PATCH", url, headers=headers, content=data)
        if r.status_code == 409:
            raise _Retry("vị trí tải lên đã thay đổi")
        if r.status_code in (403, 404, 410):
            raise _Gone
        _check_status(r)
        return int(r.headers["upload-offset"])

    def finish(self, ids: list[str], language: str | None) -> dict[str, Any]:
        """``POST /api/batches/from-uploads``; safe to repeat (a lost answer is replayed)."""
        body: dict[str, Any] = {"uploads": ids}
        if language:
            body["language"] = language
        return self.retrying(  # type: ignore[no-any-return]
            "tạo lô",
            lambda: check(
                self._request(  # the server may take a while to store big files
                    "POST",
                    "/api/batches/from-uploads",
                    tus=False,
                    timeout=self.client.timeout,
                    json=body,
                )
            ),
        )


def _check_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        check(response)


def ingest_remote(
    args: argparse.Namespace, on_chunk: Callable[[Path, int, int], None] | None = None
) -> int:
    files = expand(args.paths)
    server = args.server.rstrip("/")
    chunk_mb = float(getattr(args, "chunk_mb", None) or CHUNK_MB)
    if not 0.0625 <= chunk_mb <= 1024:
        raise BadInput("--chunk-mb phải từ 0.0625 đến 1024")
    with client_for(args) as client:
        tus = TusUploader(
            client,
            server,
            chunk_size=int(chunk_mb * 1024 * 1024),
            language=args.language,
            on_chunk=on_chunk,
        )
        uploaded = tus.upload_all(files)
        if not uploaded.ids:
            refused = "; ".join(f"{e['source']}: {e['message']}" for e in uploaded.errors)
            raise HosoError(f"Không tệp nào được nhận: {refused}")
        created = tus.finish(uploaded.ids, args.language)
        tus.state.drop(uploaded.keys)
        batch_id = created["id"]
        if not args.wait:
            errors = uploaded.errors + created["errors"]
            out = {
                "batch_id": batch_id,
                "documents": [],
                "duplicates": created.get("duplicates", []),
                "errors": errors,
            }
            if args.json:
                print(json.dumps(out, ensure_ascii=False))
            else:
                for e in uploaded.errors:
                    print(f"LỖI {e['source']}: {e['message']}", file=sys.stderr)
                print(f"Đã nhận lô {batch_id}: {server}/batches/{batch_id}")
            return EXIT_PARTIAL if errors else 0
        bar = Bar()
        while True:
            progress = tus.get_json(f"/api/batches/{batch_id}")
            bar.update(progress["pages_total"], progress["pages_done"] + progress["pages_failed"])
            if progress["status"] == "done":
                break
            time.sleep(0.5)
        bar.close()
        docs = []
        for d in progress["documents"]:
            text = tus.get_text(f"/api/documents/{d['id']}/text")
            pdf = f"{server}/api/documents/{d['id']}/pdf" if d["status"] == "done" else None
            docs.append(doc_json(d, text, pdf))
        errors = [{"source": e["source"], "message": e["message"]} for e in progress["errors"]]
        out = {
            "batch_id": batch_id,
            "documents": docs,
            "duplicates": progress["duplicates"],
            "errors": uploaded.errors + errors,
        }
        return finish(out, args.json)
