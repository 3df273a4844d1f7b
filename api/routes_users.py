"""Log in/out and user management (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from api.deps import COOKIE, Admin, Box, User, token_of
from records.users import create_user, issue_token, list_users, login, revoke

router = APIRouter()


class Credentials(BaseModel):
    name: str
    password: str


class NewUser(BaseModel):
    name: str
    role: str
    password: str | None = None


@router.post("/api/login")
def api_login(body: Credentials, box: Box, response: Response) -> dict[str, Any]:
    with box.uow() as uow:
        user = login(uow, body.name, body.password)
        token = issue_token(uow, user, "web")
        uow.commit()
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
    return {"name": user.name, "role": str(user.role), "token": token}


@router.post("/api/logout")
def api_logout(request: Request, box: Box, response: Response) -> dict[str, str]:
    token = token_of(request)
    if token:
        with box.uow() as uow:
            revoke(uow, token)
            uow.commit()
    response.delete_cookie(COOKIE)
    return {"status": "ok"}


@router.get("/api/me")
def me(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "role": str(user.role)}


@router.post("/api/users", status_code=201)
def add_user(body: NewUser, _admin: Admin, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        user = create_user(uow, body.name, body.role, body.password)
        token = issue_token(uow, user, "created")
        uow.commit()
    return {"name": user.name, "role": str(user.role), "token": token}


@router.get("/api/users")
def users(_admin: Admin, box: Box) -> list[dict[str, Any]]:
    with box.uow() as uow:
        return [
            {"id": u.id, "name": u.name, "role": str(u.role), "created": u.created.isoformat()}
            for u in list_users(uow)
        ]
