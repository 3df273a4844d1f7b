"""SQL mapping of the records model (SQLAlchemy, imperative mapping) and the unit of work.

The schema itself is owned by the Alembic migrations in ``records/migrations``; the
tables here must match them (a test compares the two).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    false,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session, registry, sessionmaker

from records import model
from records.dossiers import Channel, Dossier, DossierDocument, DossierEvent, DossierStatus
from records.signing_model import (
    ImageKind,
    KeyKind,
    SignatureTask,
    StampImage,
    TaskKind,
    TaskStatus,
    UserKey,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: hoso stores aware UTC timestamps only")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()
_registry = registry(metadata=metadata)


def _enum(cls: type) -> Enum:
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


users_table = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", _enum(model.Role), nullable=False),
    Column("password_hash", String(200)),
    Column("created", UtcDateTime(), nullable=False),
)

api_tokens_table = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(100), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
)

batches_table = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("language", String(50), nullable=False),
    Column("created", UtcDateTime(), nullable=False, index=True),
)

source_files_table = Table(
    "source_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("batches.id"), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("kind", String(10)),
    Column("sha256", String(64), index=True),
    Column("size", Integer, nullable=False),
    Column("error", Text),
    Column("duplicate_of", ForeignKey("source_files.id", name="fk_source_files_duplicate_of")),
    Column("grouped", Boolean, nullable=False, server_default=false()),
    Column("created", UtcDateTime(), nullable=False),
)

documents_table = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("batches.id"), nullable=False, index=True),
    Column("source_file_id", ForeignKey("source_files.id"), nullable=False, index=True),
    Column("status", _enum(model.DocumentStatus), nullable=False),
    Column("page_count", Integer, nullable=False),
    Column("part", Integer, nullable=False, server_default="0"),
    Column("dossier_code", String(64), index=True),
    Column("doc_type_sheet", String(64)),
    Column("doc_type", String(64), index=True),
    Column("doc_type_confidence", Float),
    Column("needs_review", Boolean, nullable=False, server_default=false()),
    Column("fields", JSON),
    Column("pdf_sha256", String(64)),
    Column("error", Text),
    Column("created", UtcDateTime(), nullable=False),
    Column("finished", UtcDateTime()),
    Column("signed_pdf_sha256", String(64)),
    Column("signed_at", UtcDateTime()),
)

pages_table = Table(
    "pages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False),
    Column("number", Integer),
    Column("source_index", Integer, nullable=False),
    Column("status", _enum(model.PageStatus), nullable=False, index=True),
    Column("error", Text),
    Column("attempts", Integer, nullable=False),
    Column("image_sha256", String(64)),
    Column("image_kind", String(10)),
    Column("dpi", Integer, nullable=False),
    Column("thumb_sha256", String(64)),
    Column("text_sha256", String(64)),
    Column("hocr_sha256", String(64)),
    Column("words_sha256", String(64)),
    Column("turned", Integer, nullable=False),
    Column("skew", Float, nullable=False),
    Column("confidence", Float),
    Column("kind", String(10), nullable=False, server_default="page"),
    Column("rotation", Integer, nullable=False, server_default="0"),
    Column("sheet_value", String(200)),
    UniqueConstraint("document_id", "number", name="uq_pages_document_number"),
)


procedures_table = Table(
    "procedures",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("field", String(200), nullable=False),
    Column("data", JSON, nullable=False),  # the full Procedure as a dict
    Column("updated", UtcDateTime(), nullable=False),
)

dossiers_table = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("procedure_code", ForeignKey("procedures.code"), nullable=False, index=True),
    Column("channel", _enum(Channel), nullable=False),
    Column("status", _enum(DossierStatus), nullable=False, index=True),
    Column("applicant_name", String(200), nullable=False),
    Column("applicant_id", String(12), nullable=False, index=True),
    Column("applicant_address", String(500), nullable=False),
    Column("applicant_phone", String(30), nullable=False),
    Column("authorised_name", String(200)),
    Column("authorised_id", String(12)),
    Column("received_at", UtcDateTime(), nullable=False, index=True),
    Column("appointment_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime()),
    Column("ended_at", UtcDateTime()),
    Column("returned_at", UtcDateTime()),
    Column("lookup_key", String(16), nullable=False),
    Column("received_by", ForeignKey("users.id")),
    Column("rating", String(20)),
    Column("rated_at", UtcDateTime()),
    Column("receipt_sha256", String(64)),
    Column("received_documents", JSON),
)

dossier_events_table = Table(
    "dossier_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("status_from", String(30)),
    Column("status_to", String(30)),
    Column("note", Text, nullable=False),
    Column("user_id", ForeignKey("users.id")),
    Column("data", JSON),
)

dossier_documents_table = Table(
    "dossier_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dossier_id", ForeignKey("dossiers.id"), nullable=False, index=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("reused", Boolean, nullable=False),
    Column("attached_at", UtcDateTime()),
    UniqueConstraint("dossier_id", "document_id", "role", name="uq_dossier_document_role"),
)

dossier_counters_table = Table(
    "dossier_counters",
    metadata,
    Column("unit_code", String(40), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

corrections_table = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("kind", String(10), nullable=False),  # type | field
    Column("key", String(64), nullable=False),
    Column("old", Text),
    Column("new", Text, nullable=False),
    Column("user_id", ForeignKey("users.id")),
    Column("at", UtcDateTime(), nullable=False),
)

user_keys_table = Table(
    "user_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", _enum(KeyKind), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("not_after", UtcDateTime(), nullable=False),
    Column("title", String(200), nullable=False, server_default=""),
    Column("p12_encrypted", LargeBinary),
    Column("module_path", String(500)),
    Column("token_label", String(200)),
    Column("key_label", String(200)),
    Column("created", UtcDateTime(), nullable=False),
    UniqueConstraint("user_id", name="uq_user_keys_user_id"),
)

stamp_images_table = Table(
    "stamp_images",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", _enum(ImageKind), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE")),
    Column("sha256", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("uploaded_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("created", UtcDateTime(), nullable=False),
    # one signature per user; the seal (user_id NULL) is kept single by the code
    UniqueConstraint("kind", "user_id", name="uq_stamp_images_kind_user_id"),
)

document_types_table = Table(  # types added by an admin, beside classify.types.DEFAULT_TYPES
    "document_types",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("label", String(200), nullable=False),
    Column("titles", JSON, nullable=False),  # patterns on folded title text
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("created", UtcDateTime(), nullable=False),
)

signature_tasks_table = Table(
    "signature_tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("kind", _enum(TaskKind), nullable=False),
    Column("status", _enum(TaskStatus), nullable=False, index=True),
    Column("dossier_id", ForeignKey("dossiers.id"), index=True),
    Column("assignee_id", ForeignKey("users.id"), index=True),
    Column("requested_by", ForeignKey("users.id")),
    Column("short_code", String(16)),
    Column("note", Text, nullable=False),
    Column("signed_sha256", String(64)),
    Column("decided_by", ForeignKey("users.id")),
    Column("decided_at", UtcDateTime()),
    Column("created", UtcDateTime(), nullable=False),
    UniqueConstraint("short_code", name="uq_signature_tasks_short_code"),
)

calendar_days_table = Table(
    "calendar_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(10), nullable=False),  # off | work
    Column("note", String(300), nullable=False),
)


def _map() -> None:
    for cls, table in (
        (model.User, users_table),
        (model.ApiToken, api_tokens_table),
        (model.Batch, batches_table),
        (model.SourceFile, source_files_table),
        (model.Document, documents_table),
        (model.Page, pages_table),
        (Dossier, dossiers_table),
        (DossierEvent, dossier_events_table),
        (DossierDocument, dossier_documents_table),
        (UserKey, user_keys_table),
        (SignatureTask, signature_tasks_table),
        (StampImage, stamp_images_table),
    ):
        _registry.map_imperatively(cls, table)


_map()


def make_engine(url: str) -> Engine:
    """An engine with the pragmas SQLite needs for several worker processes (WAL, wait)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class UnitOfWork:
    """``with uow: …; uow.commit()`` — rolls back unless committed."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._factory = session_factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded objects, so
        # values read inside the block stay usable after it.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
