"""Signing: a user's own key, the leaders' inbox of results, the clerks' queue of
digitised copies. The password or PIN comes with each batch request and is only used to
open the key for that batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import Box, User, require
from records.errors import BadInput, Forbidden, NotFound
from records.model import Document, Role
from records.model import User as UserRow
from records.reception import find
from records.signing_model import ImageKind, KeyKind, SignatureTask, StampImage, TaskKind, UserKey
from records.signing_queue import (
    QueueItem,
    delete_key,
    delete_stamp_image,
    digitised_queue,
    inbox,
    key_of,
    keys_overview,
    reject,
    request_signature,
    save_key,
    save_stamp_image,
    stamp_image,
)
from records.users import Identity
from records.workflow import attach
from signing.images import MAX_IMAGE_BYTES, normalise_stamp_image
from signing.keystore import MAX_P12_BYTES, p12_key, pkcs11_key

router = APIRouter()
Leader = Annotated[Identity, Depends(require(Role.LEADER))]
Sender = Annotated[Identity, Depends(require(Role.STAFF, Role.LEADER))]
Clerk = Annotated[Identity, Depends(require(Role.CLERK))]
Admin = Annotated[Identity, Depends(require())]


def key_json(key: UserKey | None) -> dict[str, Any] | None:
    if key is None:
        return None
    return {
        "kind": str(key.kind),
        "kind_vi": "Tệp khoá PKCS#12" if key.kind == KeyKind.PKCS12 else "Token PKCS#11",
        "subject": key.subject,
        "title": key.title,
        "not_after": key.not_after.isoformat(),
        "expired": key.not_after < datetime.now(UTC),
        "token_label": key.token_label,
        "key_label": key.key_label,
        "module_path": key.module_path,
        "created": key.created.isoformat(),
    }


def image_json(image: StampImage | None, url: str) -> dict[str, Any] | None:
    if image is None:
        return None
    return {
        "url": url,
        "width": image.width,
        "height": image.height,
        "created": image.created.isoformat(),
    }


SIGNATURE_URL = "/api/me/signature-image"
SEAL_URL = "/api/signing/seal"


# -- my key ---------------------------------------------------------------------------


@router.get("/api/me/signing-key")
def my_key(user: User, box: Box) -> dict[str, Any]:
    """My key, my signature image and the agency seal (both printed in results' stamps)."""
    with box.uow() as uow:
        return {
            "key": key_json(key_of(uow, user.id)),
            "signature_image": image_json(
                stamp_image(uow, ImageKind.SIGNATURE, user.id), SIGNATURE_URL
            ),
            "seal": image_json(stamp_image(uow, ImageKind.SEAL), SEAL_URL),
        }


async def _read_image(upload: UploadFile) -> bytes:
    return await upload.read(MAX_IMAGE_BYTES + 1)


def _keep_image(box: Box, data: bytes, kind: ImageKind, user_id: int | None, by: int) -> StampImage:
    """Check and normalise the picture, store the PNG, then point the row at it."""
    picture = normalise_stamp_image(data, "seal" if kind == ImageKind.SEAL else "signature")
    sha = box.store.put_bytes(picture.png)
    image = StampImage(
        kind=kind,
        sha256=sha,
        width=picture.width,
        height=picture.height,
        user_id=user_id,
        uploaded_by=by,
    )
    with box.uow() as uow:
        save_stamp_image(uow, image)
        uow.commit()
    return image


def _png(box: Box, image: StampImage | None, missing: str) -> Response:
    if image is None:
        raise NotFound(missing)
    return Response(
        box.store.get_bytes(image.sha256),
        media_type="image/png",
        headers={"Cache-Control": "no-store"},
    )


@router.post("/api/me/signing-key/p12", status_code=201)
async def register_p12(
    user: User,
    box: Box,
    file: UploadFile = File(...),
    password: str = Form(""),
    title: str = Form(""),
    signature_image: UploadFile | None = File(None),
) -> dict[str, Any]:
    """The .p12/.pfx is checked with its password, then stored encrypted; the password
    itself is not kept (it is asked again at each signing). An optional
    ``signature_image`` (PNG/JPEG) is checked first and kept as the user's signature."""
    data = await file.read(MAX_P12_BYTES + 1)
    picture = await _read_image(signature_image) if signature_image is not None else b""
    if signature_image is not None and picture:
        normalise_stamp_image(picture, "signature")  # refuse a bad picture before anything
    key = p12_key(user.id, data, password, box.vault, title=title)
    with box.uow() as uow:
        save_key(uow, key)
        uow.commit()
    image = None
    if picture:
        image = _keep_image(box, picture, ImageKind.SIGNATURE, user.id, user.id)
    return {
        "key": key_json(key),
        "signature_image": image_json(image, SIGNATURE_URL),
    }


@router.post("/api/me/signature-image", status_code=201)
async def upload_signature_image(
    user: User, box: Box, file: UploadFile = File(...)
) -> dict[str, Any]:
    """My handwritten signature (PNG, transparent background, or JPEG on white), printed
    in the stamp of the results I sign."""
    image = _keep_image(box, await _read_image(file), ImageKind.SIGNATURE, user.id, user.id)
    return {"signature_image": image_json(image, SIGNATURE_URL)}


@router.get("/api/me/signature-image")
def my_signature_image(user: User, box: Box) -> Response:
    with box.uow() as uow:
        image = stamp_image(uow, ImageKind.SIGNATURE, user.id)
    return _png(box, image, "Bạn chưa tải lên ảnh chữ ký")


@router.delete("/api/me/signature-image")
def remove_signature_image(user: User, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        removed = delete_stamp_image(uow, ImageKind.SIGNATURE, user.id)
        uow.commit()
    return {"removed": removed}


@router.get(SEAL_URL)
def agency_seal(_user: User, box: Box) -> Response:
    with box.uow() as uow:
        image = stamp_image(uow, ImageKind.SEAL)
    return _png(box, image, "Chưa có ảnh con dấu của cơ quan")


@router.post(SEAL_URL, status_code=201)
async def upload_seal(admin: Admin, box: Box, file: UploadFile = File(...)) -> dict[str, Any]:
    """The agency's seal (one per deployment; replaces the earlier one), printed over the
    left third of the leader's signature in signed results (Decree 30/2020)."""
    image = _keep_image(box, await _read_image(file), ImageKind.SEAL, None, admin.id)
    return {"seal": image_json(image, SEAL_URL)}


@router.delete(SEAL_URL)
def remove_seal(_admin: Admin, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        removed = delete_stamp_image(uow, ImageKind.SEAL)
        uow.commit()
    return {"removed": removed}


class TokenIn(BaseModel):
    module_path: str
    token_label: str
    key_label: str
    pin: str
    title: str = ""


@router.post("/api/me/signing-key/pkcs11", status_code=201)
def register_token(body: TokenIn, user: User, box: Box) -> dict[str, Any]:
    """The token is opened once with the PIN to find the key and certificate; the PIN is
    not kept. Only modules the administrator listed in HOSO_PKCS11_MODULES are loaded."""
    key = pkcs11_key(
        user.id,
        module_path=body.module_path,
        token_label=body.token_label,
        key_label=body.key_label,
        pin=body.pin,
        allowed_modules=box.settings.pkcs11_modules,
        title=body.title,
    )
    with box.uow() as uow:
        save_key(uow, key)
        uow.commit()
        return {"key": key_json(key)}


@router.delete("/api/me/signing-key")
def remove_key(user: User, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        removed = delete_key(uow, user.id)
        uow.commit()
    return {"removed": removed}


@router.get("/api/signing-keys")
def all_keys(_admin: Admin, box: Box) -> dict[str, Any]:
    """Who has a signing key (administrators)."""
    with box.uow() as uow:
        return {
            "users": [
                {"name": u.name, "role": str(u.role), "key": key_json(k)}
                for u, k in keys_overview(uow)
            ]
        }


# -- queues ---------------------------------------------------------------------------


def item_json(item: QueueItem, names: dict[int, str]) -> dict[str, Any]:
    t, doc, dossier = item.task, item.document, item.dossier
    base = f"/api/documents/{doc.id}"
    return {
        "task_id": t.id,
        "document_id": doc.id,
        "kind": str(t.kind),
        "pages": doc.page_count,
        "doc_type": doc.doc_type,
        "batch_id": doc.batch_id,
        "created": t.created.isoformat(),
        "scanned_at": doc.created.isoformat(),
        "requested_by": names.get(t.requested_by or 0),
        "dossier": {
            "code": dossier.code,
            "procedure_code": dossier.procedure_code,
            "applicant_name": dossier.applicant_name,
            "status": str(dossier.status),
        }
        if dossier
        else None,
        "pdf_url": f"{base}/pdf",
        "thumb_url": f"{base}/pages/1/thumb",
        "page_url": f"/documents/{doc.id}",
    }


def _names(box: Box) -> dict[int, str]:
    with box.uow() as uow:
        return {u.id or 0: u.name for u in uow.session.scalars(select(UserRow))}


@router.get("/api/signing/inbox")
def leader_inbox(_user: Leader, box: Box) -> dict[str, Any]:
    """Results waiting for a leader's signature, across dossiers."""
    names = _names(box)
    with box.uow() as uow:
        items = inbox(uow)
        uow.commit()  # tasks created for newly attached results
        return {"items": [item_json(i, names) for i in items]}


class SignIn(BaseModel):
    task_ids: list[int]
    secret: str = ""  # the PKCS#12 password or the token PIN, used for this batch only


@router.post("/api/signing/inbox/sign")
def sign_results(body: SignIn, user: Leader, box: Box) -> dict[str, Any]:
    """Sign several results with one password/PIN entry (the key is opened once)."""
    return box.signing_desk.sign_results(user.id, body.task_ids, body.secret).to_json()


class RejectIn(BaseModel):
    note: str


@router.post("/api/signing/tasks/{task_id}/reject")
def reject_result(task_id: int, body: RejectIn, user: Leader, box: Box) -> dict[str, Any]:
    with box.uow() as uow:
        task = reject(uow, task_id, body.note, user_id=user.id)
        uow.commit()
        return {"task_id": task.id, "status": str(task.status), "note": task.note}


class RequestIn(BaseModel):
    dossier_code: str
    document_id: int


@router.post("/api/signing/requests", status_code=201)
def send_for_signature(body: RequestIn, user: Sender, box: Box) -> dict[str, Any]:
    """Staff send a result to the leaders (attaching it as the dossier's result if it is
    not yet), e.g. again after a leader sent it back."""
    attach(
        box.uow, body.dossier_code, body.document_id, role="result", reused=False, user_id=user.id
    )
    box.pipeline.reindex_document(body.document_id)  # search filters on its procedure
    with box.uow() as uow:
        task = request_signature(
            uow, find(uow, body.dossier_code), body.document_id, user_id=user.id
        )
        uow.commit()
        return {"task_id": task.id, "status": str(task.status)}


@router.get("/api/signing/digitised")
def clerk_queue(user: Clerk, box: Box, batch_id: int | None = None) -> dict[str, Any]:
    """Digitised copies of my scans waiting for my signature (Circular 01/2023)."""
    if not box.settings.sign_digitised_copies:
        return {"enabled": False, "items": []}
    names = _names(box)
    with box.uow() as uow:
        items = digitised_queue(uow, user.id, batch_id)
        uow.commit()
        return {"enabled": True, "items": [item_json(i, names) for i in items]}


class SignDigitisedIn(BaseModel):
    task_ids: list[int] = []
    batch_id: int | None = None  # every waiting copy of this batch instead of a list
    secret: str = ""


@router.post("/api/signing/digitised/sign")
def sign_digitised(body: SignDigitisedIn, user: Clerk, box: Box) -> dict[str, Any]:
    if not box.settings.sign_digitised_copies:
        raise BadInput("Ký số bản số hóa đang tắt trong cấu hình (HOSO_SIGN_DIGITISED_COPIES)")
    ids = list(body.task_ids)
    if body.batch_id is not None:
        with box.uow() as uow:
            ids += [i.task.id or 0 for i in digitised_queue(uow, user.id, body.batch_id)]
            uow.commit()
        if not ids:
            raise BadInput(f"Lô quét {body.batch_id} không còn bản số hóa nào chờ bạn ký")
    return box.signing_desk.sign_digitised(user.id, ids, body.secret).to_json()


@router.get("/api/signing/tasks/{task_id}/signed.pdf")
def signed_pdf(task_id: int, user: User, box: Box) -> Response:
    with box.uow() as uow:
        task = uow.session.get(SignatureTask, task_id)
        if task is None or not task.signed_sha256:
            raise NotFound(f"Yêu cầu ký {task_id} chưa có bản đã ký")
        own = task.assignee_id == user.id
        if task.kind == TaskKind.DIGITISED and user.role == Role.CLERK and not own:
            raise Forbidden("Bản số hóa này thuộc lô quét của người khác")
        key = task.signed_sha256
    return Response(
        box.store.get_bytes(key),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="da-ky-{task_id}.pdf"'},
    )


@router.get("/api/documents/{doc_id}/signed.pdf")
def document_signed_pdf(doc_id: int, _user: User, box: Box) -> Response:
    """The latest signed version of a document (the unsigned one stays at ``…/pdf``)."""
    with box.uow() as uow:
        doc = uow.session.get(Document, doc_id)
        if doc is None or not doc.signed_pdf_sha256:
            raise NotFound(f"Tài liệu {doc_id} chưa được ký số")
        key = doc.signed_pdf_sha256
    return Response(
        box.store.get_bytes(key),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="tai-lieu-{doc_id}-da-ky.pdf"'},
    )
