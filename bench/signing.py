"""Signing throughput: ``python -m bench.signing --n 100``.

B-B signatures per second with a PKCS#12 file key (ours: key parsed once, signature size
reserved up front) against naive pyHanko usage (``SimpleSigner.load_pkcs12`` per document,
default ``sign_pdf``) and the raw RSA-2048 floor; with SoftHSM2 if installed; and a batch
of N results through ``PadesSigner.sign_many``. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from reportlab.pdfgen import canvas

from signing import PadesSigner, Pkcs11Signer, Pkcs12Signer, SignRequest
from signing.testing import P12_PASSWORD, serve_test_pki

CONFIG = Path(__file__).parents[1] / "tests" / "resources" / "pki" / "hoso-test-pki.yml"
SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


def _pdf(i: int) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 760, f"Ket qua giai quyet ho so so {i}")
    c.showPage()
    c.save()
    return buf.getvalue()


def _per_op(fn: Callable[[int], object], n: int) -> float:
    fn(0)  # warm-up
    t = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t) / n


def _softhsm_signer(base: Path, key_pem: Path, cert_der: bytes) -> Pkcs11Signer | None:
    if not (
        Path(SOFTHSM).exists() and shutil.which("softhsm2-util") and shutil.which("pkcs11-tool")
    ):
        return None
    (base / "tokens").mkdir(parents=True)
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run = lambda cmd: subprocess.run(cmd, check=True, capture_output=True, timeout=60)  # noqa: E731
    run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "bench",
            "--pin",
            "1234",
            "--so-pin",
            "4321",
        ]
    )
    run(
        [
            "softhsm2-util",
            "--import",
            str(key_pem),
            "--token",
            "bench",
            "--label",
            "signer",
            "--id",
            "01",
            "--pin",
            "1234",
        ]
    )
    (base / "cert.der").write_bytes(cert_der)
    run(
        [
            "pkcs11-tool",
            "--module",
            SOFTHSM,
            "--token-label",
            "bench",
            "--login",
            "--pin",
            "1234",
            "--write-object",
            str(base / "cert.der"),
            "--type",
            "cert",
            "--label",
            "signer",
            "--id",
            "01",
        ]
    )
    return Pkcs11Signer.open(SOFTHSM, token_label="bench", key_label="signer", pin="1234")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100)
    n = ap.parse_args().n
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    docs = [_pdf(i) for i in range(n + 1)]
    with tempfile.TemporaryDirectory() as tmp, serve_test_pki(CONFIG, Path(tmp) / "keys") as pki:
        p12 = Path(tmp) / "signer.p12"
        p12.write_bytes(pki.pkcs12("signer"))
        ours = PadesSigner(Pkcs12Signer.from_file(p12, P12_PASSWORD), level="B-B")

        def naive(i: int) -> object:
            s = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=P12_PASSWORD.encode())
            w = IncrementalPdfFileWriter(io.BytesIO(docs[i]))
            return signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name="Signature1"), s)

        key = load_pem_private_key(pki.private_key_pem("signer"), None)
        digest = hashes.Hash(hashes.SHA256())
        digest.update(b"x")
        dg = digest.finalize()

        def raw(_: int) -> object:
            return key.sign(dg, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))  # type: ignore[union-attr, call-arg]

        res: dict[str, float | None] = {
            "ours_file_ms": _per_op(lambda i: ours.sign(docs[i]), n) * 1000,
            "naive_pyhanko_ms": _per_op(naive, max(10, n // 5)) * 1000,
            "raw_rsa2048_ms": _per_op(raw, n) * 1000,
            "softhsm_ms": None,
        }
        hsm = _softhsm_signer(
            Path(tmp) / "hsm", pki.key_dir / "signer.key.pem", pki.cert("signer").dump()
        )
        if hsm is not None:
            with hsm:
                hsm_pades = PadesSigner(hsm, level="B-B")
                res["softhsm_ms"] = _per_op(lambda i: hsm_pades.sign(docs[i]), n) * 1000
        t = time.perf_counter()
        out = ours.sign_many(SignRequest(d) for d in docs[:n])
        res["batch_s"] = time.perf_counter() - t
        assert len(out) == n
    print(
        f"B-B with file key (ours): {res['ours_file_ms']:.1f} ms/signature "
        f"({1000 / res['ours_file_ms']:.0f}/s)"
    )  # type: ignore[operator]
    print(
        f"naive pyHanko:            {res['naive_pyhanko_ms']:.1f} ms "
        f"(ours is {res['naive_pyhanko_ms'] / res['ours_file_ms']:.1f}x faster)"
    )  # type: ignore[operator]
    print(f"raw RSA-2048 floor:       {res['raw_rsa2048_ms']:.2f} ms")
    if res["softhsm_ms"] is not None:
        print(f"SoftHSM2 (one session):   {res['softhsm_ms']:.1f} ms")
    print(f"batch of {n}:             {res['batch_s']:.2f} s (target <= 3 s)")
    print(
        json.dumps(
            {
                "bench": "signing",
                "n": n,
                **res,
                "targets_met": res["ours_file_ms"] <= 20 and res["batch_s"] <= 3,
            }
        )
    )  # type: ignore[operator]


if __name__ == "__main__":
    main()
