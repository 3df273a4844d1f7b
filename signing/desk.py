"""The signing desk: signs a batch of queued documents with one opening of the user's key.

Leaders sign results (each first gets its verification QR and short URL, then a stamp
with the leader's signature image and the agency seal when they were uploaded, placed per
document type by ``HOSO_STAMP_POSITIONS``); clerks sign
the digitised copies of their scans (a top-left stamp with the Circular 01/2023 mark,
their name and the scan time). The password or PIN is typed once per batch: the key is
opened once and one :class:`PadesSigner` per PAdES level signs every document.

Signed bytes go to the object store first, are retained (locked) for the configured
years, and only then do the rows point at them; the unsigned PDF is kept as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import x509

from records.errors import Conflict, HosoError
from records.model import Document, User
from records.signing_model import ImageKind, SignatureTask, TaskKind, UserKey
from records.signing_queue import (
    dossier_code_of,
    key_of,
    pending_task,
    record_signed,
    stamp_image,
)
from records.sql import UnitOfWork, dossiers_table
from signing.errors import SigningError
from signing.keystore import KeyVault, open_signer
from signing.levels import LEVELS, PadesLevel
from signing.overlay import add_verification_qr, first_page_box, page_box, top_left_box
from signing.pades import PadesSigner, SignRequest
from signing.placement import StampPosition, position_for
from signing.stamp import VN_TZ, StampSpec
from storage.port import ObjectStore

Uows = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class DeskConfig:
    public_url: str
    level: str = "B-B"
    levels: Mapping[str, str] = field(default_factory=dict)  # procedure code → level
    tsa_url: str | None = None
    trust_roots: Sequence[x509.Certificate] = ()
    retention_years: int = 10
    agency: str = ""
    digitised_mark: str = "Bản sao điện tử được chuyển đổi từ bản giấy"
    check_revocation: bool = True
    stamp_positions: Mapping[str, StampPosition] = field(default_factory=dict)  # doc type →
    pkcs11_modules: Sequence[str | Path] = ()  # HOSO_PKCS11_MODULES: tokens' allowed modules

    def level_for(self, procedure_code: str | None) -> PadesLevel:
        level = self.levels.get(procedure_code or "", self.level)
        if level not in LEVELS:
            raise SigningError(f"Mức chữ ký PAdES không hợp lệ trong cấu hình: {level}.")
        return level  # type: ignore[return-value]

    def verify_url(self, short_code: str) -> str:
        return f"{self.public_url.rstrip('/')}/v/{short_code}"


@dataclass
class Outcome:
    """What one batch action did, item by item."""

    signed: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    processed_dossiers: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "signed": self.signed,
            "errors": self.errors,
            "processed_dossiers": self.processed_dossiers,
        }


@dataclass
class _Job:
    task_id: int
    document_id: int
    pdf_sha256: str
    level: PadesLevel
    short_code: str | None
    dossier_code: str | None
    scanned_at: datetime
    doc_type: str | None = None
    data: bytes = b""


@dataclass(frozen=True)
class _Pictures:
    signature: bytes | None = None
    seal: bytes | None = None


def _vn(t: datetime) -> str:
    return t.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


class SigningDesk:
    def __init__(self, uows: Uows, store: ObjectStore, vault: KeyVault, config: DeskConfig):
        self.uows = uows
        self.store = store
        self.vault = vault
        self.config = config

    def sign_results(self, user_id: int, task_ids: Sequence[int], secret: str) -> Outcome:
        """A leader signs the given results from the inbox."""
        return self._sign(user_id, task_ids, secret, TaskKind.RESULT)

    def sign_digitised(self, user_id: int, task_ids: Sequence[int], secret: str) -> Outcome:
        """A clerk signs digitised copies of their own scans."""
        return self._sign(user_id, task_ids, secret, TaskKind.DIGITISED)

    # -- the batch ----------------------------------------------------------------------

    def _sign(self, user_id: int, task_ids: Sequence[int], secret: str, kind: TaskKind) -> Outcome:
        out = Outcome()
        ids = list(dict.fromkeys(task_ids))
        if not ids:
            raise SigningError("Chưa chọn văn bản nào để ký.")
        key, user, jobs = self._load(user_id, ids, kind, out)
        if not jobs:
            return out
        pictures = self._pictures(user_id) if kind == TaskKind.RESULT else _Pictures()
        with open_signer(
            key, secret, self.vault, allowed_modules=self.config.pkcs11_modules
        ) as signer:  # the one password/PIN entry
            assert key is not None
            by_level: dict[PadesLevel, list[_Job]] = defaultdict(list)
            for job in jobs:
                if self._prepare(job, kind, out):
                    by_level[job.level].append(job)
            stored: list[tuple[_Job, str]] = []
            for level, group in by_level.items():
                pades = PadesSigner(
                    signer,
                    level=level,
                    tsa_url=self.config.tsa_url,
                    trust_roots=list(self.config.trust_roots) or None,
                    check_revocation=self.config.check_revocation,
                )
                requests = [self._request(job, kind, key, user, pictures) for job in group]
                for job, signed in zip(group, pades.sign_many(requests), strict=True):
                    stored.append((job, self._keep(signed)))
        self._record(user_id, stored, out)
        return out

    def _load(
        self, user_id: int, ids: list[int], kind: TaskKind, out: Outcome
    ) -> tuple[UserKey | None, User, list[_Job]]:
        jobs = []
        with self.uows() as uow:
            key = key_of(uow, user_id)
            user = uow.session.get(User, user_id)
            assert user is not None
            for task_id in ids:
                try:
                    task = pending_task(uow, task_id, kind)
                    if kind == TaskKind.DIGITISED and task.assignee_id != user_id:
                        raise Conflict("Bản số hóa này thuộc lô quét của người khác")
                except HosoError as e:
                    out.errors.append({"task_id": task_id, "message": e.message})
                    continue
                doc = uow.session.get(Document, task.document_id)
                assert doc is not None and doc.pdf_sha256
                procedure = None
                if task.dossier_id is not None:
                    procedure = uow.session.scalar(
                        dossiers_table.select()
                        .with_only_columns(dossiers_table.c.procedure_code)
                        .where(dossiers_table.c.id == task.dossier_id)
                    )
                jobs.append(
                    _Job(
                        task_id=task_id,
                        document_id=task.document_id,
                        pdf_sha256=doc.pdf_sha256,
                        level=self.config.level_for(procedure),
                        short_code=task.short_code,
                        dossier_code=dossier_code_of(uow, task.dossier_id),
                        scanned_at=doc.created,
                        doc_type=doc.doc_type,
                    )
                )
        return key, user, jobs

    def _pictures(self, user_id: int) -> _Pictures:
        """The leader's signature image and the agency seal (PNG bytes), if uploaded."""
        with self.uows() as uow:
            sig = stamp_image(uow, ImageKind.SIGNATURE, user_id)
            seal = stamp_image(uow, ImageKind.SEAL)
            keys = (sig.sha256 if sig else None, seal.sha256 if seal else None)
        return _Pictures(*(self.store.get_bytes(k) if k else None for k in keys))

    def _prepare(self, job: _Job, kind: TaskKind, out: Outcome) -> bool:
        """Read the unsigned PDF and draw what goes on it; a bad file fails only itself."""
        try:
            data = self.store.get_bytes(job.pdf_sha256)
            if kind == TaskKind.RESULT and job.short_code:
                data = add_verification_qr(data, self.config.verify_url(job.short_code))
            job.data = data
            return True
        except HosoError as e:
            out.errors.append({"task_id": job.task_id, "message": e.message})
            return False

    def _request(
        self, job: _Job, kind: TaskKind, key: UserKey, user: User, pictures: _Pictures
    ) -> SignRequest:
        name = key.subject or user.name
        if kind == TaskKind.RESULT:
            signature, seal = pictures.signature, pictures.seal
            position = position_for(self.config.stamp_positions, job.doc_type)
            index, page = page_box(job.data, position.page)
            size = RESULT_STAMP_SIZE if signature is None and seal is None else PICTURE_STAMP_SIZE
            stamp = StampSpec(
                signer_name=name,
                title=key.title,
                agency=self.config.agency,
                page=index,
                box=position.box((page.x0, page.y0, page.x1, page.y1), size),
                signature_image=signature,
                seal_image=seal,
            )
            return SignRequest(
                job.data,
                visible=stamp,
                reason="Ký duyệt kết quả giải quyết thủ tục hành chính",
                location=self.config.agency or None,
            )
        box = top_left_box(first_page_box(job.data))
        stamp = StampSpec(
            signer_name=name,
            agency=self.config.agency,
            page=0,
            box=box,
            font_size=8,
            heading=(self.config.digitised_mark,),
            extra=(f"Thời gian số hóa: {_vn(job.scanned_at)}",),
        )
        return SignRequest(
            job.data,
            visible=stamp,
            reason=self.config.digitised_mark,
            location=self.config.agency or None,
        )

    def _keep(self, signed: bytes) -> str:
        """Store the signed bytes and lock them (never overwritten, kept for years)."""
        key = self.store.put_bytes(signed)
        until = datetime.now(UTC) + timedelta(days=round(365.2425 * self.config.retention_years))
        self.store.retain(key, until)
        return key

    def _record(self, user_id: int, stored: list[tuple[_Job, str]], out: Outcome) -> None:
        with self.uows() as uow:
            for job, sha in stored:
                at = datetime.now(UTC)
                task = uow.session.get(SignatureTask, job.task_id)
                assert task is not None
                try:
                    pending_task(uow, job.task_id, task.kind)  # someone else may have been faster
                except HosoError as e:
                    out.errors.append({"task_id": job.task_id, "message": e.message})
                    continue
                moved = record_signed(uow, task, sha, user_id=user_id, at=at)
                out.signed.append(
                    {
                        "task_id": job.task_id,
                        "document_id": job.document_id,
                        "dossier_code": job.dossier_code,
                        "sha256": sha,
                        "verify_url": self.config.verify_url(job.short_code)
                        if job.short_code
                        else None,
                    }
                )
                if moved is not None and job.dossier_code:
                    out.processed_dossiers.append(job.dossier_code)
            uow.commit()


RESULT_STAMP_SIZE = (250.0, 84.0)  # points: the leader's stamp, text only
PICTURE_STAMP_SIZE = (250.0, 150.0)  # with the signature image and/or the seal above the text
