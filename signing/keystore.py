"""Users' own signing keys: a PKCS#12 file kept encrypted at rest, or a PKCS#11 token.

The PKCS#12 file is encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``, already a dependency of pyHanko) under a server secret: the
``HOSO_KEYSTORE_SECRET`` setting, else a key file generated once in the data directory
with mode 0600. The file's own password and a token's PIN are asked at signing time and
never stored: a stolen database plus key file still needs the user's password.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import x509
from cryptography.fernet import Fernet, InvalidToken

from records.errors import BadInput
from records.signing_model import KeyKind, UserKey
from signing import certcheck
from signing.errors import Pkcs11ModuleNotAllowed, SignerKeyUnavailable, SigningError
from signing.keys import Pkcs11Signer, Pkcs12Signer, Signer

MAX_P12_BYTES = 64 * 1024


class WrongKeySecret(BadInput):
    """The password of a PKCS#12 file or a token's PIN was not accepted.

    A 4xx the signing pages show next to the password field (not a 401: the user *is*
    logged in; only the key stayed locked)."""

    http_status = 422
    exit_code = 4


class NoSigningKey(BadInput):
    """The user has not registered a signing key yet."""

    http_status = 409


class KeyVault:
    """Encrypts and decrypts key files with the server secret (Fernet)."""

    def __init__(self, secret: bytes) -> None:
        try:
            self._fernet = Fernet(secret)
        except (ValueError, TypeError) as e:
            raise SigningError(
                "Khoá bảo vệ kho khoá ký (HOSO_KEYSTORE_SECRET) không hợp lệ: cần một khoá "
                "Fernet (32 byte, base64)."
            ) from e

    @classmethod
    def from_settings(cls, secret: str | None, data_dir: Path) -> KeyVault:
        """The configured secret, else ``data_dir/keystore.key`` (created once, 0600)."""
        if secret:
            return cls(secret.encode())
        path = data_dir / "keystore.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(Fernet.generate_key())
        return cls(path.read_bytes().strip())

    def encrypt(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as e:
            raise SigningError(
                "Không giải mã được tệp khoá đã lưu: khoá bảo vệ kho khoá của máy chủ đã "
                "thay đổi. Hãy đăng ký lại tệp khoá ký số."
            ) from e


@dataclass(frozen=True)
class CertInfo:
    subject: str
    not_after: datetime


def cert_info(cert: x509.Certificate) -> CertInfo:
    validity = cert["tbs_certificate"]["validity"]
    cn = cert.subject.native.get("common_name", cert.subject.human_friendly)
    return CertInfo(subject=str(cn), not_after=validity["not_after"].native)


def _open_p12(data: bytes, password: str) -> Pkcs12Signer:
    try:
        return Pkcs12Signer(data, password, name="tệp khoá ký số")
    except SignerKeyUnavailable as e:
        raise WrongKeySecret(
            "Sai mật khẩu của tệp khoá ký số (hoặc tệp không phải PKCS#12). Vui lòng nhập lại."
        ) from e


def p12_key(
    user_id: int, data: bytes, password: str, vault: KeyVault, *, title: str = ""
) -> UserKey:
    """Check a PKCS#12 upload (password, usable certificate) and make its encrypted row.

    The password is used here only to prove the file opens; it is not kept."""
    if not data:
        raise BadInput("Chưa chọn tệp khoá ký số (.p12 hoặc .pfx)")
    if len(data) > MAX_P12_BYTES:
        raise BadInput("Tệp khoá ký số quá lớn (tối đa 64 KB): có đúng là tệp .p12/.pfx?")
    signer = _open_p12(data, password)
    certcheck.check_validity_period(signer.certificate, datetime.now(UTC))
    info = cert_info(signer.certificate)
    return UserKey(
        user_id=user_id,
        kind=KeyKind.PKCS12,
        subject=info.subject,
        not_after=info.not_after,
        title=title.strip()[:200],
        p12_encrypted=vault.encrypt(data),
    )


def allowed_module(module_path: str, allowed: Iterable[str | Path]) -> str:
    """The real path of ``module_path`` if it is one of the administrator's modules.

    A PKCS#11 module is a native library loaded into the server process, so only the
    paths listed in ``HOSO_PKCS11_MODULES`` may be used. Both sides are compared as real
    paths (symlinks and ``..`` resolved), and the caller loads the returned real path, so
    a link swapped after the check cannot point elsewhere. Nothing is opened or loaded
    here; a path not on the list gets the same answer whether it exists or not."""
    wanted = module_path.strip()
    real = os.path.realpath(wanted) if wanted and os.path.isabs(wanted) else None
    if real is not None and real in {os.path.realpath(p) for p in allowed}:
        return real
    raise Pkcs11ModuleNotAllowed(
        f"Thư viện PKCS#11 {wanted or '(trống)'} không nằm trong danh sách quản trị viên cho "
        "phép trên máy chủ (HOSO_PKCS11_MODULES). Hãy chọn thư viện token đã được cài đặt "
        "sẵn hoặc nhờ quản trị viên thêm vào danh sách."
    )


def pkcs11_key(
    user_id: int,
    *,
    module_path: str,
    token_label: str,
    key_label: str,
    pin: str,
    allowed_modules: Iterable[str | Path],
    title: str = "",
) -> UserKey:
    """Check a token configuration by opening it once with the PIN (not kept).

    The module must be on the administrator's list (checked before anything is loaded)."""
    if not (module_path.strip() and token_label.strip() and key_label.strip()):
        raise BadInput("Cần đủ đường dẫn thư viện PKCS#11, nhãn token và nhãn khoá")
    real = allowed_module(module_path, allowed_modules)
    if not Path(real).is_file():
        raise BadInput(f"Không tìm thấy thư viện PKCS#11 {module_path} trên máy chủ")
    with _open_pkcs11(real, token_label, key_label, pin) as signer:
        certcheck.check_validity_period(signer.certificate, datetime.now(UTC))
        info = cert_info(signer.certificate)
    return UserKey(
        user_id=user_id,
        kind=KeyKind.PKCS11,
        subject=info.subject,
        not_after=info.not_after,
        title=title.strip()[:200],
        module_path=module_path.strip(),
        token_label=token_label,
        key_label=key_label,
    )


def _open_pkcs11(module_path: str, token_label: str, key_label: str, pin: str) -> Pkcs11Signer:
    try:
        return Pkcs11Signer.open(module_path, token_label=token_label, key_label=key_label, pin=pin)
    except SignerKeyUnavailable as e:
        cause = type(e.__cause__).__name__ if e.__cause__ else ""
        if cause in ("PinIncorrect", "PinInvalid", "PinLenRange"):
            raise WrongKeySecret("Sai mã PIN của token ký số. Vui lòng nhập lại.") from e
        if cause == "PinLocked":
            raise WrongKeySecret("Token ký số đã bị khoá do nhập sai PIN nhiều lần.") from e
        raise WrongKeySecret(e.message) from e


def open_signer(
    key: UserKey | None,
    secret: str,
    vault: KeyVault,
    *,
    allowed_modules: Iterable[str | Path],
) -> Signer:
    """Open the user's key with the password/PIN just typed (one opening per batch).

    A token whose module has left ``allowed_modules`` since it was registered is refused
    before the module is loaded."""
    if key is None:
        raise NoSigningKey(
            "Bạn chưa đăng ký khoá ký số. Vào trang “Khoá ký số của tôi” để đăng ký."
        )
    if not secret:
        raise WrongKeySecret(
            "Cần nhập mật khẩu tệp khoá" if key.kind == KeyKind.PKCS12 else "Cần nhập mã PIN"
        )
    if key.kind == KeyKind.PKCS12:
        assert key.p12_encrypted is not None
        return _open_p12(vault.decrypt(key.p12_encrypted), secret)
    assert key.module_path and key.token_label and key.key_label
    real = allowed_module(key.module_path, allowed_modules)
    return _open_pkcs11(real, key.token_label, key.key_label, secret)
