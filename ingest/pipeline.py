"""The pipeline steps. Each takes an ID, is idempotent, and returns the follow-up messages.

split_source(source_file_id) → one ocr_page(page_id) per page
ocr_page(page_id)            → group_source(source_file_id) once no page of the file is pending
group_source(source_file_id) → documents split by cover/separator sheets; assemble_document each
assemble_document(doc_id)    → searchable PDF stored, pages indexed, document done (and
                               attached to its dossier when a cover sheet named one)

Bytes go to the object store before the row that points to them commits. Steps never
dispatch anything themselves: the runner (Celery task or local pool) sends what they
return, so the same code runs in both.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, select

from classify.fields import extract
from ingest.grouping import group_pages
from ingest.images import turn_image_file
from ingest.messages import STEPS, Message
from ingest.rasterize import Limits, count_pages, page_image
from ocr.born_digital import embedded_text
from ocr.engine import Word
from ocr.page import PageOptions, PageOutcome, page_with_text
from ocr.pdf import PdfPage, build_searchable_pdf
from records.errors import HosoError
from records.model import Batch, Document, DocumentStatus, Page, PageStatus, SourceFile, now
from records.sql import (
    UnitOfWork,
    documents_table,
    dossier_documents_table,
    dossiers_table,
    pages_table,
)
from records.workflow import attach_to_dossier
from search.port import PageEntry, SearchIndex
from storage.port import ObjectStore

if TYPE_CHECKING:
    from classify.model import Prediction

__all__ = ["STEPS", "Message", "Pipeline"]


class Classifier(Protocol):
    """What the pipeline needs from document classification (``classify.TrainedModel``)."""

    def predict(self, text: str, threshold: float | None = None) -> Prediction: ...


class PageRecognizer(Protocol):
    """What the pipeline needs from OCR (``ocr.sidecar.SidecarOcr`` in production)."""

    def run(self, image: Path, out_dir: Path, options: PageOptions) -> PageOutcome: ...


class Pipeline:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        store: ObjectStore,
        index: Callable[[], SearchIndex],
        recognizer: PageRecognizer,
        work_dir: Path,
        limits: Limits,
        *,
        drop_blank: bool = False,
        classifier: Callable[[], Classifier] | None = None,
        review_threshold: float | None = None,
    ) -> None:
        self._uow = uow
        self._store = store
        self._index = index
        self._ocr = recognizer
        self._work = work_dir
        self._limits = limits
        self._drop_blank = drop_blank
        self._classifier = classifier
        self._review_threshold = review_threshold  # None: the classifier's own

    # -- split -----------------------------------------------------------------
    def split_source(self, source_id: int) -> list[Message]:
        with self._uow() as uow:
            source = uow.session.get(SourceFile, source_id)
            doc = uow.session.scalars(
                select(Document)
                .where(documents_table.c.source_file_id == source_id)
                .order_by(documents_table.c.part)
            ).first()
            assert doc is not None
            existing = self._pages(uow, doc.id)  # type: ignore[arg-type]
            if existing:  # split already done (a redelivered message)
                return [
                    Message("ocr_page", p.id) for p in existing if p.status == "pending" and p.id
                ]
            assert source is not None and source.sha256 and source.kind
            try:
                with self._store.local_path(source.sha256) as path:
                    n = count_pages(path, source.kind, self._limits)
            except HosoError as e:
                doc.status = DocumentStatus.FAILED
                doc.error = e.message
                doc.finished = now()
                uow.commit()
                return []
            pages = [Page(document_id=doc.id, number=i + 1, source_index=i) for i in range(n)]  # type: ignore[arg-type]
            uow.session.add_all(pages)
            doc.page_count = n
            uow.commit()
            return [Message("ocr_page", p.id) for p in pages]  # type: ignore[arg-type]

    @staticmethod
    def _pages(uow: UnitOfWork, doc_id: int) -> list[Page]:
        return list(
            uow.session.scalars(
                select(Page)
                .where(pages_table.c.document_id == doc_id)
                .order_by(pages_table.c.number)
            )
        )

    @staticmethod
    def _procedures(uow: UnitOfWork, doc_id: int) -> tuple[str, ...]:
        """Procedure codes of the dossiers the document is attached to (search filters and
        facets on them)."""
        link, dossier = dossier_documents_table, dossiers_table
        return tuple(
            sorted(
                set(
                    uow.session.scalars(
                        select(dossier.c.procedure_code)
                        .join(link, link.c.dossier_id == dossier.c.id)
                        .where(link.c.document_id == doc_id)
                    )
                )
            )
        )

    # -- ocr -------------------------------------------------------------------
    def ocr_page(self, page_id: int) -> list[Message]:
        with self._uow() as uow:
            page = uow.session.get(Page, page_id)
            if page is None:
                return []
            doc_id = page.document_id
            if page.status == PageStatus.DONE:
                return self._after_page(doc_id)
            doc = uow.session.get(Document, doc_id)
            assert doc is not None
            source = uow.session.get(SourceFile, doc.source_file_id)
            batch = uow.session.get(Batch, doc.batch_id)
            assert source is not None and batch is not None and source.sha256 and source.kind
            page.attempts += 1
            uow.commit()
            sha, kind, index, language, rotation = (
                source.sha256,
                source.kind,
                page.source_index,
                batch.language,
                page.rotation,
            )
        work = self._work / f"page-{page_id}"
        shutil.rmtree(work, ignore_errors=True)
        try:
            with self._store.local_path(sha) as path:
                img = page_image(path, kind, index, work / "in", self._limits)
                own_text = embedded_text(path, index, dpi=img.dpi) if kind == "pdf" else None
            if own_text is not None and not rotation:  # born-digital: its own text is exact
                outcome = page_with_text(img.path, work / "out", own_text)
                keys = self._store_outputs(work / "out", outcome)
                return self._page_done(page_id, img.dpi, keys, outcome)
            if rotation:  # a clerk turned this page by hand: trust them over detection
                turn_image_file(img.path, rotation)
            # A page turned by hand is a document page already: no sheet detection either.
            options = PageOptions(
                language=language, dpi=img.dpi, orient=not rotation, sheets=not rotation
            )
            outcome = self._ocr.run(img.path, work / "out", options)
            keys = self._store_outputs(work / "out", outcome)
        except HosoError as e:
            self._fail_page(page_id, e.message)
            return self._after_page(doc_id)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return self._page_done(page_id, img.dpi, keys, outcome)

    def _page_done(
        self, page_id: int, dpi: int, keys: dict[str, str], outcome: PageOutcome
    ) -> list[Message]:
        with self._uow() as uow:
            page = uow.session.get(Page, page_id)
            assert page is not None
            page.image_sha256 = keys["image"]
            page.image_kind = "jpeg" if outcome.image.endswith(".jpg") else "png"
            page.dpi = dpi
            page.thumb_sha256 = keys["thumb"]
            page.text_sha256 = keys["text"]
            page.hocr_sha256 = keys["hocr"]
            page.words_sha256 = keys["words"]
            page.turned = outcome.turned
            page.skew = outcome.skew
            page.confidence = outcome.mean_confidence
            page.kind = outcome.kind
            page.sheet_value = outcome.dossier_code or outcome.doc_type
            page.status = PageStatus.DONE
            page.error = None
            uow.commit()
            doc_id = page.document_id
        return self._after_page(doc_id)

    def _store_outputs(self, out: Path, outcome: PageOutcome) -> dict[str, str]:
        files = {
            "image": outcome.image,
            "thumb": "thumb.jpg",
            "text": "text.txt",
            "hocr": "page.hocr",
            "words": "words.json",
        }
        keys = {}
        for name, filename in files.items():
            with (out / filename).open("rb") as f:
                keys[name], _ = self._store.put_stream(f)
        return keys

    def _fail_page(self, page_id: int, message: str) -> None:
        with self._uow() as uow:
            page = uow.session.get(Page, page_id)
            assert page is not None
            page.status = PageStatus.FAILED
            page.error = message
            uow.commit()

    def _after_page(self, doc_id: int) -> list[Message]:
        """Once no page of the source file is pending, its pages can be grouped."""
        d = documents_table
        with self._uow() as uow:
            source_id = uow.session.scalar(select(d.c.source_file_id).where(d.c.id == doc_id))
            pending = uow.session.scalar(
                select(func.count())
                .select_from(pages_table)
                .join(d, d.c.id == pages_table.c.document_id)
                .where(d.c.source_file_id == source_id, pages_table.c.status == PageStatus.PENDING)
            )
        return [] if pending or source_id is None else [Message("group_source", source_id)]

    # -- group -------------------------------------------------------------------
    def group_source(self, source_id: int) -> list[Message]:
        """Split the source file's pages into documents by their sheets (once)."""
        d = documents_table
        with self._uow() as uow:
            source = uow.session.get(SourceFile, source_id)
            docs = list(
                uow.session.scalars(
                    select(Document).where(d.c.source_file_id == source_id).order_by(d.c.part)
                )
            )
            if source is None or not docs:
                return []
            if not source.grouped:
                pages = list(
                    uow.session.scalars(
                        select(Page)
                        .join(Document, d.c.id == pages_table.c.document_id)
                        .where(d.c.source_file_id == source_id)
                        .order_by(pages_table.c.source_index)
                    )
                )
                docs = self._apply_groups(uow, docs[0], pages)
                source.grouped = True
                uow.commit()
            return [
                Message("assemble_document", doc.id)
                for doc in docs
                if doc.id is not None and doc.status == DocumentStatus.PENDING
            ]

    @staticmethod
    def _apply_groups(uow: UnitOfWork, first: Document, pages: list[Page]) -> list[Document]:
        for p in pages:  # free the numbers first: (document, number) is unique
            p.number = None
        uow.session.flush()
        docs = []
        for part, group in enumerate(group_pages(pages)):
            doc = (
                first
                if part == 0
                else Document(
                    batch_id=first.batch_id,
                    source_file_id=first.source_file_id,
                    part=part,
                    created=first.created,
                )
            )
            if part:
                uow.session.add(doc)
                uow.session.flush()
            doc.dossier_code = group.dossier_code
            doc.doc_type_sheet = group.doc_type
            doc.page_count = len(group.pages)
            for p in group.sheets:
                p.document_id = doc.id  # type: ignore[assignment]
            for n, p in enumerate(group.pages, 1):
                p.document_id = doc.id  # type: ignore[assignment]
                p.number = n
            docs.append(doc)
        uow.session.flush()
        return docs

    # -- assemble --------------------------------------------------------------
    def assemble_document(self, doc_id: int) -> list[Message]:
        with self._uow() as uow:
            doc = uow.session.get(Document, doc_id)
            if doc is None or doc.status == DocumentStatus.DONE:
                return []
            everything = self._pages(uow, doc_id)  # sheets included
            if any(p.status == PageStatus.PENDING for p in everything):
                return []
            failed = [p for p in everything if p.status == PageStatus.FAILED]
            pages = sorted(
                (p for p in everything if p.kind in ("page", "blank")),
                key=lambda p: p.number or 0,
            )
            if failed or not pages:
                doc.status = DocumentStatus.FAILED
                doc.error = (
                    "; ".join(f"Trang {p.source_index + 1} của tệp: {p.error}" for p in failed)
                    or "Không có trang tài liệu nào (chỉ có tờ bìa hoặc tờ phân cách)"
                )
                doc.finished = now()
                uow.commit()
                return []
            if self._drop_blank:
                pages = [p for p in pages if p.kind != "blank"] or pages
            source = uow.session.get(SourceFile, doc.source_file_id)
            assert source is not None
            batch_id, filename, created = doc.batch_id, source.filename, doc.created
            dossier_code = doc.dossier_code
            sheet_type = doc.doc_type_sheet
            procedures = self._procedures(uow, doc_id)
            cover_procedure = (  # its cover sheet's dossier, when already received
                uow.session.scalar(
                    select(dossiers_table.c.procedure_code).where(
                        dossiers_table.c.code == dossier_code
                    )
                )
                if dossier_code
                else None
            )
            if cover_procedure:
                procedures = tuple(sorted({*procedures, cover_procedure}))
        work = self._work / f"doc-{doc_id}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            pdf_path = work / "document.pdf"
            build_searchable_pdf(self._pdf_pages(pages, work), pdf_path)
            with pdf_path.open("rb") as f:
                pdf_key, _ = self._store.put_stream(f)
            entries = [
                PageEntry(
                    document_id=doc_id,
                    page=p.number or 0,
                    batch_id=batch_id,
                    source=filename,
                    text=self._store.get_bytes(p.text_sha256).decode("utf-8"),  # type: ignore[arg-type]
                    created=created,
                )
                for p in pages
                if p.kind == "page"  # blank backs are kept in the PDF, not in search
            ]
            understood = self._understand([(e.page, e.text) for e in entries], sheet_type)
            doc_type, fields = understood[0], understood[3] or {}
            cccd = (str(fields["cccd"]["value"]),) if "cccd" in fields else ()
            self._index().add_pages(
                [replace(e, doc_type=doc_type, cccd=cccd, procedures=procedures) for e in entries]
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        with self._uow() as uow:
            doc = uow.session.get(Document, doc_id)
            assert doc is not None
            doc.pdf_sha256 = pdf_key
            doc.doc_type, doc.doc_type_confidence, doc.needs_review, doc.fields = understood
            doc.status = DocumentStatus.DONE
            doc.error = None
            doc.finished = now()
            uow.commit()
        if dossier_code:
            attached = attach_to_dossier(self._uow, dossier_code, doc_id)
            if attached and not cover_procedure:  # its dossier was received meanwhile
                self.reindex_document(doc_id)
        return []

    def reindex_document(self, doc_id: int) -> None:
        """Index a finished document again, e.g. after a clerk corrected its type or ID or
        after it was attached to a dossier (its procedures are filters and facets)."""
        with self._uow() as uow:
            doc = uow.session.get(Document, doc_id)
            if doc is None or doc.status != DocumentStatus.DONE:
                return
            entries = self._entries(uow, doc)
        self._index().add_pages(entries)

    def reindex_all(self, chunk: int = 200) -> int:
        """Index every finished document again (a new or emptied index, another search
        engine, a changed index layout); one index write per ``chunk`` documents.
        Returns the number of documents indexed."""
        done, last = 0, 0
        while True:
            with self._uow() as uow:
                docs = list(
                    uow.session.scalars(
                        select(Document)
                        .where(
                            documents_table.c.status == DocumentStatus.DONE,
                            documents_table.c.id > last,
                        )
                        .order_by(documents_table.c.id)
                        .limit(chunk)
                    )
                )
                if not docs:
                    return done
                entries = [e for doc in docs for e in self._entries(uow, doc)]
                last = docs[-1].id or last
            self._index().add_pages(entries)
            done += len(docs)

    def _entries(self, uow: UnitOfWork, doc: Document) -> list[PageEntry]:
        assert doc.id is not None
        source = uow.session.get(SourceFile, doc.source_file_id)
        assert source is not None
        pages = [p for p in self._pages(uow, doc.id) if p.kind == "page" and p.text_sha256]
        fields = doc.fields or {}
        cccd = (str(fields["cccd"]["value"]),) if "cccd" in fields else ()
        procedures = self._procedures(uow, doc.id)
        return [
            PageEntry(
                document_id=doc.id,
                page=p.number or 0,
                batch_id=doc.batch_id,
                source=source.filename,
                created=doc.created,
                doc_type=doc.doc_type,
                cccd=cccd,
                procedures=procedures,
                text=self._store.get_bytes(p.text_sha256).decode("utf-8"),  # type: ignore[arg-type]
            )
            for p in pages
        ]

    def _understand(
        self, pages: list[tuple[int, str]], sheet_type: str | None
    ) -> tuple[str | None, float | None, bool, dict[str, dict[str, object]] | None]:
        """Type (a separator sheet is certain; else the classifier) and fields per page.

        ``pages`` are the recognised pages as (``Page.number``, text): a field's page is
        that number, which counts blank backs too, as the highlighting looks pages up by it."""
        if self._classifier is None:
            return sheet_type, 1.0 if sheet_type else None, False, None
        model = self._classifier()
        if sheet_type:
            doc_type, confidence, review = sheet_type, 1.0, False
        else:
            head = "\n".join(text for _, text in pages[:3])
            guess = model.predict(head, self._review_threshold)
            doc_type, confidence, review = guess.type, guess.confidence, guess.needs_review
        best: dict[str, tuple[float, dict[str, object]]] = {}
        for number, text in pages:
            for key, f in extract(text, doc_type).items():
                if key not in best or f.confidence > best[key][0]:
                    where = {"page": number, "start": f.start, "end": f.end}
                    best[key] = (
                        f.confidence,
                        {"value": f.value, "confidence": round(f.confidence, 3), **where},
                    )
        fields = {key: entry for key, (_, entry) in best.items()}
        return doc_type, round(confidence, 3), review, fields

    def _pdf_pages(self, pages: list[Page], work: Path) -> Iterator[PdfPage]:
        for p in pages:
            suffix = ".jpg" if p.image_kind == "jpeg" else ".png"
            image = work / f"page-{p.number:05d}{suffix}"
            with self._store.open(p.image_sha256) as src, image.open("wb") as out:  # type: ignore[arg-type]
                shutil.copyfileobj(src, out, 1 << 20)
            raw = json.loads(self._store.get_bytes(p.words_sha256))  # type: ignore[arg-type]
            yield PdfPage(image=image, dpi=p.dpi, words=[Word(**w) for w in raw])

    # -- retry -----------------------------------------------------------------
    def retry_document(self, doc_id: int) -> list[Message]:
        """Send a failed document's failed pages (or the whole file) through again."""
        with self._uow() as uow:
            doc = uow.session.get(Document, doc_id)
            if doc is None or doc.status != DocumentStatus.FAILED:
                return []
            pages = self._pages(uow, doc_id)
            doc.status = DocumentStatus.PENDING
            doc.error = None
            doc.finished = None
            if not pages:
                uow.commit()
                return [Message("split_source", doc.source_file_id)]
            again = [p for p in pages if p.status == PageStatus.FAILED]
            for p in again:
                p.status = PageStatus.PENDING
                p.error = None
            uow.commit()
            return [Message("ocr_page", p.id) for p in again]  # type: ignore[arg-type]
