"""The procedures catalogue and the working-day calendar (admin edits)."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.deps import Admin, Box, User
from records.calendar_store import set_day
from records.catalogue_store import get_procedure, list_procedures, upsert_procedures
from records.errors import BadInput
from records.procedures import procedure_from_dict

router = APIRouter()


@router.get("/api/procedures")
def procedures(_user: User, box: Box) -> list[dict[str, Any]]:
    with box.uow() as uow:
        return [p.to_dict() for p in list_procedures(uow)]


@router.get("/api/procedures/{code}")
def procedure(code: str, _user: User, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        return get_procedure(uow, code).to_dict()


@router.post("/api/procedures/import")
async def import_procedures(request: Request, _admin: Admin, box: Box) -> dict[str, int]:
    """Body: YAML or JSON, ``{"procedures": [...]}`` or a list; replaces by code."""
    raw = await request.body()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        raise BadInput(f"Không đọc được danh mục: {e}") from e
    items = data.get("procedures", []) if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise BadInput("Danh mục phải có danh sách 'procedures'")
    procs = [procedure_from_dict(p) for p in items]
    with box.uow() as uow:
        n = upsert_procedures(uow, procs)
        uow.commit()
    return {"imported": n}


class DayIn(BaseModel):
    date: date
    kind: str  # off | work
    note: str = ""


@router.get("/api/calendar")
def calendar(_user: User, box: Box, year: int) -> dict[str, Any]:
    with box.uow() as uow:
        cal = box.calendar(uow)
    days = []
    d = date(year, 1, 1)
    while d.year == year:
        weekend = d.weekday() >= 5
        working = cal.is_working_day(d)
        if working == weekend or (not working and not weekend):
            days.append({"date": d.isoformat(), "working": working, "name": cal.holiday_name(d)})
        d = date.fromordinal(d.toordinal() + 1)
    return {"year": year, "exceptions": days}


@router.post("/api/calendar/days", status_code=201)
def add_day(body: DayIn, _admin: Admin, box: Box) -> dict[str, str]:
    with box.uow() as uow:
        set_day(uow, body.date, body.kind, body.note)
        uow.commit()
    return {"date": body.date.isoformat(), "kind": body.kind}
