"""PKCS#11 signing with SoftHSM2: a token initialised in a tmp dir holds the signer key."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from signing import Pkcs11Signer, SignerKeyUnavailable, sign_pdf, verify_pdf
from signing.testing import LocalPki, serve_test_pki
from tests.integration.test_signing import PKI_CONFIG, make_pdf, pdfsig_ok

MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
MODULE = next((m for m in MODULES if Path(m).exists()), None)
PIN = "123456"

pytestmark = pytest.mark.skipif(
    MODULE is None or shutil.which("softhsm2-util") is None or shutil.which("pkcs11-tool") is None,
    reason="SoftHSM2 (apt-get install softhsm2 opensc) is not installed",
)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    """GIVEN a SoftHSM2 token "hoso" with the signer's key and certificate (label "signer")."""
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = dict(os.environ)
    try:
        with serve_test_pki(PKI_CONFIG, base / "keys") as pki:
            _run(
                [
                    "softhsm2-util",
                    "--init-token",
                    "--free",
                    "--label",
                    "hoso",
                    "--pin",
                    PIN,
                    "--so-pin",
                    "654321",
                ],
                env,
            )
            _run(
                [
                    "softhsm2-util",
                    "--import",
                    str(base / "keys" / "signer.key.pem"),
                    "--token",
                    "hoso",
                    "--label",
                    "signer",
                    "--id",
                    "01",
                    "--pin",
                    PIN,
                ],
                env,
            )
            cert = base / "signer.der"
            cert.write_bytes(pki.cert("signer").dump())
            for label in ("signer", "interm"):
                der = base / f"{label}.der"
                der.write_bytes(pki.cert(label).dump())
                _run(
                    [
                        "pkcs11-tool",
                        "--module",
                        str(MODULE),
                        "--token-label",
                        "hoso",
                        "--login",
                        "--pin",
                        PIN,
                        "--write-object",
                        str(der),
                        "--type",
                        "cert",
                        "--label",
                        label,
                    ]
                    + (["--id", "01"] if label == "signer" else ["--id", "02"]),
                    env,
                )
            yield pki
    finally:
        if old is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = old


def test_sign_with_softhsm_token(token: LocalPki, tmp_path: Path) -> None:
    assert MODULE is not None
    with Pkcs11Signer.open(MODULE, token_label="hoso", key_label="signer", pin=PIN) as signer:
        assert signer.certificate.dump() == token.cert("signer").dump()
        signed = [
            sign_pdf(
                make_pdf(text=f"Ket qua {i}"),
                signer,
                level="B-T",
                tsa_url=token.tsa_url,
                trust_roots=[token.root],
            )
            for i in range(3)
        ]
    for data in signed:
        [report] = verify_pdf(data, trust_roots=[token.root])
        assert report.intact and report.trusted and report.timestamped
        assert report.signer == "Nguyễn Văn An"
    pdfsig_ok(signed[0], tmp_path)


def test_wrong_pin_is_refused(token: LocalPki) -> None:
    assert MODULE is not None
    with pytest.raises(SignerKeyUnavailable, match="hoso"):
        Pkcs11Signer.open(MODULE, token_label="hoso", key_label="signer", pin="000000")
