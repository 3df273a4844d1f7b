"""Digital-signature records: a user's signing key and the signature tasks.

Plain classes, mapped in ``records.sql``. The key material itself (an encrypted PKCS#12
file, or where a PKCS#11 token keeps the key) is described here; opening it is the job of
``signing.keystore``. Passwords and PINs are never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from records.model import now


class KeyKind(StrEnum):
    PKCS12 = "pkcs12"  # a .p12/.pfx file, kept encrypted at rest
    PKCS11 = "pkcs11"  # a USB token or HSM: module path, token label, key label


class ImageKind(StrEnum):
    SIGNATURE = "signature"  # a user's handwritten signature (one per user)
    SEAL = "seal"  # the agency's seal (one per deployment, no user)


class TaskKind(StrEnum):
    RESULT = "result"  # a dossier's result, signed by a leader
    DIGITISED = "digitised"  # a digitised copy, signed by the clerk who scanned it


class TaskStatus(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    REJECTED = "rejected"


@dataclass(eq=False)
class UserKey:
    """One user's signing key (at most one per user)."""

    user_id: int
    kind: KeyKind
    subject: str  # the certificate's common name
    not_after: datetime  # end of the certificate's validity
    title: str = ""  # the signer's title printed in the stamp (e.g. "Chủ tịch")
    p12_encrypted: bytes | None = None  # Fernet token of the PKCS#12 bytes
    module_path: str | None = None
    token_label: str | None = None
    key_label: str | None = None
    created: datetime = field(default_factory=now)
    id: int | None = None


@dataclass(eq=False)
class StampImage:
    """A picture printed in leaders' stamps: a user's signature or the agency seal.

    The PNG itself is in the object store (``sha256``), already checked and given a
    transparent background by ``signing.images``."""

    kind: ImageKind
    sha256: str
    width: int
    height: int
    user_id: int | None = None  # the signature's owner; None for the agency seal
    uploaded_by: int | None = None
    created: datetime = field(default_factory=now)
    id: int | None = None


@dataclass(eq=False)
class SignatureTask:
    """A document waiting for (or having received) one signature.

    Results: ``dossier_id`` set, any leader may sign. Digitised copies: ``assignee_id`` is
    the clerk who scanned it. ``short_code`` names the public verification page
    (``/v/<code>``) printed as a QR on a result before it is signed.
    """

    document_id: int
    kind: TaskKind
    status: TaskStatus = TaskStatus.PENDING
    dossier_id: int | None = None
    assignee_id: int | None = None
    requested_by: int | None = None
    short_code: str | None = None
    note: str = ""  # the leader's reason when rejecting
    signed_sha256: str | None = None  # the signed PDF in the object store (never changed)
    decided_by: int | None = None
    decided_at: datetime | None = None
    created: datetime = field(default_factory=now)
    id: int | None = None
