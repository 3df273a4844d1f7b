"""Settings from the environment (``HOSO_…``). Every default lives under ``HOSO_DATA_DIR``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Circular 10/2016/TT-BTTTT style unit code: V1V2V3.Z1Z2.Y1Y2.MX1X2
UNIT_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOSO_", extra="forbid", frozen=True)

    data_dir: Path = Field(Path("./data"), description="Where everything is kept by default.")
    database_url: str = Field("", description="SQLAlchemy URL; default SQLite in data_dir.")
    storage_url: str = Field("", description="file:///… (default data_dir/objects).")
    search_url: str = Field(
        "",
        description="tantivy:///… (default data_dir/index), opensearch://host:9200/index "
        "or elasticsearch://host:9200/index.",
    )
    broker_url: str = Field("", description="Celery broker; default filesystem:// in data_dir.")
    ocr_language: str = Field("vie", description="Tesseract languages, e.g. vie or vie+eng.")
    ocr_engine: str = Field("tesserocr", description="tesserocr (model kept loaded) or cli.")
    ocr_timeout: float = Field(180.0, description="Seconds before a page's OCR is abandoned.")
    dpi: int = Field(300, description="Rendering resolution for PDF pages that need it.")
    max_file_mb: int = Field(1024, description="Largest accepted file, in MiB.")
    max_pages: int = Field(2000, description="Most pages accepted in one file.")
    max_page_pixels: int = Field(150_000_000, description="Most pixels in one page image.")
    workers: int = Field(2, description="Worker processes (pages recognised in parallel).")
    trust_roots: list[Path] = Field(
        default_factory=list,
        description="Trusted root certificates (files or folders), as a JSON list.",
    )
    model_cache: Path | None = Field(
        None, description="Folder sharing the initial classifier between data directories."
    )
    review_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Type confidence below which a document waits in the review queue "
        "(default: the classifier's own, 0.7).",
    )
    drop_blank_pages: bool = Field(
        False, description="Leave blank backs out of the searchable PDFs (they stay on record)."
    )
    render_timeout: float = Field(
        60.0, description="Seconds before rendering one PDF page is abandoned (content bombs)."
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL printed in links and QR codes."
    )
    unit_code: str = Field(
        "000.00.00.H00", description="Receiving agency's unit code, first part of dossier codes."
    )
    agency_name: str = Field("UBND xã (chưa đặt tên)", description="Shown on printed forms.")
    agency_address: str = Field("", description="Shown on printed forms.")
    province: str = Field("", description="Place name on forms (…, ngày … tháng … năm …).")
    watch_dir: Path | None = Field(
        None, description="HOSO_WATCH_DIR: a scanner's hot folder that hoso serve watches."
    )
    # -- digital signatures (signing/) --
    signature_level: str = Field(
        "B-B", description="PAdES level of results signed in hoso: B-B, B-T, B-LT or B-LTA."
    )
    signature_levels: dict[str, str] = Field(
        default_factory=dict,
        description="Per-procedure PAdES level, as JSON {procedure code: level}.",
    )
    tsa_url: str | None = Field(None, description="RFC 3161 time-stamping server (B-T and up).")
    signed_retention_years: int = Field(
        10, description="Years a signed result stays locked (unchangeable, undeletable)."
    )
    keystore_secret: str | None = Field(
        None,
        description="Fernet key encrypting users' PKCS#12 files; default a key file "
        "generated once in data_dir (0600).",
    )
    pkcs11_modules: list[Path] = Field(
        default_factory=list,
        description="PKCS#11 modules (token/HSM libraries) users may register, as a JSON "
        "list of paths set by the administrator; empty: no token can be registered.",
    )
    sign_digitised_copies: bool = Field(
        True, description="Scanning clerks sign each digitised document (Circular 01/2023)."
    )
    digitised_mark: str = Field(
        "Bản sao điện tử được chuyển đổi từ bản giấy",
        description="Mark printed top-left of a digitised copy's first page.",
    )
    stamp_positions: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Where the leader's stamp goes, per result document type, as JSON "
        '{"quyet_dinh": {"page": "last", "corner": "bottom-right"}} (signing/placement.py).',
    )

    @field_validator("stamp_positions")
    @classmethod
    def _stamp_positions(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from signing.errors import SigningError
        from signing.placement import parse_positions

        try:
            parse_positions(value)  # a clear message at start-up rather than at signing
        except SigningError as e:
            raise ValueError(e.message) from e
        return value

    @field_validator("unit_code")
    @classmethod
    def _unit_code(cls, value: str) -> str:
        if not UNIT_CODE.fullmatch(value):
            raise ValueError("HOSO_UNIT_CODE must look like 000.00.12.H56")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        data = self.data_dir.resolve()
        object.__setattr__(self, "data_dir", data)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{data / 'hoso.db'}")
        if not self.storage_url:
            object.__setattr__(self, "storage_url", f"file://{data / 'objects'}")
        if not self.search_url:
            object.__setattr__(self, "search_url", f"tantivy://{data / 'index'}")
        if not self.broker_url:
            object.__setattr__(self, "broker_url", "filesystem://localhost/")
        return self

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    @property
    def broker_dir(self) -> Path:
        return self.data_dir / "broker"
