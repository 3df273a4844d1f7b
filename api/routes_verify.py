"""Anyone may check a signed result: upload the PDF, get each signature's verdict in
plain Vietnamese. Trusted roots come from HOSO_TRUST_ROOTS; rate-limited like lookups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asn1crypto import x509
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from api.deps import Box
from records.errors import BadInput, FileTooLarge
from signing import verify_pdf
from signing.roots import load_roots

router = APIRouter()
MAX_BYTES = 50 * 1024 * 1024
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def trust_roots(paths: list[Path]) -> list[x509.Certificate]:
    return load_roots(paths)


async def read_pdf(request: Request) -> bytes:
    """The request body, a PDF of at most 50 MB (rate-limited per client)."""
    request.app.state.limiter.check(request.client.host if request.client else "?")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BYTES:
            raise FileTooLarge("Tệp quá lớn để xác thực (tối đa 50 MB)")
    if not data.startswith(b"%PDF-"):
        raise BadInput("Hãy gửi tệp PDF đã ký số")
    return bytes(data)


@router.post("/api/verify")
async def verify(request: Request, box: Box) -> dict[str, Any]:
    """Body: the PDF itself (``Content-Type: application/pdf``)."""
    data = await read_pdf(request)
    roots = trust_roots(box.settings.trust_roots)
    reports = await run_in_threadpool(lambda: verify_pdf(bytes(data), trust_roots=roots))
    if not reports:
        raise BadInput("Tệp PDF này không có chữ ký số nào")
    return {"signatures": [r.to_json() for r in reports]}


@router.get("/xac-thuc", include_in_schema=False)
def verify_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "verify.html", {"user": None})
