"""Web pages for dossiers (Vietnamese): reception, list, one dossier, statistics and the
public status lookup. Like api/web.py, pages are thin: they load data from the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import Box, User
from api.web import _page
from records.catalogue_store import list_procedures

router = APIRouter(include_in_schema=False)


@router.get("/tiep-nhan")
def reception_page(request: Request, user: User) -> HTMLResponse:
    return _page(request, "reception.html", user)


@router.get("/ho-so")
def dossier_list_page(request: Request, user: User) -> HTMLResponse:
    return _page(request, "dossiers.html", user)


@router.get("/ho-so/{code}")
@router.get("/dossiers/{code}")
def dossier_page(request: Request, code: str, user: User) -> HTMLResponse:
    return _page(request, "dossier.html", user, code=code)


@router.get("/thong-ke")
def statistics_page(request: Request, user: User) -> HTMLResponse:
    return _page(request, "statistics.html", user)


@router.get("/cong-dan")
@router.get("/cong-dan/{id_number}")
def citizen_page(request: Request, user: User, id_number: str = "") -> HTMLResponse:
    """Everything the centre holds about one citizen (by the 12-digit ID): dossiers,
    digitised documents, results. Data from GET /api/citizens/{id}, which checks the ID."""
    return _page(request, "citizen.html", user, id_number=id_number.strip())


@router.get("/soat-xet")
def review_page(request: Request, user: User) -> HTMLResponse:
    """Documents the classifier was unsure about; admins retrain or roll back."""
    return _page(request, "review.html", user)


@router.get("/tra-cuu")
def lookup_page(request: Request, box: Box) -> HTMLResponse:
    """Public (kiosk, the receipt's QR link): no login, never looks at who is asking.
    Procedure names are public information; the lookup API only gives the code."""
    with box.uow() as uow:
        names = {p.code: p.name for p in list_procedures(uow)}
    return _page(request, "lookup.html", None, procedure_names=names)
