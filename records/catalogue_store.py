"""The procedures catalogue in the database (seeded from the shipped YAML, editable)."""

from __future__ import annotations

from sqlalchemy import func, select

from records.errors import NotFound
from records.model import now
from records.procedures import Procedure, load_catalogue, procedure_from_dict
from records.sql import UnitOfWork, procedures_table


def upsert_procedures(uow: UnitOfWork, procedures: list[Procedure]) -> int:
    """Insert or replace procedures by code; returns how many were written."""
    t = procedures_table
    for p in procedures:
        row = {"name": p.name, "field": p.field, "data": p.to_dict(), "updated": now()}
        exists = uow.session.execute(select(t.c.code).where(t.c.code == p.code)).first()
        if exists:
            uow.session.execute(t.update().where(t.c.code == p.code).values(**row))
        else:
            uow.session.execute(t.insert().values(code=p.code, **row))
    return len(procedures)


def seed_procedures(uow: UnitOfWork) -> int:
    """Load the shipped sample catalogue into an empty table (first start)."""
    count = uow.session.execute(select(func.count()).select_from(procedures_table)).scalar_one()
    if count:
        return 0
    return upsert_procedures(uow, load_catalogue())


def list_procedures(uow: UnitOfWork) -> list[Procedure]:
    rows = uow.session.execute(
        select(procedures_table.c.data).order_by(procedures_table.c.field, procedures_table.c.code)
    )
    return [procedure_from_dict(r.data) for r in rows]


def get_procedure(uow: UnitOfWork, code: str) -> Procedure:
    row = uow.session.execute(
        select(procedures_table.c.data).where(procedures_table.c.code == code)
    ).first()
    if row is None:
        raise NotFound(f"Không có thủ tục mã '{code}' trong danh mục")
    return procedure_from_dict(row.data)
