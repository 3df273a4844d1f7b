"""PKCS#11 signing with SoftHSM2: a token initialised in a tmp dir holds the signer key."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import signing.keystore as keystore
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


def test_leader_token_batch_signs_results_with_one_pin(token: LocalPki, tmp_path: Path) -> None:
    """GIVEN a leader whose key is on a token WHEN the PIN is wrong THEN a clear 422 and
    nothing signed; WHEN right THEN one token session signs every chosen result."""
    from tests.integration.test_signing_desk import Desk

    assert MODULE is not None
    desk = Desk(tmp_path, token, pkcs11_modules=[MODULE])
    docs = desk.upload("Quyet dinh token 1", "Quyet dinh token 2")
    code = desk.dossier()
    for doc in docs:
        desk.attach_result(code, doc)
    body = {"module_path": MODULE, "token_label": "hoso", "key_label": "signer", "title": ""}
    bad = desk.client.post(
        "/api/me/signing-key/pkcs11", json={**body, "pin": "000000"}, headers=desk.h("leader")
    )
    assert bad.status_code == 422 and "PIN" in bad.json()["error"]
    ok = desk.client.post(
        "/api/me/signing-key/pkcs11", json={**body, "pin": PIN}, headers=desk.h("leader")
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["key"]["kind"] == "pkcs11" and ok.json()["key"]["subject"] == "Nguyễn Văn An"
    ids = [
        i["task_id"]
        for i in desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    ]
    wrong = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": ids, "secret": "111111"},
        headers=desk.h("leader"),
    )
    assert wrong.status_code == 422 and "Sai mã PIN" in wrong.json()["error"]
    r = desk.client.post(
        "/api/signing/inbox/sign", json={"task_ids": ids, "secret": PIN}, headers=desk.h("leader")
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["signed"]) == 2 and r.json()["processed_dossiers"] == [code]
    for s in r.json()["signed"]:
        signed = desk.box.store.get_bytes(s["sha256"])
        [report] = verify_pdf(signed, trust_roots=[token.root])
        assert report.intact and report.trusted and not report.modified_after
        pdfsig_ok(signed, tmp_path, f"t{s['task_id']}.pdf")


def test_token_module_must_be_on_the_admin_list(
    token: LocalPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN HOSO_PKCS11_MODULES listing only SoftHSM2 WHEN a user names another file (an
    "upload" under the data dir that is not even a library, a symlink to it named like the
    allowed module, a ``..`` path to it) THEN 403 naming the setting and nothing is loaded;
    a ``..`` spelling of the allowed module is accepted; WHEN the administrator later
    removes the module THEN signing with the stored key is refused before loading it."""
    from tests.integration.test_signing_desk import Desk

    assert MODULE is not None
    loaded: list[str] = []
    real_open = keystore._open_pkcs11

    def spy(module_path: str, *args: Any) -> Pkcs11Signer:
        loaded.append(module_path)
        return real_open(module_path, *args)

    monkeypatch.setattr(keystore, "_open_pkcs11", spy)
    desk = Desk(tmp_path, token, pkcs11_modules=[MODULE])
    upload = desk.box.settings.data_dir / "uploads" / "evil.so"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"\x7fELF not really a library")
    lookalike = tmp_path / "softhsm" / Path(MODULE).name
    lookalike.parent.mkdir()
    lookalike.symlink_to(upload)
    dotdot = f"{Path(MODULE).parent}/../../..{upload}"
    body = {"token_label": "hoso", "key_label": "signer", "pin": PIN, "title": ""}
    for path in (str(upload), str(lookalike), dotdot, "libsofthsm2.so", ""):
        r = desk.client.post(
            "/api/me/signing-key/pkcs11",
            json={**body, "module_path": path},
            headers=desk.h("leader"),
        )
        if path:
            assert r.status_code == 403, (path, r.text)
            assert "HOSO_PKCS11_MODULES" in r.json()["error"], r.text
            assert "không nằm trong danh sách" in r.json()["error"]
        else:
            assert r.status_code == 400
    assert loaded == []

    alias = f"{Path(MODULE).parent}/../{Path(MODULE).parent.name}/{Path(MODULE).name}"
    ok = desk.client.post(
        "/api/me/signing-key/pkcs11", json={**body, "module_path": alias}, headers=desk.h("leader")
    )
    assert ok.status_code == 201, ok.text
    assert loaded == [os.path.realpath(MODULE)]

    code = desk.dossier()
    desk.attach_result(code, desk.upload("Quyet dinh token 3")[0])
    ids = [
        i["task_id"]
        for i in desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    ]
    sd = desk.box.signing_desk
    sd.config = dataclasses.replace(sd.config, pkcs11_modules=[])
    r = desk.client.post(
        "/api/signing/inbox/sign", json={"task_ids": ids, "secret": PIN}, headers=desk.h("leader")
    )
    assert r.status_code == 403 and "HOSO_PKCS11_MODULES" in r.json()["error"], r.text
    assert len(loaded) == 1
    sd.config = dataclasses.replace(sd.config, pkcs11_modules=[MODULE])
    r = desk.client.post(
        "/api/signing/inbox/sign", json={"task_ids": ids, "secret": PIN}, headers=desk.h("leader")
    )
    assert r.status_code == 200 and len(r.json()["signed"]) == 1, r.text


def test_cli_signs_with_token(
    token: LocalPki,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``hoso sign --pkcs11-module … --token-label … --key-label … --pin-env VAR`` signs with
    the SoftHSM2 key (B-T, visible stamp); pdfsig and verify_pdf accept the result; a
    wrong PIN exits 4 and writes nothing."""
    from hoso.cli import main

    assert MODULE is not None
    (tmp_path / "in.pdf").write_bytes(make_pdf(text="Ket qua ky bang token"))
    out = tmp_path / "out.pdf"
    monkeypatch.setenv("TOKEN_PIN", PIN)
    argv = [
        "sign",
        str(tmp_path / "in.pdf"),
        "--out",
        str(out),
        "--pkcs11-module",
        MODULE,
        "--token-label",
        "hoso",
        "--key-label",
        "signer",
        "--pin-env",
        "TOKEN_PIN",
        "--level",
        "B-T",
        "--tsa",
        token.tsa_url,
        "--visible",
    ]
    assert main(argv) == 0, capsys.readouterr().err
    assert "Đã ký (B-T)" in capsys.readouterr().out
    [report] = verify_pdf(out.read_bytes(), trust_roots=[token.root])
    assert report.intact and report.trusted and report.timestamped and not report.modified_after
    assert report.signer == "Nguyễn Văn An"
    pdfsig_ok(out.read_bytes(), tmp_path, "cli-token.pdf")
    out.unlink()
    monkeypatch.setenv("TOKEN_PIN", "000000")
    assert main(argv) == 4
    assert "hoso" in capsys.readouterr().err and not out.exists()
