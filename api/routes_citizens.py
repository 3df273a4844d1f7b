"""A citizen's records, keyed by the 12-digit ID: for staff, so nobody is asked twice
for what the centre already holds (Decree 45/2020)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from api.deps import Box, User
from api.routes_dossiers import dossier_json
from records.dossiers import Dossier
from records.identity import validate_cccd
from records.model import Document, SourceFile
from records.sql import documents_table, dossier_documents_table, dossiers_table
from search import SearchQuery

router = APIRouter()

#: document types worth offering again in a new dossier
REUSABLE = {
    "can_cuoc",
    "giay_chung_nhan_qsdd",
    "trich_luc_ban_do",
    "giay_xac_nhan_cu_tru",
    "giay_chung_sinh",
    "quyet_dinh",
}


@router.get("/api/citizens/{id_number}")
def citizen(id_number: str, _user: User, box: Box) -> dict[str, Any]:
    number = validate_cccd(id_number)
    d = dossiers_table
    with box.uow() as uow:
        dossiers = list(
            uow.session.scalars(
                select(Dossier).where(d.c.applicant_id == number).order_by(d.c.received_at.desc())
            )
        )
        # documents about this person: found by the ID in their fields (search index),
        # plus everything attached to their dossiers
        hits = box.index().search(SearchQuery("", cccd=number, limit=500)).hits
        doc_ids = {h.document_id for h in hits}
        if dossiers:
            link = dossier_documents_table
            doc_ids |= set(
                uow.session.scalars(
                    select(link.c.document_id).where(
                        link.c.dossier_id.in_([x.id for x in dossiers])
                    )
                )
            )
        link = dossier_documents_table
        in_dossiers: dict[int, list[dict[str, Any]]] = {}
        for row in uow.session.execute(
            select(link.c.document_id, link.c.role, link.c.reused, d.c.code)
            .join(d, d.c.id == link.c.dossier_id)
            .where(link.c.document_id.in_(doc_ids))
            .order_by(link.c.id)
        ):
            in_dossiers.setdefault(row.document_id, []).append(
                {"code": row.code, "role": row.role, "reused": row.reused}
            )
        docs = []
        for doc in uow.session.scalars(
            select(Document)
            .where(documents_table.c.id.in_(doc_ids))
            .order_by(documents_table.c.id.desc())
        ):
            source = uow.session.get(SourceFile, doc.source_file_id)
            docs.append(
                {
                    "id": doc.id,
                    "type": doc.doc_type,
                    "source": source.filename if source else None,
                    "status": str(doc.status),
                    "fields": {k: v["value"] for k, v in (doc.fields or {}).items()},
                    "pdf_url": f"/api/documents/{doc.id}/pdf" if doc.pdf_sha256 else None,
                    "signed_pdf_url": f"/api/documents/{doc.id}/signed.pdf"
                    if doc.signed_pdf_sha256
                    else None,
                    "signed_at": doc.signed_at.isoformat() if doc.signed_at else None,
                    "url": f"/documents/{doc.id}",
                    # the dossiers it belongs to, and as what (submitted paper or result)
                    "dossiers": in_dossiers.get(doc.id or 0, []),
                    "reusable": doc.doc_type in REUSABLE and doc.status == "done",
                }
            )
    latest = dossiers[0] if dossiers else None
    prefill = (
        {
            "name": latest.applicant_name,
            "id_number": number,
            "address": latest.applicant_address,
            "phone": latest.applicant_phone,
        }
        if latest
        else _from_fields(number, docs)
    )
    return {
        "id_number": number,
        "applicant": prefill,
        "dossiers": [dossier_json(x) for x in dossiers],
        "documents": docs,
        "reusable": [x for x in docs if x["reusable"]],
    }


def _from_fields(number: str, docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """No dossier yet: take the person's details from a digitised document about them."""
    for doc in docs:
        f = doc["fields"]
        if f.get("cccd") == number and f.get("ho_ten"):
            return {
                "name": f["ho_ten"],
                "id_number": number,
                "address": f.get("dia_chi", ""),
                "phone": "",
            }
    return None
