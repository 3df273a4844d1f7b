"""The page a result's QR code opens: ``/v/<short code>``. No login.

It shows the verification report of the signed document hoso keeps (signer, time,
intact, trusted), offers that document for download, and lets anyone upload the copy
they were given to check it: a copy that differs from the kept one, or whose signature
is broken, is clearly called not valid.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from api.deps import Box
from api.routes_verify import read_pdf, trust_roots
from records.signing_queue import by_short_code, dossier_code_of
from signing import SignatureReport, verify_pdf

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

_reports: dict[str, list[SignatureReport]] = {}  # signed objects never change: cache
_lock = threading.Lock()


def _stored(box: Box, code: str) -> tuple[str, dict[str, Any]]:
    with box.uow() as uow:
        task = by_short_code(uow, code)
        assert task.signed_sha256 is not None
        info = {
            "code": code,
            "dossier_code": dossier_code_of(uow, task.dossier_id),
            "signed_at": task.decided_at.isoformat() if task.decided_at else None,
            "pdf_url": f"/api/public/signed/{code}/pdf",
        }
        return task.signed_sha256, info


def _reports_of(box: Box, key: str, data: bytes | None = None) -> list[SignatureReport]:
    with _lock:
        cached = _reports.get(key)
    if cached is not None:
        return cached
    roots = trust_roots(box.settings.trust_roots)
    reports = verify_pdf(data or box.store.get_bytes(key), trust_roots=roots)
    with _lock:
        if len(_reports) > 1000:
            _reports.clear()
        _reports[key] = reports
    return reports


def _valid(reports: list[SignatureReport]) -> bool:
    return bool(reports) and all(r.intact and r.trusted and not r.modified_after for r in reports)


@router.get("/api/public/signed/{code}")
async def signed_report(code: str, request: Request, box: Box) -> dict[str, Any]:
    request.app.state.limiter.check(request.client.host if request.client else "?")
    key, info = _stored(box, code)
    reports = await run_in_threadpool(_reports_of, box, key)
    return {**info, "valid": _valid(reports), "signatures": [r.to_json() for r in reports]}


@router.get("/api/public/signed/{code}/pdf")
def signed_document(code: str, request: Request, box: Box) -> Response:
    request.app.state.limiter.check(request.client.host if request.client else "?")
    key, _ = _stored(box, code)
    return Response(
        box.store.get_bytes(key),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="van-ban-{code}.pdf"'},
    )


@router.post("/api/public/signed/{code}/check")
async def check_copy(code: str, request: Request, box: Box) -> dict[str, Any]:
    """Body: the PDF to check (``Content-Type: application/pdf``)."""
    data = await read_pdf(request)
    key, info = _stored(box, code)
    same = hashlib.sha256(data).hexdigest() == key
    if same:
        reports = await run_in_threadpool(_reports_of, box, key, data)
    else:
        roots = trust_roots(box.settings.trust_roots)
        reports = await run_in_threadpool(lambda: verify_pdf(data, trust_roots=roots))
    valid = same and _valid(reports)
    if valid:
        verdict = "Văn bản HỢP LỆ: trùng khớp với bản đã ký số đang lưu, chữ ký còn nguyên vẹn."
    elif not reports:
        verdict = "Văn bản KHÔNG HỢP LỆ: tệp này không có chữ ký số."
    elif not all(r.intact for r in reports):
        verdict = "Văn bản KHÔNG HỢP LỆ: nội dung đã bị thay đổi sau khi ký."
    else:
        verdict = "Văn bản KHÔNG HỢP LỆ với mã này: tệp không trùng khớp với bản đã ký số đang lưu."
    return {
        **info,
        "same_as_stored": same,
        "valid": valid,
        "verdict_vi": verdict,
        "signatures": [r.to_json() for r in reports],
    }


@router.get("/v/{code}", include_in_schema=False)
def verify_code_page(code: str, request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "verify_code.html", {"user": None, "code": code.strip().lower()[:16]}
    )
