"""Printed forms for a dossier: what the records hold, copied into ``forms``' values.

Receipts are stored in the object store (content-addressed) the first time they are
printed, so the slip handed to the citizen can always be printed again identically.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import forms
from hoso.bootstrap import Container
from records.catalogue_store import get_procedure
from records.completeness import check
from records.dossiers import Channel, Dossier, DossierEvent, DossierStatus
from records.errors import Conflict, NotFound
from records.model import User, now
from records.procedures import COPIES, Procedure
from records.reception import find
from records.workflow import history, missing_items

CHANNEL_VI = {
    Channel.DIRECT: "Trực tiếp",
    Channel.ONLINE: "Trực tuyến",
    Channel.POSTAL: "Dịch vụ bưu chính công ích",
}


def _agency(box: Container) -> forms.Agency:
    s = box.settings
    return forms.Agency(
        name=s.agency_name,
        unit_code=s.unit_code,
        address=s.agency_address,
        phone="",
        province=s.province,
    )


def _time_limit(p: Procedure) -> str:
    if p.same_day:
        return "Trong ngày (nhận sau 15 giờ trả ngày làm việc tiếp theo)"
    if p.working_days is not None:
        return f"{p.working_days} ngày làm việc"
    return f"{p.hours:g} giờ làm việc"


def slip_for(box: Container, d: Dossier, p: Procedure, officer: str) -> forms.DossierSlip:
    person = forms.Person(d.applicant_name, d.applicant_id, d.applicant_address, d.applicant_phone)
    authorised = (
        forms.Person(d.authorised_name, d.authorised_id or "", "", "")
        if d.authorised_name
        else None
    )
    return forms.DossierSlip(
        code=d.code,
        procedure_code=p.code,
        procedure_name=p.name,
        field=p.field,
        agency=_agency(box),
        applicant=person,
        authorised=authorised,
        channel_vi=CHANNEL_VI[Channel(d.channel)],
        received_at=d.received_at,
        appointment_at=d.appointment_at,
        documents=[
            forms.ReceivedDocument(str(i["name"]), COPIES[str(i["copies"])], int(i["count"]))
            for i in d.received_documents or []
        ],
        officer_name=officer,
        lookup_url=f"{box.settings.public_url.rstrip('/')}/tra-cuu",
        check_value=d.lookup_key,
        fee_vnd=p.fee_vnd,
        processing_time=_time_limit(p),
    )


def _load(box: Container, code: str) -> tuple[Dossier, Procedure, str]:
    with box.uow() as uow:
        d = find(uow, code)
        p = get_procedure(uow, d.procedure_code)
        officer = ""
        if d.received_by is not None:
            user = uow.session.get(User, d.received_by)
            officer = user.name if user else ""
        return d, p, officer


def receipt_pdf(box: Container, code: str) -> bytes:
    """Form 01, made once and kept; later prints return the same bytes."""
    d, p, officer = _load(box, code)
    if d.receipt_sha256:
        return box.store.get_bytes(d.receipt_sha256)
    data = forms.receipt_pdf(slip_for(box, d, p, officer))
    key = box.store.put_bytes(data)
    with box.uow() as uow:
        find(uow, code).receipt_sha256 = key
        uow.commit()
    return data


def export_receipt(box: Container, code: str) -> Path:
    data = receipt_pdf(box, code)
    folder = box.settings.data_dir / "exports" / "receipts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}.pdf"
    path.write_bytes(data)
    return path.resolve()


def _last_event(
    box: Container, d: Dossier, kind: str, status: str | None = None
) -> DossierEvent | None:
    with box.uow() as uow:
        for e in reversed(history(uow, d)):
            if e.kind == kind and (status is None or e.status_to == status):
                return e
    return None


def _last_note(
    box: Container, d: Dossier, kind: str, status: str | None = None
) -> tuple[str, datetime]:
    e = _last_event(box, d, kind, status)
    return (e.note, e.at) if e else ("", now())


def form_pdf(box: Container, code: str, name: str) -> bytes:
    """Forms 02 (supplement), 03 (refusal) and 04 (apology), from the dossier's history."""
    d, p, officer = _load(box, code)
    slip = slip_for(box, d, p, officer)
    if name == "supplement":
        if d.status != DossierStatus.SUPPLEMENT_REQUESTED:
            raise Conflict("Hồ sơ không ở trạng thái yêu cầu bổ sung")
        note, at = _last_note(box, d, "status", DossierStatus.SUPPLEMENT_REQUESTED.value)
        missing = missing_items(note)
        if not missing:  # prefill from the completeness check
            with box.uow() as uow:
                missing = [m["name"] for m in check(uow, find(uow, code)).missing]
        return forms.supplement_request_pdf(
            forms.SupplementRequest(
                slip=slip,
                missing=missing or ["(chưa ghi)"],
                reason="Thành phần hồ sơ chưa đầy đủ theo quy định của thủ tục",
                requested_at=at,
            )
        )
    if name == "refusal":
        if d.status not in (DossierStatus.NOT_ACCEPTED, DossierStatus.STOPPED):
            raise Conflict("Hồ sơ không ở trạng thái từ chối hoặc dừng xử lý")
        note, at = _last_note(box, d, "status", str(d.status))
        return forms.refusal_pdf(
            forms.Refusal(slip=slip, reasons=[note or "(không ghi lý do)"], refused_at=at)
        )
    if name == "apology":
        event = _last_event(box, d, "extended")
        if event is None or not event.data:
            raise Conflict("Hồ sơ chưa được gia hạn")
        return forms.apology_pdf(
            forms.Apology(
                slip=slip,
                reason=str(event.data["reason"]),
                old_appointment=datetime.fromisoformat(str(event.data["old"])),
                new_appointment=datetime.fromisoformat(str(event.data["new"])),
                issued_at=event.at,
            )
        )
    raise NotFound(f"Không có mẫu '{name}' (receipt, supplement, refusal, apology)")
