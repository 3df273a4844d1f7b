"""Parallel receptions over HTTP against the real server: codes stay unique and gap-free."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import LiveServer


def test_parallel_receptions_get_consecutive_codes(live_server: LiveServer) -> None:
    body = {
        "procedure_code": "1.001193",
        "applicant": {"name": "Đỗ Thị Mai", "id_number": "001303004567"},
        "channel": "direct",
        "received_at": "2026-05-04T09:00:00+07:00",
    }

    def post(_: int) -> str:
        with live_server.client("clerk") as c:
            r = c.post("/api/dossiers", json=body)
            assert r.status_code == 201, r.text
            return str(r.json()["code"])

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(post, range(24)))
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, 25))
    assert all("-260504-" in c for c in codes)
