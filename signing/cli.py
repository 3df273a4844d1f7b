"""``hoso sign`` and ``hoso verify``. Wire with ``signing.cli.add_parsers(sub)``.

Commands set ``func`` (returns the exit code) and raise :class:`records.errors.HosoError`
subclasses, which ``hoso.cli.main`` prints as one line.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from records.errors import BadInput
from signing.errors import NotSignable
from signing.levels import LEVELS

if TYPE_CHECKING:  # pyHanko loads when a command runs, not when the parser is built
    from asn1crypto import x509

    from signing.keys import Signer


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise BadInput(f"Không đọc được tệp {path}: {e.strerror}.") from e


def _env(var: str) -> str:
    value = os.environ.get(var)
    if value is None:
        raise BadInput(f"Biến môi trường {var} chưa được đặt.")
    return value


def _load_cert(path: str) -> x509.Certificate:
    from asn1crypto import pem, x509

    data = _read(path)
    try:
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        cert = x509.Certificate.load(data)
        cert.native  # noqa: B018 - parse now
    except ValueError as e:
        raise BadInput(f"Tệp {path} không phải chứng thư số X.509 (PEM/DER).") from e
    return cert


def _open_signer(args: argparse.Namespace) -> Signer:
    from signing.keys import Pkcs11Signer, Pkcs12Signer

    if args.p12:
        return Pkcs12Signer.from_file(args.p12, _env(args.password_env))
    if args.pkcs11_module:
        if not (args.token_label and args.key_label):
            raise BadInput("Cần --token-label và --key-label khi dùng --pkcs11-module.")
        pin = _env(args.pin_env) if args.pin_env else getpass.getpass("PIN: ")
        return Pkcs11Signer.open(
            args.pkcs11_module, token_label=args.token_label, key_label=args.key_label, pin=pin
        )
    raise BadInput("Chọn khoá ký: --p12 TỆP --password-env BIẾN, hoặc --pkcs11-module.")


def cmd_sign(args: argparse.Namespace) -> int:
    from signing.pades import sign_pdf
    from signing.stamp import StampSpec

    data = _read(args.input)
    roots = [_load_cert(p) for p in args.trust_root] or None
    with _open_signer(args) as signer:
        visible = None
        if args.visible:
            cn = signer.certificate.subject.native.get("common_name", "")
            visible = StampSpec(
                signer_name=args.signer_name or str(cn),
                title=args.title or "",
                agency=args.agency or "",
                signature_image=_read(args.signature_image) if args.signature_image else None,
                seal_image=_read(args.seal_image) if args.seal_image else None,
            )
        out = sign_pdf(
            data,
            signer,
            level=args.level,
            tsa_url=args.tsa,
            visible=visible,
            reason=args.reason,
            location=args.location,
            trust_roots=roots,
        )
    Path(args.out).write_bytes(out)
    print(f"Đã ký ({args.level}): {args.out}")
    return 0


#: pyHanko logs every untrusted chain or failed check with a traceback; the report says it.
_NOISY_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in _NOISY_LOGGERS]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)


def cmd_verify(args: argparse.Namespace) -> int:
    from signing.verify import verify_pdf

    roots = [_load_cert(p) for p in args.trust_root]
    with _quiet_pyhanko():
        reports = verify_pdf(_read(args.file), trust_roots=roots, allow_fetching=args.online)
    if args.json:
        json.dump({"signatures": [r.to_json() for r in reports]}, sys.stdout, ensure_ascii=False)
        print()
    elif not reports:
        print("Tài liệu không có chữ ký số.")
    else:
        for r in reports:
            print(f"{r.field}: {r.summary_vi}")
    if not reports:
        raise NotSignable("Tài liệu không có chữ ký số nào.")
    return 0 if all(r.intact for r in reports) else 7


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``sign`` and ``verify`` to the ``hoso`` command's subparsers."""
    s = sub.add_parser("sign", help="ký số một tệp PDF (PAdES)")
    s.add_argument("input", metavar="IN.pdf")
    s.add_argument("--out", required=True, metavar="OUT.pdf")
    key = s.add_mutually_exclusive_group()
    key.add_argument("--p12", metavar="FILE", help="tệp khoá PKCS#12 (.p12/.pfx)")
    key.add_argument("--pkcs11-module", metavar="SO", help="thư viện PKCS#11 của token")
    s.add_argument("--password-env", default="HOSO_P12_PASSWORD", metavar="VAR")
    s.add_argument("--token-label", metavar="L")
    s.add_argument("--key-label", metavar="K")
    s.add_argument("--pin-env", metavar="VAR", help="biến chứa PIN (mặc định: hỏi)")
    s.add_argument("--level", choices=LEVELS, default="B-B")
    s.add_argument("--tsa", metavar="URL", help="máy chủ dấu thời gian RFC 3161")
    s.add_argument("--trust-root", action="append", default=[], metavar="CERT")
    s.add_argument("--visible", action="store_true", help="thêm dấu chữ ký hiển thị")
    s.add_argument("--signer-name")
    s.add_argument("--title")
    s.add_argument("--agency")
    s.add_argument("--signature-image", metavar="PNG")
    s.add_argument("--seal-image", metavar="PNG")
    s.add_argument("--reason")
    s.add_argument("--location")
    s.set_defaults(func=cmd_sign)

    v = sub.add_parser("verify", help="kiểm tra chữ ký số trong một tệp PDF")
    v.add_argument("file", metavar="FILE")
    v.add_argument("--trust-root", action="append", default=[], metavar="CERT")
    v.add_argument("--online", action="store_true", help="cho phép tải OCSP/CRL")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_verify)
