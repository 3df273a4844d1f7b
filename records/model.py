"""The records domain: users, batches of scans, their files, documents and pages.

Plain classes; the SQL mapping lives in ``records.sql``. Status values are the words the
API shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


def now() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    CLERK = "clerk"  # scanning clerk: uploads
    LEADER = "leader"  # signs results; searches
    STAFF = "staff"  # processes and searches records
    ADMIN = "admin"  # manages users; may do everything


class PageStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class DocumentStatus(StrEnum):
    PENDING = "pending"  # pages being split or recognised
    DONE = "done"  # searchable PDF built and indexed
    FAILED = "failed"  # the file could not be read, or a page failed (retryable)


@dataclass(eq=False)
class User:
    name: str
    role: Role
    password_hash: str | None = None
    created: datetime = field(default_factory=now)
    id: int | None = None


@dataclass(eq=False)
class ApiToken:
    user_id: int
    token_hash: str  # SHA-256 of the token; the token itself is shown once
    label: str = ""
    created: datetime = field(default_factory=now)
    id: int | None = None


@dataclass(eq=False)
class Batch:
    created_by: int
    language: str = "vie"
    created: datetime = field(default_factory=now)
    id: int | None = None


@dataclass(eq=False)
class SourceFile:
    """One uploaded file. ``sha256`` is null when the file was refused before storage."""

    batch_id: int
    filename: str
    kind: str | None = None  # pdf, tiff, jpeg, png
    sha256: str | None = None
    size: int = 0
    error: str | None = None
    duplicate_of: int | None = None  # an earlier source file with the same bytes
    grouped: bool = False  # its pages were split into documents by cover/separator sheets
    created: datetime = field(default_factory=now)
    id: int | None = None


@dataclass(eq=False)
class Document:
    batch_id: int
    source_file_id: int
    status: DocumentStatus = DocumentStatus.PENDING
    page_count: int = 0  # paper pages of the document (sheets excluded); 0 before split
    part: int = 0  # 0, 1, 2… for the documents one source file was split into
    dossier_code: str | None = None  # from a cover sheet: the dossier these papers belong to
    doc_type_sheet: str | None = None  # from a separator sheet: the document type
    doc_type: str | None = None  # what hoso decided (sheet, classifier or a clerk)
    doc_type_confidence: float | None = None
    needs_review: bool = False  # the classifier was unsure: a clerk should look
    fields: dict[str, dict[str, object]] | None = (
        None  # key → {value, confidence, page, start, end}
    )
    pdf_sha256: str | None = None
    error: str | None = None
    created: datetime = field(default_factory=now)
    finished: datetime | None = None
    #: the latest signed version (pdf_sha256 stays the unsigned one; see SignatureTask)
    signed_pdf_sha256: str | None = None
    signed_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Page:
    document_id: int
    number: int | None  # 1-based within its document, in paper order; None for sheets
    source_index: int  # 0-based page/frame index inside the source file
    status: PageStatus = PageStatus.PENDING
    error: str | None = None
    attempts: int = 0
    image_sha256: str | None = None  # the upright, straightened page image
    image_kind: str | None = None  # jpeg or png
    dpi: int = 300
    thumb_sha256: str | None = None
    text_sha256: str | None = None
    hocr_sha256: str | None = None
    words_sha256: str | None = None
    turned: int = 0
    skew: float = 0.0
    confidence: float | None = None
    kind: str = "page"  # page | cover | separator | blank
    rotation: int = 0  # clockwise quarter turns a clerk asked for (0, 90, 180, 270)
    sheet_value: str | None = None  # the dossier code or document type a sheet carries
    id: int | None = None
