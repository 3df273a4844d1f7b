"""Dossiers: reception, status changes, extensions, attached documents, printed forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import func, select

import forms
from api.deps import Box, Clerk, User
from hoso.paperwork import form_pdf, receipt_pdf
from ocr.sheets import DOC_TYPE, DOSSIER_CODE
from records.completeness import check, preview
from records.corrections import known_types
from records.dossiers import STATUS_VI, TRANSITIONS, Dossier, DossierStatus
from records.errors import BadInput
from records.reception import Person, ReceivedItem, ReceptionRequest, find, receive
from records.sql import UnitOfWork, dossiers_table, users_table
from records.workflow import attach, attach_waiting, documents_of, extend, history, set_status

router = APIRouter()


class PersonIn(BaseModel):
    name: str
    id_number: str
    address: str = ""
    phone: str = ""


class ReceivedIn(BaseModel):
    name: str
    copies: str = "original"
    count: int = 1
    type: str = ""


class ReceptionIn(BaseModel):
    procedure_code: str
    applicant: PersonIn
    channel: str = "direct"
    authorised: PersonIn | None = None
    received_at: datetime | None = None
    document_ids: list[int] = []
    reused_document_ids: list[int] = []  # already digitised: linked, not scanned again
    received_documents: list[ReceivedIn] | None = None


class StatusIn(BaseModel):
    status: str
    note: str = ""
    at: datetime | None = None


class ExtendIn(BaseModel):
    new_appointment: datetime
    reason: str


class AttachIn(BaseModel):
    document_id: int
    role: str = "submitted"
    reused: bool = False


def dossier_json(d: Dossier) -> dict[str, Any]:
    status = DossierStatus(d.status)
    return {
        "code": d.code,
        "procedure_code": d.procedure_code,
        "channel": str(d.channel),
        "status": status.value,
        "status_vi": STATUS_VI[status],
        "applicant": {
            "name": d.applicant_name,
            "id_number": d.applicant_id,
            "address": d.applicant_address,
            "phone": d.applicant_phone,
        },
        "authorised": {"name": d.authorised_name, "id_number": d.authorised_id}
        if d.authorised_name
        else None,
        "received": d.received_at.isoformat(),
        "appointment": d.appointment_at.isoformat(),
        "resolved": d.resolved_at.isoformat() if d.resolved_at else None,
        "returned": d.returned_at.isoformat() if d.returned_at else None,
        "lookup_key": d.lookup_key,
        "received_documents": d.received_documents or [],
        "allowed_next": sorted(s.value for s in TRANSITIONS[status]),
        "receipt_url": f"/api/dossiers/{d.code}/forms/receipt.pdf",
        "url": f"/dossiers/{d.code}",
    }


@router.post("/api/dossiers", status_code=201)
def receive_dossier(body: ReceptionIn, user: Clerk, box: Box) -> dict[str, Any]:
    request = ReceptionRequest(
        procedure_code=body.procedure_code,
        applicant=Person(**body.applicant.model_dump()),
        channel=_channel(body.channel),
        received_at=body.received_at,
        authorised=Person(**body.authorised.model_dump()) if body.authorised else None,
        documents=[ReceivedItem(**x.model_dump()) for x in body.received_documents]
        if body.received_documents is not None
        else None,
    )
    dossier = receive(box.uow, box.calendar, box.settings.unit_code, request, user.id)
    # papers scanned earlier behind its cover sheet
    attached = attach_waiting(box.uow, dossier.code)
    for doc_id in body.document_ids:
        attach(box.uow, dossier.code, doc_id, role="submitted", reused=False, user_id=user.id)
    for doc_id in body.reused_document_ids:
        attach(box.uow, dossier.code, doc_id, role="submitted", reused=True, user_id=user.id)
    for doc_id in dict.fromkeys([*attached, *body.document_ids, *body.reused_document_ids]):
        box.pipeline.reindex_document(doc_id)  # search filters on the dossier's procedure
    receipt_pdf(box, dossier.code)  # printed at the counter right away
    return dossier_json(dossier)


def _channel(value: str) -> Any:
    from records.dossiers import Channel

    try:
        return Channel(value)
    except ValueError as e:
        raise BadInput("Kênh tiếp nhận phải là direct, online hoặc postal") from e


@router.get("/api/dossiers")
def list_dossiers(
    _user: User,
    box: Box,
    status: str | None = None,
    applicant_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    t = dossiers_table
    query = select(Dossier).order_by(t.c.received_at.desc(), t.c.id.desc())
    if status:
        query = query.where(t.c.status == status)
    if applicant_id:
        query = query.where(t.c.applicant_id == applicant_id.strip())
    with box.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = uow.session.scalars(query.limit(min(max(limit, 1), 500)).offset(max(offset, 0)))
        return {"total": total, "dossiers": [dossier_json(d) for d in rows]}


@router.get("/api/dossiers/{code}")
def get_dossier(code: str, _user: User, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        d = find(uow, code)
        out = dossier_json(d)
        names = dict(uow.session.execute(select(users_table.c.id, users_table.c.name)).all())
        out["history"] = [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "from": e.status_from,
                "to": e.status_to,
                "note": e.note,
                "data": e.data,
                "user_id": e.user_id,
                "user_name": names.get(e.user_id),
            }
            for e in history(uow, d)
        ]
        out["documents"] = [
            {"document_id": x.document_id, "role": x.role, "reused": x.reused}
            for x in documents_of(uow, d)
        ]
        return out


@router.get("/api/dossiers/{code}/completeness")
def completeness(code: str, _user: User, box: Box) -> dict[str, Any]:
    """What the procedure requires against the classified documents attached."""
    with box.uow() as uow:
        return _with_type_names(check(uow, find(uow, code)).to_dict(), uow)


@router.get("/api/completeness")
def completeness_preview(
    procedure_code: str, _user: User, box: Box, document_id: list[int] | None = Query(None)
) -> dict[str, Any]:
    """The same check for documents not attached yet: reception shows it while the clerk
    picks scanned or reused documents, before the dossier exists."""
    with box.uow() as uow:
        return _with_type_names(preview(uow, procedure_code, document_id or []).to_dict(), uow)


def _with_type_names(out: dict[str, Any], uow: UnitOfWork) -> dict[str, Any]:
    """Each entry gains ``type_name``: the document type's Vietnamese label (built-in or
    added by an admin)."""
    labels = {t.code: t.label for t in known_types(uow)}
    for key in ("present", "missing", "optional_missing", "unexpected"):
        for entry in out[key]:
            entry["type_name"] = labels.get(entry["type"], entry["type"])
    return out


@router.post("/api/dossiers/{code}/status")
def change_status(code: str, body: StatusIn, user: User, box: Box) -> dict[str, Any]:
    d = set_status(box.uow, code, body.status, user_id=user.id, note=body.note, at=body.at)
    return dossier_json(d)


@router.post("/api/dossiers/{code}/extend")
def extend_deadline(code: str, body: ExtendIn, user: User, box: Box) -> dict[str, Any]:
    d, old = extend(box.uow, code, body.new_appointment, reason=body.reason, user_id=user.id)
    out = dossier_json(d)
    out["previous_appointment"] = old.isoformat()
    out["apology_url"] = f"/api/dossiers/{code}/forms/apology.pdf"
    return out


@router.post("/api/dossiers/{code}/documents", status_code=201)
def attach_document(code: str, body: AttachIn, user: User, box: Box) -> dict[str, Any]:
    link = attach(
        box.uow, code, body.document_id, role=body.role, reused=body.reused, user_id=user.id
    )
    box.pipeline.reindex_document(body.document_id)  # search filters on its procedure
    return {"document_id": link.document_id, "role": link.role, "reused": link.reused}


@router.get("/api/sheets.pdf")
def sheets(
    _user: User, dossier: str | None = None, doc_type: list[str] | None = Query(None)
) -> Response:
    """A cover sheet for a dossier and/or separator sheets per document type, to print."""
    doc_types = doc_type or []
    if not dossier and not doc_types:
        raise BadInput("Cần mã hồ sơ (dossier) và/hoặc loại giấy tờ (doc_type)")
    if dossier and not DOSSIER_CODE.fullmatch(dossier):
        raise BadInput(f"Mã hồ sơ '{dossier}' không đúng dạng 000.00.12.H56-260302-0001")
    if any(not DOC_TYPE.fullmatch(t) for t in doc_types):
        raise BadInput("Loại giấy tờ chỉ gồm chữ thường, số và gạch dưới")
    data = forms.separator_sheets_pdf(dossier_code=dossier, doc_types=doc_types)
    return Response(data, media_type="application/pdf")


@router.get("/api/dossiers/{code}/forms/{name}.pdf")
def dossier_form(code: str, name: str, _user: User, box: Box) -> Response:
    """receipt (01), supplement (02), refusal (03), apology (04)."""
    data = receipt_pdf(box, code) if name == "receipt" else form_pdf(box, code, name)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{code}-{name}.pdf"'},
    )
