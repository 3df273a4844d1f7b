"""PDF mechanics: PAdES baseline signatures (B-B, B-T, B-LT, B-LTA) with pyHanko.

Takes a :class:`signing.keys.Signer` for the key; does incremental signing with the
signature size reserved up front (no dry-run signature to measure it), so a B-B signature
costs one RSA operation plus the PDF write.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession

from signing import certcheck
from signing.errors import NotSignable, SigningError, TimestampUnavailable
from signing.keys import Signer
from signing.levels import LEVELS, PadesLevel
from signing.stamp import StampSpec, format_signing_time, stamp_style


@dataclass(frozen=True)
class SignRequest:
    """One document to sign in a batch."""

    data: bytes
    """The PDF bytes."""
    field_name: str | None = None
    """Signature field to create (or fill); default ``Signature<n>``."""
    visible: StampSpec | None = None
    """Visible stamp; ``None`` for an invisible signature."""
    reason: str | None = None
    """Reason shown by PDF readers (e.g. "Ký duyệt kết quả")."""
    location: str | None = None
    """Place of signing."""


class PadesSigner:
    """Signs PDFs at one PAdES level with one key.

    The signer's certificate is checked once, when this object is made (validity period
    and, unless disabled, revocation via OCSP/CRL); a batch then reuses that check, the
    parsed key or open token session, and the fetched revocation data.
    """

    def __init__(
        self,
        signer: Signer,
        *,
        level: PadesLevel = "B-B",
        tsa_url: str | None = None,
        trust_roots: Sequence[x509.Certificate] | None = None,
        check_revocation: bool = True,
        timeout: float = 20.0,
    ) -> None:
        if level not in LEVELS:
            raise SigningError(
                f"Mức chữ ký PAdES không hợp lệ: {level} (chọn {', '.join(LEVELS)})."
            )
        if level != "B-B" and not tsa_url:
            raise SigningError(f"Mức chữ ký {level} cần địa chỉ máy chủ cấp dấu thời gian (TSA).")
        self.signer = signer
        self.level = level
        self.tsa_url = tsa_url if level != "B-B" else None
        self.timeout = timeout
        cert, chain = signer.certificate, signer.chain
        self._roots = (
            list(trust_roots) if trust_roots else certcheck.trust_anchor_guess(cert, chain)
        )
        now = datetime.now(UTC)
        certcheck.check_validity_period(cert, now)
        if check_revocation or level in ("B-LT", "B-LTA"):
            certcheck.check_revocation(
                cert, chain, at=now, trust_roots=self._roots, hard_fail=level in ("B-LT", "B-LTA")
            )
        der = sum(len(c.dump()) for c in [cert, *chain])
        # pyHanko counts the hex-encoded size: two characters per DER byte.
        reserved = 2 * (der + 3072 + (12288 if level != "B-B" else 0))
        self._bytes_reserved = reserved + reserved % 2

    def sign(
        self,
        data: bytes,
        *,
        field_name: str | None = None,
        visible: StampSpec | None = None,
        reason: str | None = None,
        location: str | None = None,
    ) -> bytes:
        """Sign one PDF; returns the signed bytes (the input plus an incremental update)."""
        req = SignRequest(data, field_name, visible, reason, location)
        return self.sign_many([req])[0]

    def sign_many(self, requests: Iterable[SignRequest]) -> list[bytes]:
        """Sign several PDFs in one event loop (shared TSA / revocation sessions)."""
        return asyncio.run(self._sign_all(list(requests)))

    async def _sign_all(self, requests: list[SignRequest]) -> list[bytes]:
        session = LazySession()  # type: ignore[no-untyped-call]
        timestamper = None
        if self.tsa_url:
            timestamper = HTTPTimeStamper(self.tsa_url, timeout=int(self.timeout), session=session)
        vc = None
        if self.level in ("B-LT", "B-LTA"):
            vc = ValidationContext(
                trust_roots=self._roots,
                other_certs=self.signer.chain,
                allow_fetching=True,
                revocation_mode="hard-fail",
            )
        try:
            return [await self._sign_one(r, timestamper, vc) for r in requests]
        finally:
            await session.close()  # type: ignore[no-untyped-call]
            if vc is not None:
                await vc.aclose()  # type: ignore[no-untyped-call]

    async def _sign_one(
        self,
        req: SignRequest,
        timestamper: HTTPTimeStamper | None,
        vc: ValidationContext | None,
    ) -> bytes:
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(req.data), strict=False)
        except (PdfError, ValueError, IndexError) as e:
            raise NotSignable(f"Tệp không phải PDF đọc được: {e}.") from e
        if writer.security_handler is not None:
            raise NotSignable("Tệp PDF được mã hoá: không ký được.")
        field_name = req.field_name or _next_field_name(writer)
        lt = self.level in ("B-LT", "B-LTA")
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=req.reason,
            location=req.location,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=lt,
            use_pades_lta=self.level == "B-LTA",
            validation_context=vc,
            signer_key_usage={"digital_signature"} if lt else set(),
        )
        spec = req.visible
        field_spec = None
        style = None
        if spec is not None:
            field_spec = fields.SigFieldSpec(field_name, on_page=spec.page, box=spec.box)
            style = stamp_style(spec)
        pdf_signer = signers.PdfSigner(
            meta,
            self.signer.cms_signer(),
            timestamper=timestamper,
            stamp_style=style,
            new_field_spec=field_spec,
        )
        text_params = {"vn_time": format_signing_time(datetime.now(UTC))} if spec else None
        try:
            out = await pdf_signer.async_sign_pdf(
                writer,
                bytes_reserved=self._bytes_reserved,
                appearance_text_params=text_params,
            )
        except TimestampRequestError as e:
            raise TimestampUnavailable(
                f"Không lấy được dấu thời gian từ {self.tsa_url}: {e}."
            ) from e
        except HankoSigningError as e:
            raise SigningError(f"Không ký được tài liệu: {e}.") from e
        except (PdfError, OSError) as e:
            raise SigningError(f"Không ký được tài liệu: {e}.") from e
        return bytes(out.getbuffer())


def _next_field_name(writer: IncrementalPdfFileWriter) -> str:
    existing = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
    n = 1
    while f"Signature{n}" in existing:
        n += 1
    return f"Signature{n}"


def sign_pdf(
    data: bytes,
    signer: Signer,
    *,
    level: PadesLevel = "B-B",
    tsa_url: str | None = None,
    field_name: str | None = None,
    visible: StampSpec | None = None,
    reason: str | None = None,
    location: str | None = None,
    trust_roots: Sequence[x509.Certificate] | None = None,
    check_revocation: bool = True,
) -> bytes:
    """Sign one PDF at a PAdES baseline level. See :class:`PadesSigner` for batches."""
    pades = PadesSigner(
        signer,
        level=level,
        tsa_url=tsa_url,
        trust_roots=trust_roots,
        check_revocation=check_revocation,
    )
    return pades.sign(
        data, field_name=field_name, visible=visible, reason=reason, location=location
    )
