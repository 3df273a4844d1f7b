"""Digital signatures: a ``Signer`` port (PKCS#12 file, PKCS#11 token), PAdES signing of
PDFs at levels B-B/B-T/B-LT/B-LTA with an optional Decree 30/2020 visible stamp, and
verification reported per signature in Vietnamese."""

from signing.errors import (
    NotSignable,
    SignerCertificateExpired,
    SignerCertificateRejected,
    SignerCertificateRevoked,
    SignerKeyUnavailable,
    SigningError,
    TimestampUnavailable,
)
from signing.keys import Pkcs11Signer, Pkcs12Signer, Signer
from signing.pades import LEVELS, PadesLevel, PadesSigner, SignRequest, sign_pdf
from signing.stamp import StampSpec
from signing.verify import SignatureReport, verify_pdf

__all__ = [
    "LEVELS",
    "NotSignable",
    "PadesLevel",
    "PadesSigner",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "SignRequest",
    "SignatureReport",
    "Signer",
    "SignerCertificateExpired",
    "SignerCertificateRejected",
    "SignerCertificateRevoked",
    "SignerKeyUnavailable",
    "SigningError",
    "StampSpec",
    "TimestampUnavailable",
    "sign_pdf",
    "verify_pdf",
]
