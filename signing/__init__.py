"""Digital signatures: a ``Signer`` port (PKCS#12 file, PKCS#11 token), PAdES signing of
PDFs at levels B-B/B-T/B-LT/B-LTA with an optional Decree 30/2020 visible stamp, and
verification reported per signature in Vietnamese."""

# The package is imported by the CLI and the API just to register commands and routes;
# pyHanko (~0.5 s to import) loads only when something here is first used.
import warnings
from importlib import import_module
from typing import TYPE_CHECKING, Any

from signing.errors import (
    NotSignable,
    SignerCertificateExpired,
    SignerCertificateRejected,
    SignerCertificateRevoked,
    SignerKeyUnavailable,
    SigningError,
    TimestampUnavailable,
)
from signing.levels import LEVELS, PadesLevel

# pyHanko imports cryptography's DSA key classes to recognise such keys; cryptography 51
# warns on that import. hoso signs with RSA and ECDSA keys: keep the warning off the
# clerk's screen (``hoso verify`` would print it on every run).
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")

if TYPE_CHECKING:
    from signing.keys import Pkcs11Signer, Pkcs12Signer, Signer
    from signing.pades import PadesSigner, SignRequest, sign_pdf
    from signing.stamp import StampSpec
    from signing.verify import SignatureReport, verify_pdf

_LAZY = {
    "Pkcs11Signer": "signing.keys",
    "Pkcs12Signer": "signing.keys",
    "Signer": "signing.keys",
    "PadesSigner": "signing.pades",
    "SignRequest": "signing.pades",
    "sign_pdf": "signing.pades",
    "StampSpec": "signing.stamp",
    "SignatureReport": "signing.verify",
    "verify_pdf": "signing.verify",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'signing' has no attribute {name!r}")


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
