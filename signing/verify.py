"""Verification of every signature in a PDF, reported per signature in plain Vietnamese.

Integrity, signer and chain, trust against given roots, signature timestamp, embedded
revocation data (offline-capable: with fetching off only what the document carries is
used) and pyHanko's modification analysis of what was appended after each signature.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from signing.errors import NotSignable


@dataclass(frozen=True)
class SignatureReport:
    """What a verifier concluded about one signature."""

    field: str
    """Name of the signature field."""
    signer: str
    """Common name (CN) of the signer's certificate."""
    intact: bool
    """The signed bytes are unchanged and the cryptographic signature is correct."""
    trusted: bool
    """The signer's chain leads to a given trust root and is not revoked/expired."""
    timestamped: bool
    """A valid RFC 3161 signature timestamp is attached (PAdES B-T or above)."""
    modified_after: bool
    """Something other than signatures, revocation data or document timestamps was
    changed after this signature (pyHanko's difference analysis)."""
    level: str
    """PAdES baseline level detected: B-B, B-T, B-LT or B-LTA."""
    summary_vi: str
    """One plain Vietnamese sentence for the clerk."""
    revocation: str = "unknown"
    """The signer's certificate: "revoked" (pyHanko found it revoked, from embedded or,
    with fetching allowed, fetched OCSP/CRL data), "good" (the chain is trusted and an
    OCSP response or CRL covering the certificate was available and did not list it),
    else "unknown" (nothing to check against, e.g. offline without embedded data)."""
    revoked_at: str | None = None
    """When it was revoked (ISO 8601), for "revoked"."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


VN_TZ = timezone(timedelta(hours=7))


def _cn(cert: x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


def _has_revinfo(reader: PdfFileReader) -> bool:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return False
    return bool(dss.ocsps or dss.crls)


def _summary(r: dict[str, Any]) -> str:
    who = r["signer"]
    if not r["intact"]:
        return (
            f"Chữ ký của {who} KHÔNG hợp lệ: nội dung đã bị thay đổi sau khi ký "
            "hoặc chữ ký bị hỏng."
        )
    parts = [f"Chữ ký của {who} còn nguyên vẹn"]
    if r["revocation"] == "revoked":
        when = ""
        if r["revoked_at"]:
            at = datetime.fromisoformat(r["revoked_at"]).astimezone(VN_TZ)
            when = f" từ {at:%H:%M:%S %d/%m/%Y} +07:00"
        parts.append(f"nhưng chứng thư số ĐÃ BỊ THU HỒI{when}")
    elif r["trusted"]:
        parts.append("chứng thư số được tin cậy")
    else:
        parts.append("nhưng chứng thư số KHÔNG được tin cậy")
    parts.append(
        "đã kiểm tra tình trạng thu hồi (còn hiệu lực)"
        if r["revocation"] == "good"
        else "chưa kiểm tra được tình trạng thu hồi"
        if r["revocation"] == "unknown"
        else ""
    )
    parts = [p for p in parts if p]
    parts.append("có dấu thời gian" if r["timestamped"] else "không có dấu thời gian")
    sentence = ", ".join(parts) + f" (mức {r['level']})"
    if r["modified_after"]:
        sentence += "; tài liệu đã bị sửa đổi sau khi ký (thêm trang, sửa nội dung hoặc ô nhập)"
    else:
        sentence += "; tài liệu không bị sửa đổi sau khi ký"
    return sentence + "."


def _covered(cert: x509.Certificate, vc: ValidationContext) -> bool:
    """An OCSP response saying "good" or a CRL of the issuer not listing ``cert`` is at
    hand (embedded in the DSS or fetched while validating)."""
    serial, issuer = cert.serial_number, cert.issuer
    for resp in vc.ocsps:
        if resp["response_status"].native != "successful":
            continue
        basic = resp["response_bytes"]["response"].parsed
        for single in basic["tbs_response_data"]["responses"]:
            if single["cert_id"]["serial_number"].native == serial:
                return bool(single["cert_status"].name == "good")
    for cl in vc.crls:
        tbs = cl["tbs_cert_list"]
        if tbs["issuer"] != issuer:
            continue
        revoked = tbs["revoked_certificates"]
        listed = revoked.native and any(e["user_certificate"].native == serial for e in revoked)
        return not listed
    return False


def _modified(status: Any, sig_field_names: set[str]) -> bool:
    if status.docmdp_ok is False:
        return True
    level = status.modification_level
    if level is None or level <= ModificationLevel.LTA_UPDATES:
        return False
    if level > ModificationLevel.FORM_FILLING:
        return True
    diff = status.diff_result
    changed = getattr(diff, "changed_form_fields", None)
    if changed is None:  # suspicious modification: no field list
        return True
    return any(name not in sig_field_names for name in changed)


def verify_pdf(
    data: bytes,
    *,
    trust_roots: Sequence[x509.Certificate],
    allow_fetching: bool = False,
) -> list[SignatureReport]:
    """Verify every signature of ``data`` (document timestamps count toward B-LTA only)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, IndexError, KeyError) as e:
        raise NotSignable(f"Tệp không phải PDF đọc được: {e}.") from e
    return asyncio.run(_verify_all(reader, embedded, list(trust_roots), allow_fetching))


async def _verify_all(
    reader: PdfFileReader,
    embedded: list[EmbeddedPdfSignature],
    roots: list[x509.Certificate],
    allow_fetching: bool,
) -> list[SignatureReport]:
    kwargs: dict[str, Any] = {
        "trust_roots": roots,
        "allow_fetching": allow_fetching,
        "revocation_mode": "soft-fail",
    }
    try:
        vc = DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        vc = ValidationContext(**kwargs)
    sig_names = {name for name, _, _ in fields.enumerate_sig_fields(reader)}
    has_revinfo = _has_revinfo(reader)
    try:
        doc_ts: list[tuple[int, bool]] = []
        for emb in embedded:
            if emb.sig_object_type == "/DocTimeStamp":
                ts_status = await async_validate_pdf_timestamp(emb, validation_context=vc)
                doc_ts.append((emb.signed_revision, ts_status.intact and ts_status.valid))
        reports = []
        for emb in embedded:
            if emb.sig_object_type != "/Sig":
                continue
            reports.append(await _verify_one(emb, vc, sig_names, has_revinfo, doc_ts))
        return reports
    finally:
        await vc.aclose()  # type: ignore[no-untyped-call]


async def _verify_one(
    emb: EmbeddedPdfSignature,
    vc: ValidationContext,
    sig_names: set[str],
    has_revinfo: bool,
    doc_ts: list[tuple[int, bool]],
) -> SignatureReport:
    revocation, revoked_at = "unknown", None
    try:
        status = await async_validate_pdf_signature(
            emb, signer_validation_context=vc, key_usage_settings=None
        )
        intact = bool(status.intact and status.valid)
        trusted = bool(status.trusted)
        ts = status.timestamp_validity
        timestamped = bool(ts is not None and ts.intact and ts.valid)
        modified = _modified(status, sig_names)
        if status.revocation_details is not None:
            revocation = "revoked"
            revoked_at = status.revocation_details.revocation_date.isoformat()
        elif trusted and _covered(emb.signer_cert, vc):
            revocation = "good"
    except (PdfError, ValueError, KeyError) as e:  # damaged signature dictionary / CMS
        del e
        intact = trusted = timestamped = False
        modified = True
    level = "B-B"
    if timestamped:
        level = "B-T"
        if has_revinfo:
            level = "B-LT"
            if any(rev > emb.signed_revision and ok for rev, ok in doc_ts):
                level = "B-LTA"
    fields_: dict[str, Any] = {
        "field": str(emb.field_name),
        "signer": _cn(emb.signer_cert),
        "intact": intact,
        "trusted": trusted,
        "timestamped": timestamped,
        "modified_after": modified,
        "level": level,
        "revocation": revocation,
        "revoked_at": revoked_at,
    }
    return SignatureReport(**fields_, summary_vi=_summary(fields_))
