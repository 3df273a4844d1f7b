"""Receiving a dossier (tiếp nhận hồ sơ): validated applicant, official code, appointment.

The dossier code is ``<unit code>-<YYMMDD>-<NNNN>`` (Circular 01/2018/TT-VPCP Art. 19),
with a per-unit, per-day counter. The counter row is incremented by an upsert in the
same transaction that inserts the dossier, so the sequence has no gap (a rolled-back
reception rolls its number back) and no duplicate (the row lock — or SQLite's single
writer — serialises concurrent receptions).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from records.calendar import WorkingCalendar
from records.catalogue_store import get_procedure
from records.dossiers import Channel, Dossier, DossierEvent
from records.errors import BadInput, NotFound
from records.identity import validate_cccd
from records.model import now
from records.procedures import COPIES, Procedure
from records.sql import UnitOfWork, dossier_counters_table, dossiers_table

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHANNEL_VI = {
    Channel.DIRECT: "trực tiếp",
    Channel.ONLINE: "trực tuyến",
    Channel.POSTAL: "bưu chính",
}
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed at a kiosk
KEY_LENGTH = 8


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ReceptionRequest:
    procedure_code: str
    applicant: Person
    channel: Channel
    received_at: datetime | None = None  # default: now
    authorised: Person | None = None
    #: documents handed in, as ticked at the counter; None → the procedure's mandatory list
    documents: list[ReceivedItem] | None = None


@dataclass(frozen=True)
class ReceivedItem:
    name: str
    copies: str = "original"  # original | copy | certified_copy | original_or_copy
    count: int = 1
    type: str = ""


def next_code(uow: UnitOfWork, unit_code: str, day: date) -> str:
    t = dossier_counters_table
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(t)
        .values(unit_code=unit_code, day=day, last=1)
        .on_conflict_do_update(index_elements=[t.c.unit_code, t.c.day], set_={"last": t.c.last + 1})
        .returning(t.c.last)
    )
    number = uow.session.execute(stmt).scalar_one()
    return f"{unit_code}-{day:%y%m%d}-{number:04d}"


def appointment_for(
    calendar: WorkingCalendar, procedure: Procedure, received: datetime
) -> datetime:
    if procedure.same_day:
        return calendar.appointment(received, same_day=True)
    if procedure.working_days is not None:
        return calendar.appointment(received, working_days=procedure.working_days)
    return calendar.appointment(received, hours=procedure.hours)


def _received_items(procedure: Procedure, given: list[ReceivedItem] | None) -> list[dict[str, Any]]:
    if given is None:
        given = [
            ReceivedItem(d.name, d.copies, 1, d.type) for d in procedure.documents if d.mandatory
        ]
    out = []
    for item in given:
        if item.copies not in COPIES:
            raise BadInput(f"Loại bản '{item.copies}' không hợp lệ ({', '.join(COPIES)})")
        if not item.name.strip() or not 1 <= item.count <= 999:
            raise BadInput("Mỗi giấy tờ nhận cần có tên và số lượng từ 1 đến 999")
        out.append(
            {
                "type": item.type,
                "name": item.name.strip(),
                "copies": item.copies,
                "count": item.count,
            }
        )
    return out


def _person(p: Person, role: str) -> Person:
    name = " ".join(p.name.split())
    if not name:
        raise BadInput(f"Thiếu họ tên {role}")
    return Person(name, validate_cccd(p.id_number), p.address.strip(), p.phone.strip())


def receive(
    uow_factory: Callable[[], UnitOfWork],
    calendar: Callable[[UnitOfWork], WorkingCalendar],
    unit_code: str,
    request: ReceptionRequest,
    user_id: int | None,
) -> Dossier:
    applicant = _person(request.applicant, "người nộp hồ sơ")
    authorised = _person(request.authorised, "người được ủy quyền") if request.authorised else None
    received = request.received_at or now()
    if received.tzinfo is None:
        raise BadInput("Thời điểm tiếp nhận phải có múi giờ (ví dụ 2026-03-02T09:00+07:00)")
    with uow_factory() as uow:
        procedure = get_procedure(uow, request.procedure_code)
        appointment = appointment_for(calendar(uow), procedure, received)
    items = _received_items(procedure, request.documents)
    with uow_factory() as uow:
        # The counter upsert is the transaction's first write: it takes the lock.
        code = next_code(uow, unit_code, received.astimezone(VN).date())
        dossier = Dossier(
            code=code,
            procedure_code=procedure.code,
            channel=Channel(request.channel),
            applicant_name=applicant.name,
            applicant_id=applicant.id_number,
            applicant_address=applicant.address,
            applicant_phone=applicant.phone,
            authorised_name=authorised.name if authorised else None,
            authorised_id=authorised.id_number if authorised else None,
            received_at=received,
            appointment_at=appointment,
            lookup_key="".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH)),
            received_by=user_id,
            received_documents=items,
        )
        uow.session.add(dossier)
        uow.session.flush()
        assert dossier.id is not None
        uow.session.add(
            DossierEvent(
                dossier_id=dossier.id,
                at=received,
                kind="received",
                status_to="received",
                user_id=user_id,
                note=f"Tiếp nhận qua kênh {CHANNEL_VI[Channel(request.channel)]}",
            )
        )
        uow.commit()
        return dossier


def find(uow: UnitOfWork, code: str) -> Dossier:
    dossier = uow.session.scalars(
        select(Dossier).where(dossiers_table.c.code == code.strip())
    ).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã '{code}'")
    return dossier
