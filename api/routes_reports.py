"""Form II.06a statistics: JSON, CSV and XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import Box, User
from hoso.reports import period_report
from records.catalogue_store import list_procedures
from records.errors import BadInput
from records.export import to_csv, to_xlsx

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise BadInput(f"{name} '{value}' không hợp lệ (dạng YYYY-MM-DD)") from e


@router.get("/api/reports/ii06a", response_model=None)
def ii06a(
    _user: User,
    box: Box,
    date_from: str,
    date_to: str,
    procedure: str | None = None,
    format: str = "json",
) -> dict[str, Any] | Response:
    first, last = _day(date_from, "Từ ngày"), _day(date_to, "Đến ngày")
    report = period_report(box, first, last, procedure or None)
    if format == "json":
        return {"from": first.isoformat(), "to": last.isoformat(), **report.to_dict()}
    with box.uow() as uow:
        names = {p.code: p.name for p in list_procedures(uow)}
    stem = f"bao-cao-II06a-{first:%Y%m%d}-{last:%Y%m%d}"
    if format == "csv":
        return Response(
            to_csv(report, names).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    if format == "xlsx":
        return Response(
            to_xlsx(report, names),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    raise BadInput("Định dạng phải là json, csv hoặc xlsx")
