"""The Alembic migrations and the SQLAlchemy tables in ``records.sql`` describe one schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, inspect, text

from records.migrate import alembic_config, upgrade
from records.sql import make_engine, metadata


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hoso.sqlite'}"


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _current(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_matches_the_tables_in_code(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_the_comparison_does_see_a_difference(url: str) -> None:
    """Control: a column the migrations lack is reported, so an empty diff means something."""
    upgrade(url)
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("email", String(200)))
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), changed)
    finally:
        engine.dispose()
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "email")]


def test_upgrade_creates_every_table_and_stamps_head(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(metadata.tables) <= tables
    assert tables - set(metadata.tables) == {"alembic_version"}
    assert _current(url) == _head()


def test_upgrade_twice_is_a_no_op(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (name, role, created) VALUES ('lan', 'clerk', "
                    "'2024-05-01 09:00:00')"
                )
            )
            before = conn.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).all()
    finally:
        engine.dispose()

    upgrade(url)

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            after = conn.execute(text("SELECT sql FROM sqlite_master ORDER BY name")).all()
            users = conn.execute(text("SELECT name FROM users")).scalars().all()
    finally:
        engine.dispose()
    assert after == before
    assert users == ["lan"]
    assert _current(url) == _head()


def test_a_single_linear_history() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert [r.down_revision for r in script.walk_revisions()][-1] is None


def test_url_with_a_percent_sign_survives_the_config(tmp_path: Path) -> None:
    path = tmp_path / "100%" / "hoso.sqlite"
    path.parent.mkdir()
    upgrade(f"sqlite:///{path}")
    assert path.is_file()
    assert _current(f"sqlite:///{path}") == _head()
