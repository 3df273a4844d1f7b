"""Who must sign what: the leaders' inbox of results, the clerks' queue of digitised
copies, signing keys on record, and what a signature or a rejection does to a dossier.

Tasks are created lazily when a queue is read (``sync_*``): every result attached to a
dossier and every document of a clerk's batches gets one, however it was attached
(API, CLI, reception, cover sheet), without the attaching code having to know about
signatures. A result rejected by the leader gets a new task only when staff send it again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select

from records.dossiers import (
    TRANSITIONS,
    Dossier,
    DossierEvent,
    DossierStatus,
    transition,
)
from records.errors import BadInput, Conflict, NotFound
from records.model import Batch, Document, DocumentStatus, User, now
from records.signing_model import (
    ImageKind,
    SignatureTask,
    StampImage,
    TaskKind,
    TaskStatus,
    UserKey,
)
from records.sql import (
    UnitOfWork,
    batches_table,
    documents_table,
    dossier_documents_table,
    dossiers_table,
    signature_tasks_table,
    stamp_images_table,
    user_keys_table,
    users_table,
)

_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud or typed from paper
SHORT_CODE_LENGTH = 10
T = signature_tasks_table


# -- keys -----------------------------------------------------------------------------


def key_of(uow: UnitOfWork, user_id: int) -> UserKey | None:
    return uow.session.scalars(select(UserKey).where(user_keys_table.c.user_id == user_id)).first()


def save_key(uow: UnitOfWork, key: UserKey) -> UserKey:
    """Register ``key`` for its user, replacing an earlier one."""
    old = key_of(uow, key.user_id)
    if old is not None:
        uow.session.delete(old)
        uow.session.flush()
    uow.session.add(key)
    uow.session.flush()
    return key


def delete_key(uow: UnitOfWork, user_id: int) -> bool:
    old = key_of(uow, user_id)
    if old is None:
        return False
    uow.session.delete(old)
    return True


def keys_overview(uow: UnitOfWork) -> list[tuple[User, UserKey | None]]:
    """Every user with their key (or None), for the administrator."""
    users = uow.session.scalars(select(User).order_by(users_table.c.name))
    keys = {k.user_id: k for k in uow.session.scalars(select(UserKey))}
    return [(u, keys.get(u.id or 0)) for u in users]


# -- pictures in the stamp (a user's signature, the agency seal) ------------------------


def stamp_image(uow: UnitOfWork, kind: ImageKind, user_id: int | None = None) -> StampImage | None:
    """A user's signature image, or (``user_id`` None) the agency seal."""
    owner = (
        stamp_images_table.c.user_id.is_(None)
        if user_id is None
        else stamp_images_table.c.user_id == user_id
    )
    q = select(StampImage).where(stamp_images_table.c.kind == kind.value, owner)
    return uow.session.scalars(q.order_by(stamp_images_table.c.id.desc())).first()


def save_stamp_image(uow: UnitOfWork, image: StampImage) -> StampImage:
    """Keep ``image``, replacing the earlier signature of that user (or the earlier seal)."""
    if (image.kind == ImageKind.SEAL) != (image.user_id is None):
        raise BadInput("Con dấu thuộc cơ quan; ảnh chữ ký thuộc một người dùng")
    while (old := stamp_image(uow, image.kind, image.user_id)) is not None:
        uow.session.delete(old)
        uow.session.flush()
    uow.session.add(image)
    uow.session.flush()
    return image


def delete_stamp_image(uow: UnitOfWork, kind: ImageKind, user_id: int | None = None) -> bool:
    removed = False
    while (old := stamp_image(uow, kind, user_id)) is not None:
        uow.session.delete(old)
        uow.session.flush()
        removed = True
    return removed


# -- creating tasks -------------------------------------------------------------------


def new_short_code(uow: UnitOfWork) -> str:
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
        if uow.session.scalar(select(T.c.id).where(T.c.short_code == code)) is None:
            return code


def sync_result_tasks(uow: UnitOfWork) -> int:
    """A pending task for each result attached to a dossier that has none yet."""
    dd = dossier_documents_table
    has_task = exists().where(
        T.c.document_id == dd.c.document_id,
        T.c.dossier_id == dd.c.dossier_id,
        T.c.kind == TaskKind.RESULT.value,
    )
    rows = uow.session.execute(
        select(dd.c.dossier_id, dd.c.document_id).where(dd.c.role == "result", ~has_task)
    ).all()
    for dossier_id, document_id in rows:
        uow.session.add(
            SignatureTask(
                document_id=document_id,
                dossier_id=dossier_id,
                kind=TaskKind.RESULT,
                short_code=new_short_code(uow),
            )
        )
    uow.session.flush()
    return len(rows)


def request_signature(
    uow: UnitOfWork, dossier: Dossier, document_id: int, *, user_id: int | None
) -> SignatureTask:
    """Staff send a result (again, after a rejection) to the leaders' inbox."""
    assert dossier.id is not None
    linked = uow.session.scalar(
        select(dossier_documents_table.c.id).where(
            dossier_documents_table.c.dossier_id == dossier.id,
            dossier_documents_table.c.document_id == document_id,
            dossier_documents_table.c.role == "result",
        )
    )
    if linked is None:
        raise BadInput(f"Tài liệu {document_id} chưa được đính kèm làm kết quả của hồ sơ")
    doc = uow.session.get(Document, document_id)
    if doc is None or doc.status != DocumentStatus.DONE or not doc.pdf_sha256:
        raise Conflict(f"Tài liệu {document_id} chưa xử lý xong, chưa trình ký được")
    open_task = uow.session.scalars(
        select(SignatureTask).where(
            T.c.document_id == document_id,
            T.c.dossier_id == dossier.id,
            T.c.status.in_([TaskStatus.PENDING.value, TaskStatus.SIGNED.value]),
        )
    ).first()
    if open_task is not None:
        if open_task.status == TaskStatus.SIGNED:
            raise Conflict(f"Kết quả (tài liệu {document_id}) đã được ký")
        return open_task
    task = SignatureTask(
        document_id=document_id,
        dossier_id=dossier.id,
        kind=TaskKind.RESULT,
        requested_by=user_id,
        short_code=new_short_code(uow),
    )
    uow.session.add(task)
    uow.session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=now(),
            kind="sign_requested",
            user_id=user_id,
            note=f"Trình ký kết quả (tài liệu {document_id})",
        )
    )
    uow.session.flush()
    return task


def sync_digitised_tasks(uow: UnitOfWork, user_id: int) -> int:
    """A pending task, assigned to the clerk who uploaded it, for each finished document
    of the clerk's batches that has none and is not a dossier's result."""
    d, b, dd = documents_table, batches_table, dossier_documents_table
    has_task = exists().where(T.c.document_id == d.c.id, T.c.kind == TaskKind.DIGITISED.value)
    is_result = exists().where(dd.c.document_id == d.c.id, dd.c.role == "result")
    ids = uow.session.scalars(
        select(d.c.id)
        .join(b, b.c.id == d.c.batch_id)
        .where(
            b.c.created_by == user_id,
            d.c.status == DocumentStatus.DONE.value,
            d.c.pdf_sha256.is_not(None),
            ~has_task,
            ~is_result,
        )
    ).all()
    for doc_id in ids:
        uow.session.add(
            SignatureTask(document_id=doc_id, kind=TaskKind.DIGITISED, assignee_id=user_id)
        )
    uow.session.flush()
    return len(ids)


# -- reading queues -------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    task: SignatureTask
    document: Document
    dossier: Dossier | None
    batch: Batch | None


def _items(uow: UnitOfWork, tasks: list[SignatureTask]) -> list[QueueItem]:
    out = []
    for task in tasks:
        doc = uow.session.get(Document, task.document_id)
        assert doc is not None
        dossier = uow.session.get(Dossier, task.dossier_id) if task.dossier_id else None
        out.append(QueueItem(task, doc, dossier, uow.session.get(Batch, doc.batch_id)))
    return out


def inbox(uow: UnitOfWork) -> list[QueueItem]:
    """Results waiting for a leader's signature, oldest first, across dossiers."""
    sync_result_tasks(uow)
    tasks = uow.session.scalars(
        select(SignatureTask)
        .where(T.c.kind == TaskKind.RESULT.value, T.c.status == TaskStatus.PENDING.value)
        .order_by(T.c.created, T.c.id)
    ).all()
    return _items(uow, list(tasks))


def digitised_queue(uow: UnitOfWork, user_id: int, batch_id: int | None = None) -> list[QueueItem]:
    """Digitised copies waiting for this clerk's signature (optionally one batch); a
    document attached as a dossier's result since is the leader's to sign, not listed."""
    sync_digitised_tasks(uow, user_id)
    dd = dossier_documents_table
    is_result = exists().where(dd.c.document_id == T.c.document_id, dd.c.role == "result")
    query = (
        select(SignatureTask)
        .join(documents_table, documents_table.c.id == T.c.document_id)
        .where(
            T.c.kind == TaskKind.DIGITISED.value,
            T.c.status == TaskStatus.PENDING.value,
            T.c.assignee_id == user_id,
            ~is_result,
        )
        .order_by(T.c.id)
    )
    if batch_id is not None:
        query = query.where(documents_table.c.batch_id == batch_id)
    return _items(uow, list(uow.session.scalars(query).all()))


def tasks_of_dossier(uow: UnitOfWork, dossier_id: int) -> list[SignatureTask]:
    return list(
        uow.session.scalars(
            select(SignatureTask).where(T.c.dossier_id == dossier_id).order_by(T.c.id)
        )
    )


def by_short_code(uow: UnitOfWork, code: str) -> SignatureTask:
    task = uow.session.scalars(
        select(SignatureTask).where(
            T.c.short_code == code.strip().lower(), T.c.status == TaskStatus.SIGNED.value
        )
    ).first()
    if task is None or not task.signed_sha256:
        raise NotFound("Không tìm thấy văn bản đã ký với mã xác thực này")
    return task


def pending_task(uow: UnitOfWork, task_id: int, kind: TaskKind) -> SignatureTask:
    task = uow.session.get(SignatureTask, task_id)
    if task is None or task.kind != kind:
        raise NotFound(f"Không tìm thấy yêu cầu ký số {task_id}")
    if task.status != TaskStatus.PENDING:
        done = "đã được ký" if task.status == TaskStatus.SIGNED else "đã bị trả lại"
        raise Conflict(f"Yêu cầu ký số {task_id} {done}")
    return task


# -- decisions ------------------------------------------------------------------------


def record_signed(
    uow: UnitOfWork, task: SignatureTask, signed_sha256: str, *, user_id: int, at: datetime
) -> DossierEvent | None:
    """The signed bytes are stored: point the document at them and move the dossier on
    (to PROCESSED once every result is signed, when the workflow allows it). Returns the
    status event, if the dossier moved."""
    task.status = TaskStatus.SIGNED
    task.signed_sha256 = signed_sha256
    task.decided_by = user_id
    task.decided_at = at
    doc = uow.session.get(Document, task.document_id)
    assert doc is not None
    doc.signed_pdf_sha256 = signed_sha256
    doc.signed_at = at
    if task.dossier_id is None:
        return None
    dossier = uow.session.get(Dossier, task.dossier_id)
    assert dossier is not None
    uow.session.add(
        DossierEvent(
            dossier_id=task.dossier_id,
            at=at,
            kind="signed",
            user_id=user_id,
            note=f"Lãnh đạo ký số kết quả (tài liệu {task.document_id})",
        )
    )
    uow.session.flush()
    if not _all_results_signed(uow, task.dossier_id):
        return None
    if DossierStatus.PROCESSED not in TRANSITIONS[DossierStatus(dossier.status)]:
        return None
    event = transition(
        dossier,
        DossierStatus.PROCESSED,
        at=max(at, dossier.received_at),
        user_id=user_id,
        note="Đã ký số toàn bộ kết quả",
    )
    uow.session.add(event)
    return event


def _all_results_signed(uow: UnitOfWork, dossier_id: int) -> bool:
    dd = dossier_documents_table
    signed = exists().where(
        and_(
            T.c.document_id == dd.c.document_id,
            T.c.dossier_id == dd.c.dossier_id,
            T.c.status == TaskStatus.SIGNED.value,
        )
    )
    unsigned = uow.session.scalar(
        select(dd.c.id).where(dd.c.dossier_id == dossier_id, dd.c.role == "result", ~signed)
    )
    return unsigned is None


def reject(uow: UnitOfWork, task_id: int, note: str, *, user_id: int) -> SignatureTask:
    """The leader sends a result back to staff with a reason (shown in the dossier)."""
    note = note.strip()
    if not note:
        raise BadInput("Cần ghi lý do trả lại để cán bộ biết cần sửa gì")
    task = pending_task(uow, task_id, TaskKind.RESULT)
    task.status = TaskStatus.REJECTED
    task.note = note[:2000]
    task.decided_by = user_id
    task.decided_at = now()
    if task.dossier_id is not None:
        uow.session.add(
            DossierEvent(
                dossier_id=task.dossier_id,
                at=task.decided_at,
                kind="sign_rejected",
                user_id=user_id,
                note=f"Trả lại kết quả (tài liệu {task.document_id}): {task.note}",
                data={"document_id": task.document_id, "reason": task.note},
            )
        )
    uow.session.flush()
    return task


def dossier_code_of(uow: UnitOfWork, dossier_id: int | None) -> str | None:
    if dossier_id is None:
        return None
    return uow.session.scalar(
        select(dossiers_table.c.code).where(dossiers_table.c.id == dossier_id)
    )
