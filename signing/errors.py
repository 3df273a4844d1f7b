"""Errors raised by the signing package, rooted in the project's error tree."""

from __future__ import annotations

from records.errors import BadInput, EngineError, Forbidden, HosoError, Unauthorized


class SigningError(HosoError):
    """A document could not be signed (key, certificate or PDF problem)."""

    http_status = 422
    exit_code = 6


class SignerKeyUnavailable(Unauthorized):
    """The signing key cannot be opened: wrong password or PIN, missing file, token or key."""


class SignerCertificateRejected(SigningError):
    """The signer's certificate must not be used to sign now (expired, not yet valid, revoked)."""


class SignerCertificateExpired(SignerCertificateRejected):
    """The signer's certificate is outside its validity period at signing time."""


class SignerCertificateRevoked(SignerCertificateRejected):
    """The signer's certificate (or a certificate of its chain) has been revoked."""


class Pkcs11ModuleNotAllowed(Forbidden):
    """A PKCS#11 module path is not on the administrator's list (``HOSO_PKCS11_MODULES``):
    the server never loads a native library a user named."""


class TimestampUnavailable(EngineError):
    """The time-stamping authority (TSA) or revocation service could not be reached."""


class NotSignable(BadInput):
    """The input is not a PDF we can sign or verify."""
