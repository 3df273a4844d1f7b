"""Shared fixtures. ``live_server`` runs the real thing: ``hoso serve`` (API, web pages and
a Celery worker on the filesystem broker) in a temporary data directory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

RESOURCES = Path(__file__).parent / "resources"
MODEL_CACHE = Path(tempfile.gettempdir()) / f"hoso-test-models-{os.getpid()}"
HOSO = [sys.executable, "-m", "hoso.cli"]
PASSWORD = "mat-khau-thu-nghiem"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hoso_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSO_")}
    env.update({"HOSO_DATA_DIR": str(data_dir), "HOSO_WORKERS": "2", **extra})
    # one classifier trained per test run, not per data directory (deterministic anyway)
    env.setdefault("HOSO_MODEL_CACHE", str(MODEL_CACHE))
    return env


def run_hoso(
    args: list[str], env: dict[str, str], **kw: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HOSO, *args], env=env, capture_output=True, text=True, timeout=600, check=False, **kw
    )  # type: ignore[call-overload, no-any-return]


def add_user(env: dict[str, str], name: str, role: str) -> str:
    done = run_hoso(
        ["users", "add", name, "--role", role, "--password-env", "TEST_PW", "--json"],
        {**env, "TEST_PW": PASSWORD},
    )
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["token"])


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]
    tokens: dict[str, str]  # role name → API token of a user named after the role
    password: str = PASSWORD

    def client(self, role: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=60.0,
        )

    def wait_batch(self, batch_id: int, timeout: float = 300.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        with self.client("clerk") as c:
            while time.monotonic() < deadline:
                progress = c.get(f"/api/batches/{batch_id}").json()
                if progress["status"] == "done":
                    return progress  # type: ignore[no-any-return]
                time.sleep(0.5)
        raise AssertionError(f"batch {batch_id} not done after {timeout} s: {progress}")


def _started(proc: subprocess.Popen[bytes], url: str) -> bool:
    """Wait for our server's health answer (its pid: another one may hold the port)."""
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            health = httpx.get(f"{url}/api/health", timeout=1)
            if health.status_code == 200 and health.json().get("pid") == proc.pid:
                return True
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    return False


@contextmanager
def running_server(data_dir: Path, env: dict[str, str]) -> Iterator[LiveServer]:
    """``hoso serve`` (API + Celery worker) on a free port until the block ends."""
    tokens = {role: add_user(env, role, role) for role in ("clerk", "staff", "leader", "admin")}
    log = (data_dir / "serve.log").open("w")
    cwd = data_dir.parent / f"{data_dir.name}-cwd"  # must stay empty: data only in data_dir
    cwd.mkdir()
    for _attempt in range(3):  # a free port can be taken by someone else before we bind it
        port = free_port()
        proc = subprocess.Popen(
            [*HOSO, "serve", "--port", str(port)],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        if _started(proc, url):
            break
        proc.kill()
        proc.wait()
    else:
        raise RuntimeError("hoso serve did not start:\n" + (data_dir / "serve.log").read_text())
    try:
        yield LiveServer(url=url, data_dir=data_dir, env=env, tokens=tokens)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        stray = sorted(p.name for p in cwd.iterdir())
        assert not stray, f"hoso wrote outside its data directory: {stray}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("live-data")
    with running_server(data_dir, hoso_env(data_dir)) as server:
        yield server


# -- real servers on 127.0.0.1 (tests skip, saying so, when one is missing) ----------


def reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


needs_pg = pytest.mark.skipif(not reachable(5432), reason="GAP: no PostgreSQL on 127.0.0.1:5432")
needs_redis = pytest.mark.skipif(not reachable(6379), reason="GAP: no Redis on 127.0.0.1:6379")


@pytest.fixture
def pg_url() -> Iterator[str]:
    import psycopg

    name = f"hoso_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
