"""Resumable uploads (tus 1.0.0) and batches made from them, on the ``Api`` fakes; and the
CLI's tus client against the same app through a transport that loses answers."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hoso.ingest_cli import TusUploader, UploadFailed, UploadState
from tests.unit.test_api import Api, png

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The fakes with their data dir in ``tmp/data``; the working directory is an empty
    ``tmp/cwd`` that must stay empty."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield Api(tmp_path / "data")
    assert list(cwd.iterdir()) == [], "written outside the data directory"


def tus(api: Api, role: str = "clerk", **headers: str) -> dict[str, str]:
    return {**api.h(role), **TUS, **headers}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def create(api: Api, length: int, name: str = "đơn xin.png", role: str = "clerk") -> str:
    r = api.client.post(
        "/api/uploads/",
        headers=tus(
            api, role, **{"Upload-Length": str(length), "Upload-Metadata": f"filename {b64(name)}"}
        ),
    )
    assert r.status_code == 201, r.text
    assert r.headers["tus-resumable"] == "1.0.0"
    return str(r.headers["location"])


def patch(api: Api, url: str, offset: int, data: bytes, role: str = "clerk") -> Any:
    return api.client.patch(
        url,
        content=data,
        headers=tus(api, role, **{"Content-Type": OCTETS, "Upload-Offset": str(offset)}),
    )


def offset_of(api: Api, url: str) -> int:
    r = api.client.head(url, headers=tus(api))
    assert r.status_code == 200, r.status_code
    return int(r.headers["upload-offset"])


def upload_id(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def uploads_dir(api: Api) -> Path:
    return api.container.settings.data_dir / "uploads"


def from_uploads(api: Api, *urls: str, **body: Any) -> Any:
    return api.client.post(
        "/api/batches/from-uploads",
        json={"uploads": [upload_id(u) for u in urls], **body},
        headers=api.h("clerk"),
    )


def test_options_say_what_the_server_speaks(api: Api) -> None:
    r = api.client.options("/api/uploads/", headers=api.h("clerk"))
    assert r.status_code == 204
    assert r.headers["tus-version"] == "1.0.0" and r.headers["tus-resumable"] == "1.0.0"
    assert set(r.headers["tus-extension"].split(",")) == {"creation", "termination"}
    assert int(r.headers["tus-max-size"]) == 1024 * 1024 * 1024  # HOSO_MAX_FILE_MB


def test_upload_in_pieces_survives_a_wrong_offset_and_becomes_a_batch(
    api: Api, tmp_path: Path
) -> None:
    """GIVEN an upload sent in pieces WHEN one piece claims a wrong offset THEN 409 and
    nothing changes; the client asks with HEAD, resumes, and the finished upload becomes
    a batch whose document is processed, its partial file gone."""
    data = png(tmp_path, "Ông Nguyễn Văn An xin cấp đất")
    url = create(api, len(data))
    assert url.startswith("/api/uploads/")
    head = api.client.head(url, headers=tus(api))
    assert head.headers["upload-offset"] == "0" and head.headers["upload-length"] == str(len(data))
    assert head.headers["cache-control"] == "no-store"
    assert head.headers["upload-metadata"] == f"filename {b64('đơn xin.png')}"

    third = len(data) // 3
    r = patch(api, url, 0, data[:third])
    assert r.status_code == 204 and r.headers["upload-offset"] == str(third)
    assert r.headers["tus-resumable"] == "1.0.0"
    wrong = patch(api, url, 0, data[:third])  # a retry of a piece that did arrive
    assert wrong.status_code == 409 and "Upload-Offset" in wrong.json()["error"]
    assert offset_of(api, url) == third
    part = uploads_dir(api) / f"{upload_id(url)}.part"
    assert part.read_bytes() == data[:third]

    offset = offset_of(api, url)  # resume where the server says
    while offset < len(data):
        r = patch(api, url, offset, data[offset : offset + 1000])
        assert r.status_code == 204, r.text
        offset = int(r.headers["upload-offset"])
    assert offset_of(api, url) == len(data)

    r = from_uploads(api, url, language="vie")
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "url", "accepted", "duplicates", "errors"}
    assert [a["source"] for a in body["accepted"]] == ["đơn xin.png"]
    assert body["errors"] == [] and body["duplicates"] == []
    progress = api.client.get(body["url"], headers=api.h("clerk")).json()
    assert progress["status"] == "done" and progress["pages_done"] == 1
    doc_id = progress["documents"][0]["id"]
    text = api.client.get(f"/api/documents/{doc_id}/text", headers=api.h("staff")).text
    assert "Nguyễn Văn An" in text
    assert not part.exists()
    assert api.client.head(url, headers=tus(api)).status_code == 404  # finished: gone

    sent = len(api.sent)
    again = from_uploads(api, url, language="vie")  # the first answer was lost on the way
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["accepted"] == body["accepted"]
    assert len(api.sent) == sent  # nothing processed twice


def test_requests_without_tus_resumable_get_412_and_do_nothing(api: Api) -> None:
    url = create(api, 10)
    no_version = {**api.h("clerk"), "Content-Type": OCTETS, "Upload-Offset": "0"}
    cases = [
        api.client.post("/api/uploads/", headers={**api.h("clerk"), "Upload-Length": "5"}),
        api.client.head(url, headers=api.h("clerk")),
        api.client.patch(url, content=b"12345", headers=no_version),
        api.client.delete(url, headers=api.h("clerk")),
        api.client.patch(url, content=b"1", headers={**no_version, "Tus-Resumable": "0.2.2"}),
    ]
    for r in cases:
        assert r.status_code == 412, r.request.method
        assert r.headers["tus-version"] == "1.0.0" and r.headers["tus-resumable"] == "1.0.0"
    assert offset_of(api, url) == 0  # the PATCH was not processed, the DELETE neither
    assert len(list(uploads_dir(api).glob("*.part"))) == 1  # the POST created nothing


def test_an_upload_belongs_to_its_creator(api: Api) -> None:
    url = create(api, 10)
    assert patch(api, url, 0, b"12345").status_code == 204
    # another user allowed to upload (admin) does not even see it
    assert api.client.head(url, headers=tus(api, "admin")).status_code == 404
    assert patch(api, url, 5, b"67890", role="admin").status_code == 404
    assert api.client.delete(url, headers=tus(api, "admin")).status_code == 404
    stolen = api.client.post(
        "/api/batches/from-uploads", json={"uploads": [upload_id(url)]}, headers=api.h("admin")
    )
    assert stolen.status_code == 409 and "không tìm thấy" in stolen.json()["error"]
    # staff may not upload at all; without a token nobody may
    assert api.client.head(url, headers=tus(api, "staff")).status_code == 403
    r = api.client.post("/api/uploads/", headers={**TUS, "Upload-Length": "1"})
    assert r.status_code == 401 and r.headers["tus-resumable"] == "1.0.0"
    assert offset_of(api, url) == 5  # untouched
    assert api.client.head("/api/uploads/../../hoso.db", headers=tus(api)).status_code == 404


def test_too_large_is_refused_at_creation_and_past_the_length_on_patch(api: Api) -> None:
    limit = api.container.settings.max_file_mb * 1024 * 1024
    r = api.client.post(
        "/api/uploads/",
        headers=tus(
            api, **{"Upload-Length": str(limit + 1), "Upload-Metadata": f"filename {b64('to.pdf')}"}
        ),
    )
    assert r.status_code == 413 and "to.pdf" in r.json()["error"]
    assert "giới hạn 1024 MB" in r.json()["error"]
    assert not uploads_dir(api).exists() or not any(uploads_dir(api).iterdir())

    url = create(api, 10)
    assert patch(api, url, 0, b"1234").status_code == 204
    over = patch(api, url, 4, b"0123456789")
    assert over.status_code == 413 and "độ dài đã khai" in over.json()["error"]
    assert offset_of(api, url) == 4  # nothing of the refused request kept


def test_bad_requests(api: Api) -> None:
    r = api.client.post("/api/uploads/", headers=tus(api))
    assert r.status_code == 400 and "Upload-Length" in r.json()["error"]
    bad = {"Upload-Length": "5", "Upload-Metadata": "filename ***"}
    assert api.client.post("/api/uploads/", headers=tus(api, **bad)).status_code == 400
    defer = {"Upload-Defer-Length": "1"}
    assert api.client.post("/api/uploads/", headers=tus(api, **defer)).status_code == 400
    lang = {"Upload-Length": "5", "Upload-Metadata": f"filename {b64('a')},language {b64('x;y')}"}
    r = api.client.post("/api/uploads/", headers=tus(api, **lang))
    assert r.status_code == 400 and "Ngôn ngữ" in r.json()["error"]
    url = create(api, 5)
    wrong_type = api.client.patch(
        url, content=b"1", headers=tus(api, **{"Content-Type": "text/plain", "Upload-Offset": "0"})
    )
    assert wrong_type.status_code == 415
    no_offset = api.client.patch(url, content=b"1", headers=tus(api, **{"Content-Type": OCTETS}))
    assert no_offset.status_code == 400
    assert (
        api.client.post(
            "/api/batches/from-uploads", json={"uploads": []}, headers=api.h("clerk")
        ).status_code
        == 400
    )
    # X-HTTP-Method-Override for clients that can only POST
    r = api.client.post(
        url,
        content=b"12",
        headers=tus(
            api, **{"X-HTTP-Method-Override": "PATCH", "Content-Type": OCTETS, "Upload-Offset": "0"}
        ),
    )
    assert r.status_code == 204 and r.headers["upload-offset"] == "2"


def test_incomplete_upload_is_reported_and_kept(api: Api, tmp_path: Path) -> None:
    done_bytes = png(tmp_path, "giấy khai sinh")
    half_bytes = png(tmp_path, "sổ hộ khẩu")
    done = create(api, len(done_bytes), "khai-sinh.png")
    assert patch(api, done, 0, done_bytes).status_code == 204
    half = create(api, len(half_bytes), "ho-khau.png")
    assert patch(api, half, 0, half_bytes[:100]).status_code == 204

    only_half = from_uploads(api, half)
    assert only_half.status_code == 409
    assert (
        f"ho-khau.png: tải lên chưa xong: 100/{len(half_bytes)} byte" in only_half.json()["error"]
    )

    r = from_uploads(api, done, half)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [a["source"] for a in body["accepted"]] == ["khai-sinh.png"]
    assert body["errors"] == [
        {"source": "ho-khau.png", "message": f"tải lên chưa xong: 100/{len(half_bytes)} byte"}
    ]
    assert offset_of(api, half) == 100  # kept: it can be resumed
    assert patch(api, half, 100, half_bytes[100:]).status_code == 204
    later = from_uploads(api, half)
    assert later.status_code == 201 and later.json()["id"] != body["id"]
    assert [a["source"] for a in later.json()["accepted"]] == ["ho-khau.png"]
    assert not list(uploads_dir(api).glob("*.part"))


def test_refused_type_and_duplicate_are_reported_like_multipart(api: Api, tmp_path: Path) -> None:
    scan = png(tmp_path, "một lần thôi")
    first = create(api, len(scan), "a.png")
    patch(api, first, 0, scan)
    assert from_uploads(api, first).status_code == 201
    again = create(api, len(scan), "b.png")
    patch(api, again, 0, scan)
    exe = b"MZ\x90\x00 this is an exe"
    virus = create(api, len(exe), "virus.pdf")
    patch(api, virus, 0, exe)
    r = from_uploads(api, again, virus)
    assert r.status_code == 201
    [dup] = r.json()["duplicates"]
    assert dup["source"] == "b.png" and "trùng với tệp 'a.png'" in dup["message"]
    [err] = r.json()["errors"]
    assert err["source"] == "virus.pdf" and "EXE" in err["message"]


def test_delete_and_stale_sweep(api: Api) -> None:
    gone = create(api, 10)
    assert api.client.delete(gone, headers=tus(api)).status_code == 204
    assert api.client.head(gone, headers=tus(api)).status_code == 404
    assert not list(uploads_dir(api).glob(f"{upload_id(gone)}*"))

    stale = create(api, 10)
    patch(api, stale, 0, b"123")
    fresh = create(api, 10)
    two_days_ago = time.time() - 2 * 86400
    for path in uploads_dir(api).glob(f"{upload_id(stale)}*"):
        os.utime(path, (two_days_ago, two_days_ago))
    create(api, 10)  # a new upload sweeps what has been idle for a day
    assert not list(uploads_dir(api).glob(f"{upload_id(stale)}*"))
    assert api.client.head(stale, headers=tus(api)).status_code == 404
    assert offset_of(api, fresh) == 0


def test_dropped_connection_keeps_what_arrived(api: Api) -> None:
    """The client's link dies mid-PATCH: the bytes that arrived stay, HEAD says how many."""
    url = create(api, 100)
    token = api.tokens["clerk"]
    messages = [
        {"type": "http.request", "body": b"a" * 30, "more_body": True},
        {"type": "http.request", "body": b"b" * 12, "more_body": True},
        {"type": "http.disconnect"},
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"tus-resumable", b"1.0.0"),
            (b"content-type", OCTETS.encode()),
            (b"upload-offset", b"0"),
            (b"content-length", b"100"),
        ],
    }

    async def receive() -> Any:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(_message: dict[str, Any]) -> None:
        pass

    asyncio.run(api.client.app(scope, receive, send))  # type: ignore[arg-type]
    assert offset_of(api, url) == 42
    assert patch(api, url, 42, b"c" * 58).status_code == 204


def test_nothing_written_outside_the_data_dir(api: Api, tmp_path: Path) -> None:
    """The client's filename is only shown, never a path; partial bytes only in uploads/."""
    scan = png(tmp_path / "data", "tên tệp lạ")
    url = create(api, len(scan), "../../../thoat.png")
    patch(api, url, 0, scan[:50])
    names = sorted(p.name for p in uploads_dir(api).iterdir())
    assert names == [f"{upload_id(url)}.json", f"{upload_id(url)}.part"]
    assert len(upload_id(url)) == 32 and int(upload_id(url), 16) >= 0
    patch(api, url, 50, scan[50:])
    body = from_uploads(api, url).json()
    assert body["accepted"][0]["source"] == "thoat.png"
    everywhere = [p.name for p in tmp_path.rglob("*")]
    assert not [n for n in everywhere if "thoat" in n]
    assert (tmp_path / "cwd").exists() and not any((tmp_path / "cwd").iterdir())


# -- the CLI's tus client ------------------------------------------------------------


class LosingTransport(httpx.BaseTransport):
    """Passes requests to the app (through its TestClient) but loses some PATCHes: before
    they reach it (``before``) or after it has acted on them (``after``: the answer never
    comes back)."""

    def __init__(self, api: Api, before: set[int], after: set[int]) -> None:
        self.app, self.before, self.after = api.client, before, after
        self.patches: list[tuple[int, int]] = []  # (offset, length) that reached the app
        self.n = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        if request.method == "PATCH":
            self.n += 1
            if self.n in self.before:
                raise httpx.ConnectError("mất sóng", request=request)
            self.patches.append((int(request.headers["upload-offset"]), len(body)))
        r = self.app.request(
            request.method, str(request.url), headers=dict(request.headers), content=body
        )
        if request.method == "PATCH" and self.n in self.after:
            raise httpx.ReadError("kết nối bị cắt", request=request)
        return httpx.Response(
            r.status_code, headers=list(r.headers.multi_items()), content=r.content
        )


def client_for(api: Api, transport: httpx.BaseTransport) -> httpx.Client:
    return httpx.Client(
        transport=transport, base_url="http://testserver", headers=api.h("clerk"), timeout=10
    )


def test_cli_client_resumes_after_lost_requests_and_answers(api: Api, tmp_path: Path) -> None:
    scan = png(tmp_path / "data", "Trần Thị Bình")
    path = tmp_path / "data" / "binh.png"
    path.write_bytes(scan)
    chunk = 1000
    losing = LosingTransport(api, before={2}, after={4})
    waits: list[float] = []
    state = UploadState(tmp_path / "data" / "client" / "uploads.json")
    with client_for(api, losing) as client:
        tus_client = TusUploader(
            client, "http://testserver", chunk_size=chunk, state=state, sleep=waits.append
        )
        uploaded = tus_client.upload_all([path])
        assert uploaded.errors == []
        created = tus_client.finish(uploaded.ids, None)
    assert [a["source"] for a in created["accepted"]] == ["binh.png"]
    assert len(waits) == 2  # two failures, each followed by a wait
    offsets = [o for o, _ in losing.patches]
    assert offsets == sorted(set(offsets))  # no byte sent twice: the lost answer was asked for
    assert sum(n for _, n in losing.patches) == len(scan)
    progress = api.client.get(created["url"], headers=api.h("clerk")).json()
    assert progress["status"] == "done"


def test_cli_client_resumes_from_its_state_file_and_gives_up_naming_the_file(
    api: Api, tmp_path: Path
) -> None:
    scan = png(tmp_path / "data", "Lê Văn Cường")
    path = tmp_path / "data" / "cuong.png"
    path.write_bytes(scan)
    state = UploadState(tmp_path / "data" / "client" / "uploads.json")

    class Killed(Exception):
        pass

    def kill_after_two(_path: Path, _offset: int, _size: int) -> None:
        chunks.append(_offset)
        if len(chunks) == 2:
            raise Killed

    chunks: list[int] = []
    counting = LosingTransport(api, before=set(), after=set())
    with client_for(api, counting) as client:
        first = TusUploader(
            client, "http://testserver", chunk_size=1000, state=state, on_chunk=kill_after_two
        )
        with pytest.raises(Killed):
            first.upload_all([path])
        saved = json.loads(state.path.read_text())
        [entry] = saved.values()
        assert offset_of(api, entry["url"]) == 2000  # the server has the first two chunks
        counting.patches.clear()
        second = TusUploader(client, "http://testserver", chunk_size=1000, state=state)
        uploaded = second.upload_all([path])
        assert counting.patches[0][0] == 2000  # resumed, not started over
        assert sum(n for _, n in counting.patches) == len(scan) - 2000
        second.finish(uploaded.ids, None)
        state.drop(uploaded.keys)
    assert json.loads(state.path.read_text()) == {}

    dead = LosingTransport(api, before=set(range(1, 100)), after=set())
    other = tmp_path / "data" / "khac.png"
    other.write_bytes(png(tmp_path / "data", "khác"))
    with client_for(api, dead) as client:
        hopeless = TusUploader(client, "http://testserver", state=state, sleep=lambda s: None)
        with pytest.raises(UploadFailed) as failed:
            hopeless.upload_all([other])
    assert "khac.png" in failed.value.message and "10 lần" in failed.value.message
    assert "\n" not in failed.value.message
    assert len(json.loads(state.path.read_text())) == 1  # kept: the next run resumes
