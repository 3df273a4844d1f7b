"""Users, passwords and API tokens on a real (SQLite) database built by the migrations."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

import records.users
from records.errors import BadInput, Conflict, Unauthorized
from records.migrate import upgrade
from records.model import ApiToken, Role, User
from records.sql import UnitOfWork, make_engine, session_factory
from records.users import (
    MIN_PASSWORD,
    create_user,
    ensure_user,
    identify,
    issue_token,
    list_users,
    login,
    revoke,
)

PASSWORD = "mat-khau-dai-du"
REAL_HASHER = records.users._hasher


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id still, with test-sized costs (the real ones take ~0.1 s a hash)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(records.users, "_hasher", cheap)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy (alembic costs more than a file copy)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Iterator[UnitOfWork]:
    path = tmp_path / "hoso.sqlite"
    path.write_bytes(template_db.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    yield UnitOfWork(session_factory(engine))
    engine.dispose()


def add(db: UnitOfWork, name: str, role: str = "clerk", password: str | None = PASSWORD) -> User:
    with db:
        user = create_user(db, name, role, password)
        db.commit()
    return user


def test_create_user(db: UnitOfWork) -> None:
    user = add(db, "  Nguyễn Thị Lan  ", "staff")
    assert user.id is not None
    assert user.name == "Nguyễn Thị Lan"
    assert user.role is Role.STAFF
    with db:
        assert [(u.name, u.role) for u in list_users(db)] == [("Nguyễn Thị Lan", Role.STAFF)]


@pytest.mark.parametrize("role", ["clerk", "leader", "staff", "admin"])
def test_every_role_can_be_created(db: UnitOfWork, role: str) -> None:
    assert add(db, f"user-{role}", role).role == Role(role)


@pytest.mark.parametrize("role", ["root", "Clerk", "", "superuser"])
def test_invalid_role_is_bad_input_in_vietnamese(db: UnitOfWork, role: str) -> None:
    with pytest.raises(BadInput) as caught:
        add(db, "lan", role)
    assert caught.value.message.startswith(f"Vai trò '{role}' không hợp lệ")
    for r in ("clerk", "leader", "staff", "admin"):
        assert r in caught.value.message
    assert caught.value.http_status == 400
    with db:
        assert list_users(db) == []


def test_short_password_is_bad_input(db: UnitOfWork) -> None:
    with pytest.raises(BadInput, match=f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự"):
        add(db, "lan", "clerk", "x" * (MIN_PASSWORD - 1))
    add(db, "lan", "clerk", "x" * MIN_PASSWORD)  # exactly the minimum is fine


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_names_are_bad_input(db: UnitOfWork, name: str) -> None:
    with pytest.raises(BadInput, match="Tên người dùng"):
        add(db, name)


def test_duplicate_user_is_a_conflict(db: UnitOfWork) -> None:
    add(db, "lan")
    with pytest.raises(Conflict, match="Người dùng 'lan' đã tồn tại") as caught:
        add(db, " lan ", "admin")
    assert caught.value.http_status == 409
    with db:
        assert [(u.name, u.role) for u in list_users(db)] == [("lan", Role.CLERK)]


def test_login(db: UnitOfWork) -> None:
    created = add(db, "lan")
    with db:
        user = login(db, "lan", PASSWORD)
    assert user.id == created.id
    with db:
        assert login(db, " lan ", PASSWORD).id == created.id


@pytest.mark.parametrize("password", ["mat-khau-sai", "", PASSWORD.upper(), PASSWORD + " "])
def test_wrong_password_is_unauthorized(db: UnitOfWork, password: str) -> None:
    add(db, "lan")
    with db, pytest.raises(Unauthorized, match="Sai tên đăng nhập hoặc mật khẩu") as caught:
        login(db, "lan", password)
    assert caught.value.http_status == 401


def test_unknown_user_is_unauthorized_with_the_same_message(db: UnitOfWork) -> None:
    add(db, "lan")
    with db, pytest.raises(Unauthorized) as unknown:
        login(db, "khong-co", PASSWORD)
    with db, pytest.raises(Unauthorized) as wrong:
        login(db, "lan", "mat-khau-sai")
    assert unknown.value.message == wrong.value.message


def test_user_without_a_password_cannot_log_in(db: UnitOfWork) -> None:
    add(db, "may-quet", "clerk", None)
    with db, pytest.raises(Unauthorized):
        login(db, "may-quet", "")
    with db, pytest.raises(Unauthorized):
        login(db, "may-quet", PASSWORD)


def test_issue_token_and_identify(db: UnitOfWork) -> None:
    user = add(db, "Trần Văn Minh", "leader")
    with db:
        token = issue_token(db, user, "máy tính bảng")
        db.commit()
    assert token.startswith("hoso_")
    with db:
        who = identify(db, token)
    assert (who.id, who.name, who.role) == (user.id, "Trần Văn Minh", Role.LEADER)


def test_each_token_is_new_and_all_work(db: UnitOfWork) -> None:
    user = add(db, "lan")
    with db:
        tokens = [issue_token(db, user) for _ in range(3)]
        db.commit()
    assert len(set(tokens)) == 3
    with db:
        assert {identify(db, t).id for t in tokens} == {user.id}


@pytest.mark.parametrize("token", ["", "hoso_", "hoso_khong-hop-le", "Bearer x"])
def test_unknown_token_is_unauthorized(db: UnitOfWork, token: str) -> None:
    user = add(db, "lan")
    with db:
        issue_token(db, user)
        db.commit()
    with db, pytest.raises(Unauthorized, match="Mã truy cập không hợp lệ"):
        identify(db, token)


def test_revoke(db: UnitOfWork) -> None:
    user = add(db, "lan")
    with db:
        kept, revoked = issue_token(db, user), issue_token(db, user)
        db.commit()
    with db:
        revoke(db, revoked)
        db.commit()
    with db, pytest.raises(Unauthorized):
        identify(db, revoked)
    with db:
        assert identify(db, kept).id == user.id
    with db:
        revoke(db, revoked)  # revoking twice is harmless
        revoke(db, "hoso_chua-tung-co")
        db.commit()


def test_uncommitted_token_is_rolled_back(db: UnitOfWork) -> None:
    user = add(db, "lan")
    with db:
        token = issue_token(db, user)  # no commit
    with db, pytest.raises(Unauthorized):
        identify(db, token)


def test_password_is_stored_as_argon2id(db: UnitOfWork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records.users, "_hasher", REAL_HASHER)
    add(db, "lan")
    with db:
        stored = db.session.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert REAL_HASHER.type.name == "ID"
    with db:
        assert login(db, "lan", PASSWORD).name == "lan"
    with db:
        other = create_user(db, "minh", "clerk", PASSWORD)
        assert other.password_hash != stored  # salted


def test_token_is_stored_only_as_its_sha256(db: UnitOfWork) -> None:
    user = add(db, "lan")
    with db:
        token = issue_token(db, user, "nhãn")
        db.commit()
    with db:
        rows = db.session.execute(text("SELECT token_hash, label FROM api_tokens")).all()
        dump = "\n".join(db.session.connection().connection.iterdump())
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "nhãn")]
    assert token not in dump
    assert token.removeprefix("hoso_") not in dump


def test_ensure_user_creates_once(db: UnitOfWork) -> None:
    with db:
        first = ensure_user(db, "cli", Role.ADMIN)
        db.commit()
    with db:
        again = ensure_user(db, "cli", Role.ADMIN)
        assert again.id == first.id
        assert again.password_hash is None
        assert db.session.scalars(select(User)).all() == [again]
        assert db.session.scalars(select(ApiToken)).all() == []
