"""Trusted root certificates from files or folders (PEM, possibly several, or DER)."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import pem, x509

from records.errors import BadInput


def load_roots(paths: list[Path]) -> list[x509.Certificate]:
    roots = []
    for path in paths:
        files = sorted(p for p in path.glob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            try:
                data = f.read_bytes()
                blocks = pem.unarmor(data, multiple=True) if pem.detect(data) else [(0, 0, data)]
                for block in blocks:
                    cert = x509.Certificate.load(block[2])
                    cert.native  # noqa: B018 - parse now
                    roots.append(cert)
            except (OSError, ValueError) as e:
                raise BadInput(f"Chứng thư gốc {f} (HOSO_TRUST_ROOTS) không đọc được: {e}") from e
    return roots
