"""``hoso sign-batch``: the clerk signs a batch's digitised copies from the command line
(real ``hoso ingest`` of born-digital PDFs, no OCR needed; test PKI on 127.0.0.1)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from signing import verify_pdf
from signing.testing import P12_PASSWORD, serve_test_pki
from tests.conftest import hoso_env, run_hoso
from tests.integration.test_signing import PKI_CONFIG, make_pdf, pdfsig_ok


def test_sign_batch_signs_every_copy_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for i in range(2):
        (tmp_path / f"giay{i}.pdf").write_bytes(make_pdf(text=f"Giay to so {i}"))
    with serve_test_pki(PKI_CONFIG, tmp_path / "keys") as pki:
        (tmp_path / "root.der").write_bytes(pki.root.dump())
        (tmp_path / "k.p12").write_bytes(pki.pkcs12("signer"))
        env = hoso_env(data_dir, HOSO_TRUST_ROOTS=json.dumps([str(tmp_path / "root.der")]))
        ingest = run_hoso(
            ["ingest", str(tmp_path / "giay0.pdf"), str(tmp_path / "giay1.pdf"), "--json"], env
        )
        assert ingest.returncode == 0, ingest.stderr
        batch = json.loads(ingest.stdout)["batch_id"]
        sign = [str(batch), "--p12", str(tmp_path / "k.p12"), "--password-env", "PW", "--json"]
        wrong = run_hoso(["sign-batch", *sign], {**env, "PW": "sai"})
        assert wrong.returncode == 4 and "Sai mật khẩu" in wrong.stderr
        done = run_hoso(["sign-batch", *sign], {**env, "PW": P12_PASSWORD})
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert len(out["signed"]) == 2 and out["errors"] == []
        again = run_hoso(
            ["sign-batch", str(batch), "--password-env", "PW", "--json"],
            {**env, "PW": P12_PASSWORD},
        )
        assert again.returncode == 0 and json.loads(again.stdout)["signed"] == []
    with sqlite3.connect(data_dir / "hoso.db") as db:
        keys = [r[0] for r in db.execute("SELECT signed_pdf_sha256 FROM documents")]
    assert sorted(keys) == sorted(s["sha256"] for s in out["signed"])
    for key in keys:
        signed = (data_dir / "objects" / key[:2] / key[2:4] / key).read_bytes()
        [report] = verify_pdf(signed, trust_roots=[pki.root])
        assert report.intact and report.trusted and not report.modified_after
        pdfsig_ok(signed, tmp_path, f"{key[:8]}.pdf")
