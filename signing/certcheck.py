"""Checks made on the signer's certificate *before* signing: validity period, revocation."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors

from signing.errors import (
    SignerCertificateExpired,
    SignerCertificateRejected,
    SignerCertificateRevoked,
)

log = logging.getLogger(__name__)


def _who(cert: x509.Certificate) -> str:
    return str(cert.subject.native.get("common_name", cert.subject.human_friendly))


def _fmt(t: datetime) -> str:
    return t.strftime("%d/%m/%Y")


def check_validity_period(cert: x509.Certificate, at: datetime) -> None:
    """Refuse a certificate that is expired or not yet valid at ``at``."""
    validity = cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    if at > not_after:
        raise SignerCertificateExpired(
            f"Chứng thư số của {_who(cert)} đã hết hạn từ ngày {_fmt(not_after)}: "
            "không được dùng để ký."
        )
    if at < not_before:
        raise SignerCertificateExpired(
            f"Chứng thư số của {_who(cert)} chỉ có hiệu lực từ ngày {_fmt(not_before)}: "
            "chưa được dùng để ký."
        )


def trust_anchor_guess(
    cert: x509.Certificate, chain: list[x509.Certificate]
) -> list[x509.Certificate]:
    """Self-signed certificates of the chain; else the top of the chain (or the cert)."""
    roots = [c for c in chain if c.self_signed != "no"]
    if roots:
        return roots
    return [chain[-1]] if chain else [cert]


def check_revocation(
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    *,
    at: datetime,
    trust_roots: list[x509.Certificate] | None = None,
    hard_fail: bool = False,
) -> None:
    """Ask the certificate's OCSP responder / CRL (from its AIA and CRL DP) whether it is
    revoked. With ``hard_fail`` missing revocation information is an error, otherwise only
    a confirmed revocation (or expiry) refuses the certificate."""
    vc = ValidationContext(
        trust_roots=trust_roots or trust_anchor_guess(cert, chain),
        other_certs=chain,
        allow_fetching=True,
        revocation_mode="hard-fail" if hard_fail else "soft-fail",
        moment=at,
    )
    validator = CertificateValidator(cert, chain, validation_context=vc)

    async def validate() -> None:
        try:
            await validator.async_validate_path()
        finally:
            await vc.aclose()  # type: ignore[no-untyped-call]

    try:
        asyncio.run(validate())
    except cv_errors.RevokedError as e:
        raise SignerCertificateRevoked(
            f"Chứng thư số của {_who(cert)} đã bị thu hồi: không được dùng để ký."
        ) from e
    except cv_errors.ExpiredError as e:
        raise SignerCertificateExpired(
            f"Chứng thư số của {_who(cert)} (hoặc của CA cấp) đã hết hạn: không được dùng để ký."
        ) from e
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError) as e:
        if hard_fail:
            raise SignerCertificateRejected(
                f"Không xác minh được tình trạng chứng thư số của {_who(cert)}: {e}."
            ) from e
        log.warning("signer certificate check inconclusive: %s", e)
