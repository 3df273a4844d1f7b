"""Key access: the ``Signer`` port and its adapters (PKCS#12 file, PKCS#11 token).

A :class:`Signer` knows *who* signs (certificate and chain) and *how* a raw signature is
made; it knows nothing about PDF. :mod:`signing.pades` takes one and does the PDF part.
"""

from __future__ import annotations

import abc
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.general import get_pyca_cryptography_hash  # type: ignore[attr-defined]
from pyhanko.sign.signers import pdf_cms
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.errors import SignerKeyUnavailable, SigningError


class Signer(abc.ABC):
    """Port: the signer's certificate, its chain, and a pyHanko CMS signer using the key."""

    @property
    @abc.abstractmethod
    def certificate(self) -> x509.Certificate:
        """The signer's own (end-entity) certificate."""

    @property
    @abc.abstractmethod
    def chain(self) -> list[x509.Certificate]:
        """Other certificates known for the signer (intermediates, root), possibly empty."""

    @abc.abstractmethod
    def cms_signer(self) -> pdf_cms.Signer:
        """The pyHanko signer that produces raw signatures with this key."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the key (token session); the file adapter has nothing to release."""

    def __enter__(self) -> Signer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _CachedKeyCmsSigner(pdf_cms.Signer):
    """pyHanko signer holding an already parsed private key.

    pyHanko's ``SimpleSigner`` re-parses the DER key on every signature (infra.md); we parse
    it once when the PKCS#12 file is opened.
    """

    def __init__(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        cert: x509.Certificate,
        chain: list[x509.Certificate],
    ) -> None:
        self._key = key
        super().__init__(
            signing_cert=cert,
            cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
            embed_roots=True,
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mechanism.signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        key = self._key
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo)
        if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pss = padding.PSS(mgf=padding.MGF1(hash_algo), salt_length=hash_algo.digest_size)
            return key.sign(data, pss, hash_algo)
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        raise SigningError(f"Loại khoá ký không được hỗ trợ ({algo}).")


def _to_asn1(cert: Any) -> x509.Certificate:
    return x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class Pkcs12Signer(Signer):
    """Adapter: a password-protected PKCS#12 (.p12/.pfx) file, parsed once and cached."""

    def __init__(
        self, data: bytes, password: str | bytes | None, *, name: str = "tệp khoá"
    ) -> None:
        pw = password.encode() if isinstance(password, str) else password
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
        except ValueError as e:
            raise SignerKeyUnavailable(
                f"Không mở được {name}: sai mật khẩu hoặc tệp không phải PKCS#12."
            ) from e
        if key is None or cert is None:
            raise SignerKeyUnavailable(f"{name} không chứa khoá riêng và chứng thư số.")
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise SignerKeyUnavailable(f"{name}: chỉ hỗ trợ khoá RSA hoặc ECDSA.")
        self._cert = _to_asn1(cert)
        self._chain = [_to_asn1(c) for c in extra or []]
        self._cms = _CachedKeyCmsSigner(key, self._cert, self._chain)

    @classmethod
    def from_file(cls, path: str | Path, password: str | bytes | None) -> Pkcs12Signer:
        """Read and parse a PKCS#12 file (once)."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as e:
            raise SignerKeyUnavailable(f"Không đọc được tệp khoá {p.name}: {e.strerror}.") from e
        return cls(data, password, name=f"tệp khoá {p.name}")

    @property
    def certificate(self) -> x509.Certificate:
        return self._cert

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def cms_signer(self) -> pdf_cms.Signer:
        return self._cms


class Pkcs11Signer(Signer):
    """Adapter: a key on a PKCS#11 token (USB token, HSM, SoftHSM2).

    One session is opened by :meth:`open` and serves every signature until :meth:`close`
    (one PIN entry for a batch). The PIN is passed to the token and never kept.
    """

    def __init__(self, session: Any, cms: pdf_cms.Signer) -> None:
        self._session = session
        self._cms = cms

    @classmethod
    def open(
        cls,
        module_path: str,
        *,
        token_label: str,
        key_label: str,
        pin: str | None,
        cert_label: str | None = None,
    ) -> Pkcs11Signer:
        """Open a session on the token and locate the key and its certificate.

        The module is loaded by its real path: python-pkcs11 keeps one library per path
        string, and the same module reached through a symlink would otherwise be
        initialised a second time in this process (CKR_CRYPTOKI_ALREADY_INITIALIZED)."""
        from pkcs11 import exceptions as p11_errors
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hk_pkcs11

        try:
            session = hk_pkcs11.open_pkcs11_session(
                os.path.realpath(module_path),
                token_criteria=TokenCriteria(label=token_label),
                user_pin=pin,
            )
        except (p11_errors.PKCS11Error, OSError, RuntimeError) as e:
            raise SignerKeyUnavailable(
                f"Không mở được token “{token_label}”: sai PIN, thiếu token hoặc thư viện "
                f"PKCS#11 ({type(e).__name__})."
            ) from e
        except Exception as e:  # pyHanko wraps some failures in its own errors
            raise SignerKeyUnavailable(f"Không mở được token “{token_label}”: {e}.") from e
        try:
            cms = hk_pkcs11.PKCS11Signer(
                session,
                key_label=key_label,
                cert_label=cert_label or key_label,
                other_certs_to_pull=None,
            )
            cms.signing_cert  # noqa: B018 - fetch now so a missing cert fails here
        except Exception as e:
            session.close()
            raise SignerKeyUnavailable(
                f"Không tìm thấy khoá hoặc chứng thư “{key_label}” trên token “{token_label}”."
            ) from e
        return cls(session, cms)

    @property
    def certificate(self) -> x509.Certificate:
        cert = self._cms.signing_cert
        if cert is None:
            raise SignerKeyUnavailable("Token không có chứng thư số cho khoá ký.")
        return cert

    @property
    def chain(self) -> list[x509.Certificate]:
        own = self.certificate.dump()
        return [c for c in self._cms.cert_registry if c.dump() != own]

    def cms_signer(self) -> pdf_cms.Signer:
        if self._session is None:
            raise SignerKeyUnavailable("Phiên làm việc với token đã đóng.")
        return self._cms

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


__all__ = ["Pkcs11Signer", "Pkcs12Signer", "Signer"]
