"""Request-scoped dependencies: the container, the caller's identity, role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from hoso.bootstrap import Container
from records.errors import Forbidden, Unauthorized
from records.model import Role
from records.users import Identity, identify

COOKIE = "hoso_token"


def get_container(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def current_user(
    request: Request, container: Annotated[Container, Depends(get_container)]
) -> Identity:
    token = token_of(request)
    if not token:
        raise Unauthorized("Cần đăng nhập (thiếu mã truy cập)")
    with container.uow() as uow:
        return identify(uow, token)


User = Annotated[Identity, Depends(current_user)]


def require(*roles: Role) -> Callable[[Identity], Identity]:
    allowed = set(roles) | {Role.ADMIN}

    def check(user: User) -> Identity:
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"Vai trò '{user.role}' không được làm việc này (cần: {names})")
        return user

    return check


Clerk = Annotated[Identity, Depends(require(Role.CLERK))]
Searcher = Annotated[Identity, Depends(require(Role.STAFF, Role.LEADER))]
Admin = Annotated[Identity, Depends(require())]
Box = Annotated[Container, Depends(get_container)]
