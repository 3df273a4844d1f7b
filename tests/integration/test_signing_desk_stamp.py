"""The leader's stamp through the signing desk: signature image and agency seal
(uploads checked, then drawn in the stamp), stamp position per result document type,
a certificate that expires between registration and signing, and the PAdES level per
procedure (B-T with the test PKI's TSA on 127.0.0.1). API on fakes, real signing stack;
pdfsig checks the signatures."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from signing import verify_pdf
from signing.testing import P12_PASSWORD, LocalPki, serve_test_pki
from tests.integration.test_signing import PKI_CONFIG, pdfsig_ok
from tests.integration.test_signing_desk import APPLICANT, Desk

MM = 72 / 25.4
A4_W, A4_H = A4


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    with serve_test_pki(PKI_CONFIG, tmp_path_factory.mktemp("pki")) as served:
        yield served


# -- pictures -------------------------------------------------------------------------


def signature_png() -> bytes:
    """A blue scribble on a transparent background."""
    im = Image.new("RGBA", (500, 200), (255, 255, 255, 0))
    ImageDraw.Draw(im).line(
        [(20, 150), (120, 40), (200, 160), (300, 50), (480, 140)], fill=(20, 40, 200, 255), width=12
    )
    return _save(im, "PNG")


def seal_jpeg() -> bytes:
    """A red ring on white, as a scanner gives it (no transparency)."""
    im = Image.new("RGB", (300, 300), (255, 255, 255))
    draw = ImageDraw.Draw(im)
    draw.ellipse([6, 6, 294, 294], outline=(220, 0, 0), width=16)
    draw.ellipse([70, 70, 230, 230], outline=(220, 0, 0), width=8)
    return _save(im, "JPEG")


def _save(im: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def post_image(desk: Desk, role: str, url: str, data: bytes, name: str, mime: str) -> Any:
    return desk.client.post(url, files={"file": (name, data, mime)}, headers=desk.h(role))


def test_picture_uploads_are_checked(desk: Desk) -> None:
    """GIVEN signature/seal uploads WHEN the file is not PNG/JPEG, too big in bytes or
    pixels, too small or blank THEN a Vietnamese 4xx and nothing kept; only an admin sets
    the seal; a JPEG seal on white is kept as a PNG whose background is transparent."""
    url = "/api/me/signature-image"
    gif = _save(Image.new("RGB", (100, 60), (0, 0, 255)), "GIF")
    cases = [
        (gif, 415, "PNG hoặc JPEG"),
        (b"%PDF-1.7 not a picture", 415, "PNG hoặc JPEG"),
        (_save(Image.new("L", (5000, 4000), 255), "PNG"), 413, "5000×4000"),
        (signature_png() + b"\0" * (2 * 1024 * 1024), 413, "tối đa 2 MB"),
        (_save(Image.new("RGB", (30, 20), (0, 0, 200)), "PNG"), 400, "quá nhỏ"),
        (_save(Image.new("RGB", (300, 120), (255, 255, 255)), "JPEG"), 400, "trống"),
    ]
    for data, status, words in cases:
        r = post_image(desk, "leader", url, data, "chu-ky.png", "image/png")
        assert r.status_code == status and words in r.json()["error"], (status, r.text)
    assert desk.client.get(url, headers=desk.h("leader")).status_code == 404
    ok = post_image(desk, "leader", url, signature_png(), "chu-ky.png", "image/png")
    assert ok.status_code == 201, ok.text
    kept = Image.open(io.BytesIO(desk.client.get(url, headers=desk.h("leader")).content))
    assert kept.format == "PNG" and kept.mode == "RGBA"

    seal = "/api/signing/seal"
    assert post_image(desk, "leader", seal, seal_jpeg(), "dau.jpg", "image/jpeg").status_code == 403
    r = post_image(desk, "admin", seal, seal_jpeg(), "dau.jpg", "image/jpeg")
    assert r.status_code == 201, r.text
    got = Image.open(io.BytesIO(desk.client.get(seal, headers=desk.h("leader")).content))
    assert got.format == "PNG"
    rgba = got.convert("RGBA")
    assert rgba.getpixel((0, 0))[3] == 0  # the white corner became transparent
    assert rgba.getpixel((rgba.width // 2, rgba.height // 2))[3] == 0  # so did the centre
    ring = [rgba.getpixel((rgba.width // 2, y)) for y in range(30)]  # the outer ring, top
    assert any(a == 255 and r > 180 and g < 80 for r, g, _, a in ring), ring
    mine = desk.client.get("/api/me/signing-key", headers=desk.h("leader")).json()
    assert mine["signature_image"]["url"] == url and mine["seal"]["url"] == seal
    assert desk.client.delete(seal, headers=desk.h("admin")).json() == {"removed": True}
    assert desk.client.get(seal, headers=desk.h("leader")).status_code == 404


# -- reading signed PDFs ----------------------------------------------------------------


def signature_widgets(data: bytes) -> list[tuple[int, list[float], pikepdf.Object]]:
    """(page index, /Rect, widget) of every signature field's widget."""
    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for i, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                field = annot if "/FT" in annot else annot.get("/Parent", annot)
                if field.get("/FT") == "/Sig":
                    rect = [float(v) for v in annot["/Rect"]]
                    ap = annot.get("/AP")
                    images = _images(ap["/N"]) if ap is not None else 0
                    out.append((i, rect, images))
    return out


def _images(xobj: pikepdf.Object, depth: int = 0) -> int:
    """Image XObjects reachable from a form XObject's resources."""
    if depth > 8:
        return 0
    if xobj.get("/Subtype") == "/Image":
        return 1
    resources = xobj.get("/Resources", {})
    return sum(_images(x, depth + 1) for x in resources.get("/XObject", {}).values())


def stamp_colours(data: bytes, rect: list[float], tmp: Path) -> tuple[int, int]:
    """(red, blue) pixel counts inside the stamp on page 1, rendered by poppler."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    path = tmp / "stamp.pdf"
    path.write_bytes(data)
    png = subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout
    im = Image.open(io.BytesIO(png)).convert("RGB")
    x0, y0, x1, y1 = rect
    crop = im.crop((round(x0), round(im.height - y1), round(x1), round(im.height - y0)))
    raw = crop.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    red = sum(1 for r, g, b in pixels if r > 150 and g < 90 and b < 90)
    blue = sum(1 for r, g, b in pixels if b > 130 and r < 90 and g < 110)
    return red, blue


def sign_all(desk: Desk) -> dict[int, bytes]:
    """Sign every result in the inbox; document id → signed bytes."""
    items = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    r = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": [i["task_id"] for i in items], "secret": P12_PASSWORD},
        headers=desk.h("leader"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["errors"] == []
    return {s["document_id"]: desk.box.store.get_bytes(s["sha256"]) for s in r.json()["signed"]}


@pytest.fixture
def desk(tmp_path: Path, pki: LocalPki) -> Desk:
    return Desk(tmp_path, pki)


def test_result_stamp_carries_signature_and_seal(desk: Desk, tmp_path: Path) -> None:
    """GIVEN a leader without pictures WHEN a result is signed THEN its stamp has no image;
    GIVEN the leader's signature image (sent with the key) and the admin's seal WHEN another
    result is signed THEN its stamp shows both (image XObjects, red and blue drawn inside
    the stamp), and pdfsig still calls the signature valid."""
    before, after = upload_pdfs(desk, "Quyet dinh truoc", "Quyet dinh sau")
    desk.attach_result(desk.dossier(), before)
    assert desk.register("leader").status_code == 201
    [(page, rect, images)] = signature_widgets(sign_all(desk)[before])
    assert page == 0 and images == 0

    r = desk.client.post(
        "/api/me/signing-key/p12",
        files={
            "file": ("khoa.p12", desk.pki.pkcs12("signer"), "application/x-pkcs12"),
            "signature_image": ("chu-ky.png", signature_png(), "image/png"),
        },
        data={"password": P12_PASSWORD, "title": "Chủ tịch"},
        headers=desk.h("leader"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["signature_image"]["width"] > 0
    seal = post_image(desk, "admin", "/api/signing/seal", seal_jpeg(), "dau.jpg", "image/jpeg")
    assert seal.status_code == 201, seal.text
    desk.attach_result(desk.dossier(), after)
    signed = sign_all(desk)[after]
    [(page, rect, images)] = signature_widgets(signed)
    assert page == 0 and images >= 1
    assert rect[3] - rect[1] > 120  # taller than the text-only stamp, for the pictures
    red, blue = stamp_colours(signed, rect, tmp_path)
    assert red > 50 and blue > 50, (red, blue)
    [report] = verify_pdf(signed, trust_roots=[desk.pki.root])
    assert report.intact and report.trusted and not report.modified_after
    pdfsig_ok(signed, tmp_path, "with-pictures.pdf")


def test_a_bad_signature_image_with_the_key_stores_nothing(desk: Desk) -> None:
    r = desk.client.post(
        "/api/me/signing-key/p12",
        files={
            "file": ("khoa.p12", desk.pki.pkcs12("signer"), "application/x-pkcs12"),
            "signature_image": ("chu-ky.gif", b"GIF89a....", "image/gif"),
        },
        data={"password": P12_PASSWORD},
        headers=desk.h("leader"),
    )
    assert r.status_code == 415 and "Ảnh chữ ký" in r.json()["error"]
    mine = desk.client.get("/api/me/signing-key", headers=desk.h("leader")).json()
    assert mine["key"] is None and mine["signature_image"] is None


# -- where the stamp goes ---------------------------------------------------------------


def three_pages(title: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, 4):
        c.drawString(72, 760, f"{title} - trang {n}")
        c.showPage()
    c.save()
    return buf.getvalue()


def upload_pdfs(desk: Desk, *titles: str) -> list[int]:
    files = [
        ("files", (f"kq{i}.pdf", three_pages(t), "application/pdf")) for i, t in enumerate(titles)
    ]
    r = desk.client.post("/api/batches", files=files, headers=desk.h("clerk"))
    assert r.status_code == 201, r.text
    docs = desk.client.get(r.json()["url"], headers=desk.h("clerk")).json()["documents"]
    assert [d["pages"] for d in docs] == [3] * len(titles)
    return [d["id"] for d in docs]


def test_stamp_position_follows_the_document_type(tmp_path: Path, pki: LocalPki) -> None:
    """GIVEN HOSO_STAMP_POSITIONS for decisions (last page, x/y/w/h in mm) and residence
    confirmations (page 1, top-right corner) WHEN results of both types and of an
    unconfigured type are signed THEN each stamp is on the configured page at the
    configured place, the unconfigured one bottom-right of page 1."""
    positions = {
        "quyet_dinh": {"page": "last", "x": 20, "y": 30, "w": 80, "h": 30},
        "giay_xac_nhan_cu_tru": {"page": "first", "corner": "top-right"},
    }
    desk = Desk(tmp_path, pki, stamp_positions=positions)
    decision, residence, other = upload_pdfs(desk, "Quyet dinh", "Xac nhan cu tru", "Van ban")
    for doc_id, doc_type in ((decision, "quyet_dinh"), (residence, "giay_xac_nhan_cu_tru")):
        r = desk.client.post(
            f"/api/documents/{doc_id}/type", json={"type": doc_type}, headers=desk.h("staff")
        )
        assert r.status_code == 200, r.text
    code = desk.dossier()
    for doc_id in (decision, residence, other):
        desk.attach_result(code, doc_id)
    assert desk.register("leader").status_code == 201
    signed = sign_all(desk)

    def where(doc_id: int) -> tuple[int, list[float]]:
        [(page, rect, _)] = signature_widgets(signed[doc_id])
        return page, rect

    margin = 5 * MM
    expected = {
        # 20 mm from the left, top 30 mm below the top edge, 80 × 30 mm, on page 3
        decision: (2, [20 * MM, A4_H - 60 * MM, 100 * MM, A4_H - 30 * MM]),
        # text-only stamp (250 × 84 pt) in the top-right corner, 5 mm in
        residence: (0, [A4_W - margin - 250, A4_H - margin - 84, A4_W - margin, A4_H - margin]),
        other: (0, [A4_W - margin - 250, margin, A4_W - margin, margin + 84]),
    }
    for doc_id, (page, rect) in expected.items():
        got_page, got_rect = where(doc_id)
        assert got_page == page, (doc_id, got_page)
        assert got_rect == pytest.approx(rect, abs=1.0), (doc_id, got_rect, rect)
        [report] = verify_pdf(signed[doc_id], trust_roots=[pki.root])
        assert report.intact and report.trusted and not report.modified_after
        pdfsig_ok(signed[doc_id], tmp_path, f"pos{doc_id}.pdf")


def test_a_bad_stamp_position_is_refused_at_start(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from hoso.settings import Settings

    with pytest.raises(ValidationError, match="page phải là first hoặc last"):
        Settings(data_dir=tmp_path, stamp_positions={"quyet_dinh": {"page": "giua"}})
    with pytest.raises(ValidationError, match="cần cả x và y"):
        Settings(data_dir=tmp_path, stamp_positions={"*": {"x": 10}})


# -- certificate expiring after registration --------------------------------------------


def short_lived_p12(pki: LocalPki, seconds: int) -> tuple[bytes, datetime]:
    """A signer certificate issued by the test PKI's intermediate CA, valid from yesterday
    for ``seconds`` more, as PKCS#12 (key, certificate, chain)."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    interm_key = serialization.load_pem_private_key(pki.private_key_pem("interm"), None)
    assert isinstance(interm_key, rsa.RSAPrivateKey)
    interm = cx509.load_der_x509_certificate(pki.cert("interm").dump())
    root = cx509.load_der_x509_certificate(pki.root.dump())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC).replace(microsecond=0)
    not_after = now + timedelta(seconds=seconds)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Phạm Thị Dung")]))
        .issuer_name(interm.subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(not_after)
        .add_extension(
            cx509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(interm_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"dung",
        key,
        cert,
        [interm, root],
        serialization.BestAvailableEncryption(P12_PASSWORD.encode()),
    )
    return data, not_after


def test_certificate_expiring_after_registration_is_refused_at_signing(
    desk: Desk, pki: LocalPki
) -> None:
    """GIVEN a key registered while its certificate was valid WHEN the leader signs after
    the certificate expired THEN a clear 422 naming the expiry, nothing signed, the result
    stays in the inbox and the key page says it expired."""
    data, not_after = short_lived_p12(pki, seconds=4)
    r = desk.client.post(
        "/api/me/signing-key/p12",
        files={"file": ("khoa.p12", data, "application/x-pkcs12")},
        data={"password": P12_PASSWORD, "title": "Phó Chủ tịch"},
        headers=desk.h("leader"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["key"]["expired"] is False
    [doc] = desk.upload("Quyet dinh het han")
    desk.attach_result(desk.dossier(), doc)
    [item] = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    time.sleep(max(0.0, (not_after - datetime.now(UTC)).total_seconds()) + 1.5)

    r = desk.client.post(
        "/api/signing/inbox/sign",
        json={"task_ids": [item["task_id"]], "secret": P12_PASSWORD},
        headers=desk.h("leader"),
    )
    assert r.status_code == 422, r.text
    message = r.json()["error"]
    assert "Phạm Thị Dung" in message and "đã hết hạn" in message
    assert not_after.astimezone(UTC).strftime("%d/%m/%Y") in message
    inbox = desk.client.get("/api/signing/inbox", headers=desk.h("leader")).json()["items"]
    assert [i["task_id"] for i in inbox] == [item["task_id"]]
    doc_json = desk.client.get(f"/api/documents/{doc}", headers=desk.h("staff")).json()
    assert not doc_json.get("signed_pdf_url")
    key = desk.client.get("/api/me/signing-key", headers=desk.h("leader")).json()["key"]
    assert key["expired"] is True


# -- PAdES level per procedure ----------------------------------------------------------


def test_procedure_configured_for_b_t_gets_a_timestamp(tmp_path: Path, pki: LocalPki) -> None:
    """GIVEN HOSO_SIGNATURE_LEVELS puts procedure 1.004873 at B-T (TSA of the test PKI)
    and the default stays B-B WHEN one batch signs results of both procedures THEN the
    1.004873 result carries a signature timestamp, the 1.001193 one does not."""
    desk = Desk(tmp_path, pki, signature_levels={"1.004873": "B-T"}, tsa_url=pki.tsa_url)
    plain, stamped = desk.upload("Giay khai sinh", "Xac nhan tinh trang hon nhan")
    desk.attach_result(desk.dossier(), plain)  # 1.001193
    r = desk.client.post(
        "/api/dossiers",
        json={"procedure_code": "1.004873", "applicant": APPLICANT, "channel": "direct"},
        headers=desk.h("clerk"),
    )
    assert r.status_code == 201, r.text
    desk.attach_result(r.json()["code"], stamped)
    assert desk.register("leader").status_code == 201
    signed = sign_all(desk)
    [b_b] = verify_pdf(signed[plain], trust_roots=[pki.root])
    [b_t] = verify_pdf(signed[stamped], trust_roots=[pki.root])
    assert (b_b.level, b_b.timestamped) == ("B-B", False)
    assert (b_t.level, b_t.timestamped) == ("B-T", True)
    for report in (b_b, b_t):
        assert report.intact and report.trusted and not report.modified_after
    pdfsig_ok(signed[plain], tmp_path, "b-b.pdf")
    pdfsig_ok(signed[stamped], tmp_path, "b-t.pdf")
