"""Signing and verification against a test PKI generated in the test run.

certomancer serves TSA, OCSP and CRLs on 127.0.0.1; poppler's ``pdfsig`` is the
independent check of every signature produced here.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from signing import (
    Pkcs12Signer,
    SignerCertificateExpired,
    SignerCertificateRevoked,
    StampSpec,
    sign_pdf,
    verify_pdf,
)
from signing.testing import P12_PASSWORD, LocalPki, serve_test_pki

PKI_CONFIG = Path(__file__).parents[1] / "resources" / "pki" / "hoso-test-pki.yml"
LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


def make_pdf(*, with_field: bool = False, text: str = "Ket qua giai quyet ho so") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setPageCompression(0)
    c.drawString(72, 760, text)
    if with_field:
        c.acroForm.textfield(name="ghi_chu", value="ban dau", x=72, y=600, width=200, height=20)
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    with serve_test_pki(PKI_CONFIG, tmp_path_factory.mktemp("pki")) as served:
        yield served


@pytest.fixture(scope="module")
def signer(pki: LocalPki) -> Pkcs12Signer:
    return Pkcs12Signer(pki.pkcs12("signer"), P12_PASSWORD)


def pdfsig_ok(data: bytes, tmp_path: Path, name: str = "signed.pdf") -> None:
    """poppler's pdfsig must call every /Sig signature valid and the document untouched."""
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True, timeout=30
    ).stdout
    # pdfsig does not verify document timestamps (B-LTA): it shows them as type "unknown".
    blocks = [b for b in out.split("Signature #")[1:] if "Signature Type: unknown" not in b]
    assert blocks, out
    for block in blocks:
        assert "Signature Validation: Signature is Valid." in block, out


@pytest.fixture(scope="module")
def signed_by_level(pki: LocalPki, signer: Pkcs12Signer) -> dict[str, bytes]:
    return {
        level: sign_pdf(
            make_pdf(),
            signer,
            level=level,
            tsa_url=pki.tsa_url,
            trust_roots=[pki.root],  # type: ignore[arg-type]
        )
        for level in LEVELS
    }


@pytest.mark.parametrize("level", LEVELS)
def test_every_pades_level_signs_and_validates(
    level: str, pki: LocalPki, signed_by_level: dict[str, bytes], tmp_path: Path
) -> None:
    data = signed_by_level[level]
    [report] = verify_pdf(data, trust_roots=[pki.root], allow_fetching=True)
    assert report.intact and report.trusted and not report.modified_after
    assert report.level == level
    assert report.timestamped == (level != "B-B")
    assert report.signer == "Nguyễn Văn An"
    assert "còn nguyên vẹn" in report.summary_vi
    pdfsig_ok(data, tmp_path)


def test_b_lta_validates_offline(pki: LocalPki, signed_by_level: dict[str, bytes]) -> None:
    """GIVEN a B-LTA document WHEN verified without any network fetch THEN the embedded
    revocation data suffices: intact, trusted, level B-LTA."""
    [report] = verify_pdf(signed_by_level["B-LTA"], trust_roots=[pki.root], allow_fetching=False)
    assert (report.intact, report.trusted, report.level) == (True, True, "B-LTA")
    assert report.revocation == "good"  # from the OCSP/CRL data embedded in the DSS


def test_unknown_root_is_not_trusted(signed_by_level: dict[str, bytes], pki: LocalPki) -> None:
    [report] = verify_pdf(signed_by_level["B-B"], trust_roots=[pki.cert("tsa")])
    assert report.intact and not report.trusted
    assert "KHÔNG được tin cậy" in report.summary_vi


def test_flipped_byte_is_detected(pki: LocalPki, signed_by_level: dict[str, bytes]) -> None:
    data = bytearray(signed_by_level["B-B"])
    pos = data.index(b"Ket qua giai quyet")
    data[pos] ^= 0x01  # 'K' -> 'J' inside the signed content stream
    [report] = verify_pdf(bytes(data), trust_roots=[pki.root])
    assert not report.intact
    assert "KHÔNG hợp lệ" in report.summary_vi


def test_appended_page_is_detected(pki: LocalPki, signed_by_level: dict[str, bytes]) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.content import RawContent
    from pyhanko.pdf_utils.layout import BoxConstraints

    w = IncrementalPdfFileWriter(io.BytesIO(signed_by_level["B-B"]))
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 595, 842)]
            ),
            generic.pdf_name("/Contents"): w.add_object(
                RawContent(b"BT ET", box=BoxConstraints(595, 842)).as_form_xobject()
            ),
        }
    )
    w.insert_page(page)
    out = io.BytesIO()
    w.write(out)
    [report] = verify_pdf(out.getvalue(), trust_roots=[pki.root])
    assert report.intact and report.modified_after


def test_changed_form_field_is_detected(
    pki: LocalPki, signer: Pkcs12Signer, tmp_path: Path
) -> None:
    from pyhanko.pdf_utils import generic

    signed = sign_pdf(make_pdf(with_field=True), signer, trust_roots=[pki.root])
    pdfsig_ok(signed, tmp_path)
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    for ref in w.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == "ghi_chu":
            field[generic.pdf_name("/V")] = generic.TextStringObject("da sua")
            w.update_container(field)
    out = io.BytesIO()
    w.write(out)
    [report] = verify_pdf(out.getvalue(), trust_roots=[pki.root])
    assert report.intact and report.modified_after


def test_second_signature_is_not_a_modification(
    pki: LocalPki, signer: Pkcs12Signer, signed_by_level: dict[str, bytes], tmp_path: Path
) -> None:
    twice = sign_pdf(signed_by_level["B-B"], signer, trust_roots=[pki.root])
    reports = verify_pdf(twice, trust_roots=[pki.root])
    assert [r.field for r in reports] == ["Signature1", "Signature2"]
    assert all(r.intact and not r.modified_after for r in reports)
    pdfsig_ok(twice, tmp_path)


@pytest.mark.parametrize(
    ("label", "error", "words"),
    [
        ("expired", SignerCertificateExpired, "hết hạn"),
        ("revoked", SignerCertificateRevoked, "thu hồi"),
    ],
)
def test_expired_or_revoked_signer_is_refused(
    label: str, error: type[Exception], words: str, pki: LocalPki
) -> None:
    bad = Pkcs12Signer(pki.pkcs12(label), P12_PASSWORD)
    with pytest.raises(error, match=words):
        sign_pdf(make_pdf(), bad, trust_roots=[pki.root])


def test_signer_revoked_after_signing_is_reported(tmp_path: Path) -> None:
    """GIVEN a result signed (B-B) while the signer's certificate was good WHEN validated
    with fetching allowed against the test PKI's OCSP/CRL on 127.0.0.1 THEN "good"; WHEN
    the certificate is then revoked THEN "revoked" with its time, not trusted, and the
    Vietnamese summary says so; offline with nothing embedded it is "unknown"."""
    import json

    with serve_test_pki(PKI_CONFIG, tmp_path / "pki") as own:  # revoking mutates the PKI
        signer = Pkcs12Signer(own.pkcs12("signer"), P12_PASSWORD)
        signed = sign_pdf(make_pdf(), signer, level="B-B", trust_roots=[own.root])
        [before] = verify_pdf(signed, trust_roots=[own.root], allow_fetching=True)
        assert before.intact and before.trusted and before.revocation == "good"
        assert before.revoked_at is None and "còn hiệu lực" in before.summary_vi

        [offline] = verify_pdf(signed, trust_roots=[own.root])
        assert offline.revocation == "unknown"
        assert "chưa kiểm tra được tình trạng thu hồi" in offline.summary_vi

        own.revoke("signer")
        [after] = verify_pdf(signed, trust_roots=[own.root], allow_fetching=True)
    assert after.intact and not after.modified_after
    assert after.revocation == "revoked" and not after.trusted
    assert after.revoked_at is not None
    assert "ĐÃ BỊ THU HỒI" in after.summary_vi and "+07:00" in after.summary_vi
    as_json = json.loads(json.dumps(after.to_json()))
    assert as_json["revocation"] == "revoked" and as_json["revoked_at"] == after.revoked_at
    for key in ("field", "signer", "intact", "trusted", "timestamped", "modified_after"):
        assert key in as_json


def test_visible_stamp_renders_vietnamese(
    pki: LocalPki, signer: Pkcs12Signer, tmp_path: Path
) -> None:
    from PIL import Image

    def png(color: tuple[int, int, int, int], size: tuple[int, int]) -> bytes:
        buf = io.BytesIO()
        Image.new("RGBA", size, color).save(buf, format="PNG")
        return buf.getvalue()

    spec = StampSpec(
        signer_name="Nguyễn Văn An",
        title="Chủ tịch",
        agency="UBND xã Tân Lập",
        signature_image=png((0, 0, 200, 160), (300, 120)),
        seal_image=png((220, 0, 0, 160), (200, 200)),
    )
    data = sign_pdf(
        make_pdf(), signer, level="B-T", tsa_url=pki.tsa_url, visible=spec, trust_roots=[pki.root]
    )
    [report] = verify_pdf(data, trust_roots=[pki.root])
    assert report.intact and not report.modified_after
    pdfsig_ok(data, tmp_path)
    if shutil.which("pdftotext"):
        path = tmp_path / "stamp.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=30
        ).stdout
        assert "Nguyễn Văn An" in text and "UBND xã Tân Lập" in text
        assert "+07:00" in text


VERIFY_KEYS = {
    "field",
    "signer",
    "intact",
    "trusted",
    "timestamped",
    "modified_after",
    "level",
    "summary_vi",
}


def hoso_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """The real ``hoso`` command in a child process (its own logging, stdout, stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "hoso.cli", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )


def test_cli_sign_and_verify(
    pki: LocalPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import json

    from records.errors import HosoError
    from signing.cli import add_parsers

    parser = argparse.ArgumentParser(prog="hoso")
    add_parsers(parser.add_subparsers(required=True))

    def run(argv: list[str]) -> int:
        args = parser.parse_args(argv)
        try:
            return int(args.func(args))
        except HosoError as e:
            return e.exit_code

    (tmp_path / "in.pdf").write_bytes(make_pdf())
    (tmp_path / "k.p12").write_bytes(pki.pkcs12("signer"))
    (tmp_path / "root.der").write_bytes(pki.root.dump())
    monkeypatch.setenv("P12PW", P12_PASSWORD)
    out = tmp_path / "out.pdf"
    assert (
        run(
            [
                "sign",
                str(tmp_path / "in.pdf"),
                "--out",
                str(out),
                "--p12",
                str(tmp_path / "k.p12"),
                "--password-env",
                "P12PW",
                "--level",
                "B-T",
                "--tsa",
                pki.tsa_url,
                "--visible",
                "--trust-root",
                str(tmp_path / "root.der"),
            ]
        )
        == 0
    )
    pdfsig_ok(out.read_bytes(), tmp_path, "cli.pdf")
    good = hoso_cli("verify", str(out), "--trust-root", str(tmp_path / "root.der"), "--json")
    assert good.returncode == 0, good.stderr
    assert good.stderr == ""
    [sig] = json.loads(good.stdout)["signatures"]
    assert set(sig) >= VERIFY_KEYS
    assert sig["field"] and sig["signer"] == "Nguyễn Văn An"
    assert sig["intact"] is True and sig["trusted"] is True and sig["timestamped"] is True
    assert sig["modified_after"] is False and sig["level"] == "B-T"
    assert sig["revocation"] == "unknown" and sig["revoked_at"] is None  # offline, no DSS
    assert "Nguyễn Văn An" in sig["summary_vi"] and "nguyên vẹn" in sig["summary_vi"]
    # untrusted chain (no root given): reported, exit 0 as the file is intact, and no
    # pyHanko traceback or log line on stderr
    untrusted = hoso_cli("verify", str(out), "--json")
    assert untrusted.returncode == 0 and untrusted.stderr == "", untrusted.stderr
    assert json.loads(untrusted.stdout)["signatures"][0]["trusted"] is False
    text = hoso_cli("verify", str(out))
    assert text.returncode == 0 and text.stderr == "" and "KHÔNG được tin cậy" in text.stdout
    assert (
        run(
            [
                "sign",
                str(tmp_path / "in.pdf"),
                "--out",
                str(out),
                "--p12",
                str(tmp_path / "k.p12"),
                "--password-env",
                "NO_SUCH_VAR",
            ]
        )
        == 2
    )
    monkeypatch.setenv("P12PW", "wrong")
    assert (
        run(
            [
                "sign",
                str(tmp_path / "in.pdf"),
                "--out",
                str(out),
                "--p12",
                str(tmp_path / "k.p12"),
                "--password-env",
                "P12PW",
            ]
        )
        == 4
    )
    data = bytearray(out.read_bytes())
    data[data.index(b"Ket qua giai quyet")] ^= 1
    (tmp_path / "bad.pdf").write_bytes(bytes(data))
    bad = hoso_cli(
        "verify", str(tmp_path / "bad.pdf"), "--trust-root", str(tmp_path / "root.der"), "--json"
    )
    assert bad.returncode == 7 and bad.stderr == "", bad.stderr
    [sig] = json.loads(bad.stdout)["signatures"]
    assert set(sig) >= VERIFY_KEYS
    assert sig["intact"] is False and sig["signer"] == "Nguyễn Văn An"
    assert isinstance(sig["trusted"], bool) and isinstance(sig["modified_after"], bool)
    assert sig["summary_vi"] and "nguyên vẹn" not in sig["summary_vi"]
    assert run(["verify", str(tmp_path / "bad.pdf"), "--json"]) == 7
    # one key source only
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(
            ["sign", "in.pdf", "--out", "o.pdf", "--p12", "k.p12", "--pkcs11-module", "m.so"]
        )
    assert exit_.value.code == 2


def test_public_verify_endpoint(pki: LocalPki, signer: Pkcs12Signer, tmp_path: Path) -> None:
    """POST /api/verify (no login) reports an intact, trusted signature, and a tampered
    copy as not intact; the public page is served."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from hoso.bootstrap import bootstrap
    from hoso.settings import Settings

    root = tmp_path / "root.crt"
    root.write_bytes(pki.root.dump())
    box = bootstrap(Settings(data_dir=tmp_path / "data", trust_roots=[root]))
    client = TestClient(create_app(box, lambda messages: None))
    signed = sign_pdf(make_pdf(), signer, level="B-B", trust_roots=[pki.root])
    ok = client.post("/api/verify", content=signed, headers={"Content-Type": "application/pdf"})
    assert ok.status_code == 200, ok.text
    [sig] = ok.json()["signatures"]
    assert sig["intact"] and sig["trusted"] and not sig["modified_after"]
    assert sig["summary_vi"]
    flipped = bytearray(signed)
    at = signed.index(b"Ket qua")
    flipped[at] ^= 0x01
    bad = client.post(
        "/api/verify", content=bytes(flipped), headers={"Content-Type": "application/pdf"}
    )
    assert bad.status_code == 200 and bad.json()["signatures"][0]["intact"] is False
    unsigned = client.post(
        "/api/verify", content=make_pdf(), headers={"Content-Type": "application/pdf"}
    )
    assert unsigned.status_code == 400 and "không có chữ ký" in unsigned.json()["error"]
    assert "Xác thực chữ ký số" in client.get("/xac-thuc").text
