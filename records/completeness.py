"""Does a dossier hold what its procedure requires? Compared by document type.

missing: mandatory types no attached document has; optional_missing: optional types not
present; unexpected: attached documents whose type the procedure does not list (other
than 'khac', which is never unexpected). Documents without a type yet (not classified,
or still being processed) are listed as 'unknown'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from records.catalogue_store import get_procedure
from records.dossiers import Dossier
from records.errors import NotFound
from records.model import Document
from records.procedures import Procedure
from records.sql import UnitOfWork, documents_table, dossier_documents_table

OTHER = "khac"


@dataclass(frozen=True)
class Completeness:
    missing: list[dict[str, Any]] = field(default_factory=list)
    optional_missing: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    present: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "missing": self.missing,
            "optional_missing": self.optional_missing,
            "unexpected": self.unexpected,
            "unknown_documents": self.unknown,
            "present": self.present,
        }


def check(uow: UnitOfWork, dossier: Dossier) -> Completeness:
    """The dossier's submitted documents against its procedure."""
    d, link = documents_table, dossier_documents_table
    docs = uow.session.scalars(
        select(Document)
        .join(link, link.c.document_id == d.c.id)
        .where(link.c.dossier_id == dossier.id, link.c.role == "submitted")
        .order_by(d.c.id)
    )
    return compare(get_procedure(uow, dossier.procedure_code), docs)


def preview(uow: UnitOfWork, procedure_code: str, document_ids: Iterable[int]) -> Completeness:
    """What the check would say if these documents were submitted for this procedure —
    at reception, before the dossier exists."""
    procedure = get_procedure(uow, procedure_code)
    ids = sorted(set(document_ids))
    docs = list(
        uow.session.scalars(select(Document).where(documents_table.c.id.in_(ids))) if ids else []
    )
    if absent := sorted(set(ids) - {doc.id for doc in docs}):
        raise NotFound(f"Không có tài liệu số {', '.join(map(str, absent))}")
    return compare(procedure, sorted(docs, key=lambda doc: doc.id or 0))


def compare(procedure: Procedure, docs: Iterable[Document]) -> Completeness:
    have: dict[str, list[int]] = {}
    unknown = []
    for doc in docs:
        assert doc.id is not None
        if doc.doc_type:
            have.setdefault(doc.doc_type, []).append(doc.id)
        else:
            unknown.append(doc.id)
    listed = {r.type for r in procedure.documents}
    result = Completeness(unknown=unknown)
    for r in procedure.documents:
        entry = {"type": r.type, "name": r.name, "copies": r.copies_vi}
        if r.type in have:
            result.present.append({**entry, "documents": have[r.type]})
        elif r.type == OTHER:
            continue  # 'other papers' cannot be checked by type
        elif r.mandatory:
            result.missing.append(entry)
        else:
            result.optional_missing.append(entry)
    for doc_type, ids in have.items():
        if doc_type not in listed and doc_type != OTHER:
            result.unexpected.append({"type": doc_type, "documents": ids})
    return result
