"""Form II.06a from the records: dossier snapshots in, the official figures out."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from hoso.bootstrap import Container
from records.dossiers import WITHDRAWN_LIKE, DossierFacts, DossierStatus
from records.errors import BadInput
from records.sql import dossiers_table, procedures_table
from records.statistics import Report, compute

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def period(first: date, last: date) -> tuple[datetime, datetime]:
    """Whole local days: [first 00:00, day after last 00:00) in Vietnam time."""
    if last < first:
        raise BadInput("Ngày kết thúc phải sau ngày bắt đầu")
    return (
        datetime.combine(first, time.min, VN),
        datetime.combine(last + timedelta(days=1), time.min, VN),
    )


def facts(
    box: Container, start: datetime, end: datetime, procedure: str | None
) -> list[DossierFacts]:
    d, p = dossiers_table, procedures_table
    query = (
        select(d, p.c.field)
        .join(p, p.c.code == d.c.procedure_code)
        .where(
            d.c.received_at < end,
            or_(d.c.resolved_at.is_(None), d.c.resolved_at >= start),
            or_(d.c.ended_at.is_(None), d.c.ended_at >= start),
        )
    )
    if procedure:
        query = query.where(d.c.procedure_code == procedure)
    with box.uow() as uow:
        rows = uow.session.execute(query).all()
    out = []
    for r in rows:
        status = DossierStatus(r.status)
        out.append(
            DossierFacts(
                code=r.code,
                procedure_code=r.procedure_code,
                field=r.field,
                channel=r.channel,
                received_at=r.received_at,
                appointment_at=r.appointment_at,
                resolved_at=r.resolved_at,
                ended_at=r.ended_at,
                ended_as=status if status in WITHDRAWN_LIKE else None,
                rating=r.rating,
            )
        )
    return out


def period_report(box: Container, first: date, last: date, procedure: str | None = None) -> Report:
    start, end = period(first, last)
    # A period reaching into the future is judged as of now: what is still open today is
    # overdue only if its appointment has already passed.
    end = max(start + timedelta(microseconds=1), min(end, datetime.now(VN)))
    return compute(facts(box, start, end, procedure), start, end)
