"""Web pages for signatures (Vietnamese): the leader's inbox, the clerk's digitised copies
to sign, and one's own signing key. Thin pages: data comes from the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import User
from api.web import _page

router = APIRouter(include_in_schema=False)


@router.get("/ky-duyet")
def inbox_page(request: Request, user: User) -> HTMLResponse:
    """Results waiting for a leader's signature."""
    return _page(request, "signing_queue.html", user, mode="result")


@router.get("/ky-ban-so-hoa")
def digitised_page(request: Request, user: User) -> HTMLResponse:
    """Digitised copies waiting for the scanning clerk's signature."""
    return _page(request, "signing_queue.html", user, mode="digitised")


@router.get("/khoa-ky-so")
def key_page(request: Request, user: User) -> HTMLResponse:
    return _page(request, "signing_key.html", user)
