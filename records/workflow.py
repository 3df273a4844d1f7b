"""What happens to a dossier after reception: status changes with history, deadline
extensions (Form 04), documents attached, the citizen's lookup and rating."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from records.catalogue_store import get_procedure
from records.dossiers import (
    STATUS_VI,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStatus,
    transition,
)
from records.errors import BadInput, Conflict, NotFound
from records.model import Document, now
from records.reception import find
from records.sql import (
    UnitOfWork,
    documents_table,
    dossier_documents_table,
    dossier_events_table,
)

RATINGS = {
    "very_satisfied": "Rất hài lòng",
    "satisfied": "Hài lòng",
    "not_satisfied": "Không hài lòng",
}

Uows = Callable[[], UnitOfWork]


def _at(at: datetime | None) -> datetime:
    at = at or now()
    if at.tzinfo is None:
        raise BadInput("Thời điểm phải có múi giờ (ví dụ 2026-03-02T09:00+07:00)")
    return at


def set_status(
    uows: Uows,
    code: str,
    status: str,
    *,
    user_id: int | None,
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    try:
        target = DossierStatus(status)
    except ValueError as e:
        names = ", ".join(s.value for s in DossierStatus)
        raise BadInput(f"Trạng thái '{status}' không hợp lệ (chọn: {names})") from e
    with uows() as uow:
        dossier = find(uow, code)
        uow.session.add(transition(dossier, target, at=_at(at), user_id=user_id, note=note))
        uow.commit()
        return dossier


def extend(
    uows: Uows,
    code: str,
    new_appointment: datetime,
    *,
    reason: str,
    user_id: int | None,
    at: datetime | None = None,
) -> tuple[Dossier, datetime]:
    """Set a later appointment (Form 04: apology and new date). Returns the old one."""
    if not reason.strip():
        raise BadInput("Cần ghi lý do gia hạn (sẽ in trên Phiếu xin lỗi và hẹn lại)")
    new_appointment = _at(new_appointment)
    with uows() as uow:
        dossier = find(uow, code)
        if dossier.status not in (
            DossierStatus.RECEIVED,
            DossierStatus.PROCESSING,
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.FINANCIAL_OBLIGATION,
        ):
            raise Conflict(f"Hồ sơ {code} đã kết thúc, không gia hạn được")
        old = dossier.appointment_at
        if new_appointment <= old:
            raise BadInput("Ngày hẹn mới phải sau ngày hẹn cũ")
        dossier.appointment_at = new_appointment
        assert dossier.id is not None
        uow.session.add(
            DossierEvent(
                dossier_id=dossier.id,
                at=_at(at),
                kind="extended",
                user_id=user_id,
                note=reason.strip(),
                data={
                    "reason": reason.strip(),
                    "old": old.isoformat(),
                    "new": new_appointment.isoformat(),
                },
            )
        )
        uow.commit()
        return dossier, old


def attach(
    uows: Uows, code: str, document_id: int, *, role: str, reused: bool, user_id: int | None
) -> DossierDocument:
    if role not in ("submitted", "result"):
        raise BadInput("Vai trò tài liệu phải là 'submitted' (thành phần hồ sơ) hoặc 'result'")
    with uows() as uow:
        dossier = find(uow, code)
        if uow.session.get(Document, document_id) is None:
            raise NotFound(f"Không tìm thấy tài liệu số {document_id}")
        assert dossier.id is not None
        existing = uow.session.scalars(
            select(DossierDocument).where(
                dossier_documents_table.c.dossier_id == dossier.id,
                dossier_documents_table.c.document_id == document_id,
                dossier_documents_table.c.role == role,
            )
        ).first()
        if existing is not None:
            return existing  # attaching twice changes nothing
        link = DossierDocument(
            dossier_id=dossier.id,
            document_id=document_id,
            role=role,
            reused=reused,
            attached_at=now(),
        )
        uow.session.add(link)
        uow.session.add(
            DossierEvent(
                dossier_id=dossier.id,
                at=now(),
                kind="attached",
                user_id=user_id,
                note=f"Tài liệu {document_id} ({'kết quả' if role == 'result' else 'thành phần'}"
                f"{', dùng lại' if reused else ''})",
            )
        )
        uow.commit()
        return link


def attach_to_dossier(uows: Uows, code: str, document_id: int) -> bool:
    """A cover sheet named this dossier: attach the document now, or return False when the
    dossier is not received yet (the document then waits, see ``attach_waiting``)."""
    try:
        attach(uows, code, document_id, role="submitted", reused=False, user_id=None)
    except NotFound:
        return False
    return True


def attach_waiting(uows: Uows, code: str) -> list[int]:
    """At reception: attach the documents scanned earlier behind this dossier's cover."""
    d = documents_table
    with uows() as uow:
        ids = list(
            uow.session.scalars(
                select(d.c.id).where(d.c.dossier_code == code, d.c.status == "done")
            )
        )
    for doc_id in ids:
        attach(uows, code, doc_id, role="submitted", reused=False, user_id=None)
    return ids


def history(uow: UnitOfWork, dossier: Dossier) -> list[DossierEvent]:
    return list(
        uow.session.scalars(
            select(DossierEvent)
            .where(dossier_events_table.c.dossier_id == dossier.id)
            .order_by(dossier_events_table.c.at, dossier_events_table.c.id)
        )
    )


def documents_of(uow: UnitOfWork, dossier: Dossier) -> list[DossierDocument]:
    return list(
        uow.session.scalars(
            select(DossierDocument)
            .where(dossier_documents_table.c.dossier_id == dossier.id)
            .order_by(dossier_documents_table.c.id)
        )
    )


def missing_items(note: str) -> list[str]:
    """A supplement request's note lists what is missing, one item per line."""
    return [line.strip("-•* ").strip() for line in note.splitlines() if line.strip("-•* ").strip()]


def check_key(dossier: Dossier, key: str) -> None:
    """The check value printed on the receipt; without it a code reveals nothing."""
    if not hmac.compare_digest(dossier.lookup_key.encode(), key.strip().upper().encode()):
        raise NotFound("Không tìm thấy hồ sơ với mã và mã tra cứu này")


@dataclass(frozen=True)
class PublicView:
    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_vi: str
    received_at: datetime
    appointment_at: datetime
    returned_at: datetime | None
    can_rate: bool
    rating: str | None
    missing: tuple[str, ...] = ()  # what the citizen must add, while a supplement is requested

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "status": self.status,
            "status_vi": self.status_vi,
            "received_at": self.received_at.isoformat(),
            "appointment_at": self.appointment_at.isoformat(),
            "returned_at": self.returned_at.isoformat() if self.returned_at else None,
            "can_rate": self.can_rate,
            "rating": self.rating,
            "missing": list(self.missing),
        }


def lookup(uows: Uows, code: str, key: str) -> PublicView:
    """What a citizen may see: only what the receipt already shows, plus progress."""
    with uows() as uow:
        try:
            dossier = find(uow, code)
        except NotFound as e:
            raise NotFound("Không tìm thấy hồ sơ với mã và mã tra cứu này") from e
        check_key(dossier, key)
        status = DossierStatus(dossier.status)
        missing: tuple[str, ...] = ()
        if status == DossierStatus.SUPPLEMENT_REQUESTED:
            last = [e for e in history(uow, dossier) if e.status_to == status.value]
            missing = tuple(missing_items(last[-1].note)) if last else ()
        return PublicView(
            code=dossier.code,
            procedure_code=dossier.procedure_code,
            procedure_name=get_procedure(uow, dossier.procedure_code).name,
            status=status.value,
            status_vi=STATUS_VI[status],
            received_at=dossier.received_at,
            appointment_at=dossier.appointment_at,
            returned_at=dossier.returned_at,
            can_rate=status == DossierStatus.RETURNED and dossier.rating is None,
            rating=dossier.rating,
            missing=missing,
        )


def rate(uows: Uows, code: str, key: str, rating: str) -> None:
    if rating not in RATINGS:
        raise BadInput(f"Mức đánh giá không hợp lệ (chọn: {', '.join(RATINGS)})")
    with uows() as uow:
        dossier = find(uow, code)
        check_key(dossier, key)
        if dossier.status != DossierStatus.RETURNED:
            raise Conflict("Chỉ đánh giá được sau khi đã nhận kết quả")
        if dossier.rating is not None:
            raise Conflict("Hồ sơ này đã được đánh giá")
        dossier.rating = rating
        dossier.rated_at = now()
        assert dossier.id is not None
        uow.session.add(
            DossierEvent(dossier_id=dossier.id, at=now(), kind="rated", note=RATINGS[rating])
        )
        uow.commit()
