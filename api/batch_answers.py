"""How an upload answers, whichever way the files came (multipart or tus): the batch's
accepted files, duplicates and refusals, and the check of its OCR languages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ingest.upload import Received
from records.errors import BadInput, Conflict, UnsupportedFile

LANGUAGE_CHARS = set("abcdefghijklmnopqrstuvwxyz_+")


def check_language(value: object, default: str) -> str:
    """A batch's OCR languages (``vie``, ``vie+eng``), checked before any work starts."""
    lang = str(value or default).strip()
    if not lang or not set(lang) <= LANGUAGE_CHARS or len(lang) > 50:
        raise BadInput(f"Ngôn ngữ nhận dạng '{lang}' không hợp lệ (ví dụ: vie, vie+eng)")
    return lang


def entry_of(received: Received) -> tuple[str, dict[str, Any]]:
    """Where one received file goes in a batch answer (``accepted``, ``duplicates`` or
    ``errors``) and what is said about it."""
    if received.error:
        return "errors", {"source": received.filename, "message": received.error}
    if received.duplicate:
        d = received.duplicate
        return "duplicates", {
            "source": received.filename,
            "message": d.message,
            "duplicate_of": d.source_id,
            "document_id": d.document_id,
            "batch_id": d.batch_id,
        }
    return "accepted", {"source": received.filename, "source_id": received.source_id}


def batch_answer(
    batch_id: int | None, entries: Iterable[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """``{id, url, accepted, duplicates, errors}``; 4xx naming each file when none of
    them was accepted (a new file or a duplicate)."""
    answer: dict[str, Any] = {"accepted": [], "duplicates": [], "errors": []}
    for kind, entry in entries:
        answer[kind].append(entry)
    if batch_id is None or (not answer["accepted"] and not answer["duplicates"]):
        refused = "; ".join(f"{e['source']}: {e['message']}" for e in answer["errors"])
        if batch_id is None:  # nothing complete arrived: no batch was made
            raise Conflict(f"Không tệp nào được nhận: {refused}")
        raise UnsupportedFile(f"Không tệp nào được nhận: {refused}")
    return {"id": batch_id, "url": f"/api/batches/{batch_id}", **answer}
