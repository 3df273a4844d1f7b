"""Calendar edits kept in the database (days off and make-up working days an admin adds),
merged over the shipped calendar data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from records.calendar import CalendarData, WorkingCalendar, load_calendar_data
from records.errors import BadInput
from records.sql import UnitOfWork, calendar_days_table

KINDS = {"off": "ngày nghỉ", "work": "ngày làm việc bù"}


def edits(uow: UnitOfWork) -> CalendarData:
    rows = uow.session.execute(select(calendar_days_table)).all()
    return CalendarData(
        days_off={r.day: r.note for r in rows if r.kind == "off"},
        workdays={r.day: r.note for r in rows if r.kind == "work"},
    )


def working_calendar(uow: UnitOfWork) -> WorkingCalendar:
    return WorkingCalendar(load_calendar_data().merged(edits(uow)))


def set_day(uow: UnitOfWork, day: date, kind: str, note: str = "") -> None:
    if kind not in KINDS:
        raise BadInput("Loại ngày phải là 'off' (ngày nghỉ) hoặc 'work' (ngày làm việc bù)")
    t = calendar_days_table
    uow.session.execute(t.delete().where(t.c.day == day))
    uow.session.execute(t.insert().values(day=day, kind=kind, note=note.strip()[:300]))
