"""Web pages (Vietnamese). Pages are thin: they load data from the JSON API with fetch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import COOKIE, Box, User, token_of
from records.errors import Unauthorized
from records.model import Role
from records.users import issue_token, login, revoke

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _page(
    request: Request, template: str, user: Any, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, {"user": user, **context}, status_code=status_code
    )


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", None, next=_safe_next(next), error=None, login_name="")


@router.post("/login")
def login_submit(
    request: Request,
    box: Box,
    name: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    try:
        with box.uow() as uow:
            user = login(uow, name, password)
            token = issue_token(uow, user, "web")
            uow.commit()
    except Unauthorized as e:
        return _page(
            request,
            "login.html",
            None,
            status_code=401,
            next=_safe_next(next),
            error=e.message,
            login_name=name,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/logout")
def logout(request: Request, box: Box) -> Response:
    token = token_of(request)
    if token:
        with box.uow() as uow:
            revoke(uow, token)
            uow.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def home(user: User) -> Response:
    return RedirectResponse("/upload" if user.role == Role.CLERK else "/search", status_code=303)


@router.get("/upload")
def upload_page(request: Request, user: User) -> HTMLResponse:
    return _page(request, "upload.html", user)


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: int, user: User) -> HTMLResponse:
    return _page(request, "batch.html", user, batch_id=batch_id)


@router.get("/documents/{doc_id}")
def document_page(request: Request, doc_id: int, user: User) -> HTMLResponse:
    return _page(request, "document.html", user, doc_id=doc_id)


@router.get("/search")
def search_page(request: Request, user: User) -> HTMLResponse:
    return _page(request, "search.html", user)
