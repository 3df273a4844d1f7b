"""Users, passwords (Argon2id) and API tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from records.errors import BadInput, Conflict, Unauthorized
from records.model import ApiToken, Role, User
from records.sql import UnitOfWork, api_tokens_table, users_table

_hasher = PasswordHasher()
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Identity:
    id: int
    name: str
    role: Role


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(uow: UnitOfWork, name: str, role: str, password: str | None) -> User:
    name = name.strip()
    if not name or len(name) > 100:
        raise BadInput("Tên người dùng phải có từ 1 đến 100 ký tự")
    try:
        role_value = Role(role)
    except ValueError as e:
        roles = ", ".join(r.value for r in Role)
        raise BadInput(f"Vai trò '{role}' không hợp lệ (chọn một trong: {roles})") from e
    if password is not None and len(password) < MIN_PASSWORD:
        raise BadInput(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự")
    if uow.session.scalar(select(User).where(users_table.c.name == name)) is not None:
        raise Conflict(f"Người dùng '{name}' đã tồn tại")
    user = User(
        name=name, role=role_value, password_hash=_hasher.hash(password) if password else None
    )
    uow.session.add(user)
    uow.session.flush()
    return user


def issue_token(uow: UnitOfWork, user: User, label: str = "") -> str:
    token = "hoso_" + secrets.token_urlsafe(32)
    assert user.id is not None
    uow.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:100]))
    uow.session.flush()
    return token


def login(uow: UnitOfWork, name: str, password: str) -> User:
    user = uow.session.scalar(select(User).where(users_table.c.name == name.strip()))
    failure = Unauthorized("Sai tên đăng nhập hoặc mật khẩu")
    if user is None or not user.password_hash:
        _hasher.hash(password)  # same time whether or not the user exists
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as e:
        raise failure from e
    return user


def identify(uow: UnitOfWork, token: str) -> Identity:
    row = uow.session.execute(
        select(User)
        .join(ApiToken, api_tokens_table.c.user_id == users_table.c.id)
        .where(api_tokens_table.c.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if row is None:
        raise Unauthorized("Mã truy cập không hợp lệ hoặc đã bị thu hồi")
    assert row.id is not None
    return Identity(row.id, row.name, row.role)


def revoke(uow: UnitOfWork, token: str) -> None:
    for t in uow.session.scalars(
        select(ApiToken).where(api_tokens_table.c.token_hash == _token_hash(token))
    ):
        uow.session.delete(t)


def ensure_user(uow: UnitOfWork, name: str, role: Role) -> User:
    """The user the local CLI acts as (created on first use, no password)."""
    user = uow.session.scalar(select(User).where(users_table.c.name == name))
    if user is None:
        user = User(name=name, role=role)
        uow.session.add(user)
        uow.session.flush()
    return user


def list_users(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).order_by(users_table.c.name)))
