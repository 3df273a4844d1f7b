"""The composition root: builds adapters from settings. Shared by the API, the Celery
worker and the CLI. Nothing connects here until first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from hoso.settings import Settings
from records.sql import UnitOfWork, make_engine, session_factory
from search import SearchIndex, open_index
from storage import ObjectStore, open_store

# Heavy modules (scikit-learn, pyHanko, OpenCV, Alembic) are imported where they are
# first used, not here: every CLI command and worker process imports this module, and
# importing them all took ~3 s before ``hoso ingest`` could start its first page.
if TYPE_CHECKING:
    from hoso.classifier import ModelProvider
    from ingest.pipeline import Pipeline
    from ingest.rasterize import Limits
    from ocr.sidecar import SidecarOcr
    from records.calendar import WorkingCalendar
    from signing.desk import SigningDesk
    from signing.keystore import KeyVault


@dataclass
class Container:
    settings: Settings
    _index: SearchIndex | None = field(default=None, init=False)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    @cached_property
    def store(self) -> ObjectStore:
        return open_store(self.settings.storage_url)

    def index(self) -> SearchIndex:
        if self._index is None:
            self._index = open_index(self.settings.search_url)
        return self._index

    @property
    def limits(self) -> Limits:
        from ingest.rasterize import Limits

        s = self.settings
        return Limits(
            max_pages=s.max_pages,
            max_page_pixels=s.max_page_pixels,
            dpi=s.dpi,
            render_timeout=s.render_timeout,
        )

    @cached_property
    def recognizer(self) -> SidecarOcr:
        from ocr.sidecar import SidecarOcr

        return SidecarOcr(self.settings.ocr_engine, timeout=self.settings.ocr_timeout)

    @cached_property
    def pipeline(self) -> Pipeline:
        from ingest.pipeline import Pipeline

        return Pipeline(
            self.uow,
            self.store,
            self.index,
            self.recognizer,
            self.settings.work_dir,
            self.limits,
            classifier=self.classifier,
            drop_blank=self.settings.drop_blank_pages,
            review_threshold=self.settings.review_threshold,
        )

    @cached_property
    def classifier(self) -> ModelProvider:
        from hoso.classifier import ModelProvider

        s = self.settings
        return ModelProvider(s.data_dir / "models", self.store, s.model_cache)

    @cached_property
    def vault(self) -> KeyVault:
        """Encrypts users' PKCS#12 files at rest (key file made on first use, 0600)."""
        from signing.keystore import KeyVault

        return KeyVault.from_settings(self.settings.keystore_secret, self.settings.data_dir)

    @cached_property
    def signing_desk(self) -> SigningDesk:
        from signing.desk import DeskConfig, SigningDesk
        from signing.placement import parse_positions
        from signing.roots import load_roots

        s = self.settings
        config = DeskConfig(
            public_url=s.public_url,
            level=s.signature_level,
            levels=s.signature_levels,
            tsa_url=s.tsa_url,
            trust_roots=load_roots(s.trust_roots),
            retention_years=s.signed_retention_years,
            agency=s.agency_name,
            digitised_mark=s.digitised_mark,
            stamp_positions=parse_positions(s.stamp_positions),
            pkcs11_modules=s.pkcs11_modules,
        )
        return SigningDesk(self.uow, self.store, self.vault, config)

    def calendar(self, uow: UnitOfWork) -> WorkingCalendar:
        from records.calendar_store import working_calendar

        return working_calendar(uow)

    def migrate(self) -> None:
        """Schema up to date; the sample procedures catalogue loaded on first start."""
        from records.catalogue_store import seed_procedures
        from records.migrate import upgrade

        upgrade(self.settings.database_url)
        with self.uow() as uow:
            if seed_procedures(uow):
                uow.commit()


def bootstrap(settings: Settings | None = None, *, migrate: bool = True) -> Container:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    # Decompression bombs: PIL refuses images past twice this; our own checks come first.
    Image.MAX_IMAGE_PIXELS = settings.max_page_pixels
    container = Container(settings)
    if migrate:
        container.migrate()
    return container
