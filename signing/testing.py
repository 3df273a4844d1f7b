"""A throw-away test PKI for tests and benchmarks (needs ``certomancer``, a test dependency).

Keys are generated into a directory given by the caller; certomancer builds the root,
intermediate, OCSP responder, TSA and signer certificates from a YAML config and
serves TSA, OCSP and CRLs on 127.0.0.1 (its aiohttp animator in a thread).
Nothing here is imported by the rest of the package.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ARCH = "hoso"
KEY_LABELS = ("root", "interm", "interm-ocsp", "tsa", "signer", "expired", "revoked")
P12_PASSWORD = "mat-khau-thu"


@dataclass
class LocalPki:
    """A generated PKI, served on ``url`` while the ``serve_test_pki`` context is open."""

    arch: Any
    """certomancer ``PKIArchitecture``."""
    url: str
    """Base URL of the animator (``http://127.0.0.1:<port>``)."""
    key_dir: Path

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    @property
    def root(self) -> x509.Certificate:
        return self.arch.get_cert("root")  # type: ignore[no-any-return,unused-ignore]

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(label)  # type: ignore[no-any-return,unused-ignore]

    def pkcs12(self, label: str, password: str = P12_PASSWORD) -> bytes:
        """The label's key and certificate with its chain, as PKCS#12 bytes."""
        return self.arch.package_pkcs12(label, password=password.encode())  # type: ignore[no-any-return]

    def private_key_pem(self, label: str) -> bytes:
        return (self.key_dir / f"{label}.key.pem").read_bytes()

    def revoke(self, label: str, since: datetime | None = None) -> None:
        """Revoke the label's certificate from ``since`` (default now): the OCSP responder
        and CRLs served from then on report it (key compromise)."""
        from asn1crypto import crl
        from certomancer.registry.issued.general import RevocationStatus

        spec = self.arch.get_cert_spec(label)
        status = RevocationStatus(
            revoked_since=since or datetime.now(UTC), reason=crl.CRLReason("key_compromise")
        )
        self.arch._cert_specs[label] = dataclasses.replace(spec, revocation=status)


def generate_keys(key_dir: Path, *, bits: int = 2048) -> None:
    """RSA keys for every entity of the test PKI (unencrypted PEM)."""
    key_dir.mkdir(parents=True, exist_ok=True)
    for label in KEY_LABELS:
        path = key_dir / f"{label}.key.pem"
        if path.exists():
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


@contextmanager
def serve_test_pki(config_path: Path, key_dir: Path) -> Iterator[LocalPki]:
    """Build the PKI and serve its TSA/OCSP/CRL on a free 127.0.0.1 port until exit."""
    from aiohttp import web
    from certomancer.integrations.aiohttp_animator import build_animator_app
    from certomancer.registry import CertomancerConfig

    generate_keys(key_dir)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    cfg = CertomancerConfig.from_file(
        str(config_path), key_search_dir=str(key_dir), external_url_prefix=url
    )
    arch = cfg.get_pki_arch(ARCH)  # type: ignore[arg-type]
    app = build_animator_app({arch.arch_label: arch}, with_web_ui=False)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.SockSite(runner, sock).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="test-pki", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("test PKI server did not start")
    try:
        yield LocalPki(arch=arch, url=url, key_dir=key_dir)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        sock.close()
