"""Dossiers (hồ sơ) of administrative procedures: the domain types.

Status names follow the National Public Service Portal's codes (domain-vn.md):
1 newly registered, 2 received, 3 not accepted, 4 processing, 5 supplement requested,
6 financial obligation requested, 7 withdrawn by citizen, 8 processing stopped,
9 processed, 10 result returned. Channel (KÊNH): 1 direct, 2 online, 3 postal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from records.errors import Conflict


class Channel(StrEnum):
    DIRECT = "direct"
    ONLINE = "online"
    POSTAL = "postal"


PORTAL_CHANNEL = {Channel.DIRECT: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}


class DossierStatus(StrEnum):
    RECEIVED = "received"
    NOT_ACCEPTED = "not_accepted"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    FINANCIAL_OBLIGATION = "financial_obligation"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    PROCESSED = "processed"
    RETURNED = "returned"


PORTAL_STATUS = {
    DossierStatus.RECEIVED: 2,
    DossierStatus.NOT_ACCEPTED: 3,
    DossierStatus.PROCESSING: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.FINANCIAL_OBLIGATION: 6,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOPPED: 8,
    DossierStatus.PROCESSED: 9,
    DossierStatus.RETURNED: 10,
}

STATUS_VI = {
    DossierStatus.RECEIVED: "Đã tiếp nhận",
    DossierStatus.NOT_ACCEPTED: "Không tiếp nhận",
    DossierStatus.PROCESSING: "Đang giải quyết",
    DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung hồ sơ",
    DossierStatus.FINANCIAL_OBLIGATION: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Công dân rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.PROCESSED: "Đã giải quyết xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
}

#: Statuses that end a dossier without a result (counted as withdrawn/returned in II.06a).
WITHDRAWN_LIKE = frozenset(
    {DossierStatus.NOT_ACCEPTED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED}
)
#: Statuses that mean the result is ready or handed over (counted as resolved).
RESOLVED = frozenset({DossierStatus.PROCESSED, DossierStatus.RETURNED})


@dataclass(frozen=True)
class DossierFacts:
    """What the statistics need to know about one dossier (a snapshot, no ORM).

    ``resolved_at``: when it first reached PROCESSED (or RETURNED directly), else None.
    ``ended_at``/``ended_as``: when and how it ended without a result (a WITHDRAWN_LIKE
    status), else None. Times are timezone-aware.
    """

    code: str
    procedure_code: str
    field: str  # lĩnh vực of the procedure
    channel: Channel
    received_at: datetime
    appointment_at: datetime
    resolved_at: datetime | None = None
    ended_at: datetime | None = None
    ended_as: DossierStatus | None = None
    rating: str | None = None  # very_satisfied | satisfied | not_satisfied


# -- the mapped records -------------------------------------------------------------


@dataclass(eq=False)
class Dossier:
    code: str
    procedure_code: str
    channel: Channel
    applicant_name: str
    applicant_id: str
    received_at: datetime
    appointment_at: datetime
    lookup_key: str  # the check value printed on the receipt, needed for public lookup
    received_by: int | None = None
    status: DossierStatus = DossierStatus.RECEIVED
    applicant_address: str = ""
    applicant_phone: str = ""
    authorised_name: str | None = None
    authorised_id: str | None = None
    resolved_at: datetime | None = None
    ended_at: datetime | None = None
    returned_at: datetime | None = None
    rating: str | None = None
    rated_at: datetime | None = None
    receipt_sha256: str | None = None
    #: what the clerk ticked at the counter: [{"type", "name", "copies", "count"}]
    received_documents: list[dict[str, Any]] | None = None
    id: int | None = None


@dataclass(eq=False)
class DossierEvent:
    """One line of a dossier's history: who did what, when, and why."""

    dossier_id: int
    at: datetime
    kind: str  # received | status | extended | attached | rated
    status_from: str | None = None
    status_to: str | None = None
    note: str = ""
    user_id: int | None = None
    data: dict[str, Any] | None = None  # structured details, e.g. an extension's dates
    id: int | None = None


@dataclass(eq=False)
class DossierDocument:
    """A digitised document attached to a dossier (submitted by the citizen or a result)."""

    dossier_id: int
    document_id: int
    role: str = "submitted"  # submitted | result
    reused: bool = False  # linked from an earlier dossier instead of scanned again
    attached_at: datetime | None = None
    id: int | None = None


# -- the state machine ---------------------------------------------------------------

TRANSITIONS: dict[DossierStatus, frozenset[DossierStatus]] = {
    DossierStatus.RECEIVED: frozenset(
        {
            DossierStatus.PROCESSING,
            DossierStatus.NOT_ACCEPTED,
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.FINANCIAL_OBLIGATION,
            DossierStatus.WITHDRAWN,
            DossierStatus.STOPPED,
            DossierStatus.PROCESSED,
        }
    ),
    DossierStatus.PROCESSING: frozenset(
        {
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.FINANCIAL_OBLIGATION,
            DossierStatus.WITHDRAWN,
            DossierStatus.STOPPED,
            DossierStatus.PROCESSED,
        }
    ),
    DossierStatus.SUPPLEMENT_REQUESTED: frozenset(
        {DossierStatus.PROCESSING, DossierStatus.WITHDRAWN, DossierStatus.STOPPED}
    ),
    DossierStatus.FINANCIAL_OBLIGATION: frozenset(
        {
            DossierStatus.PROCESSING,
            DossierStatus.PROCESSED,
            DossierStatus.WITHDRAWN,
            DossierStatus.STOPPED,
        }
    ),
    DossierStatus.PROCESSED: frozenset({DossierStatus.RETURNED}),
    DossierStatus.NOT_ACCEPTED: frozenset(),
    DossierStatus.WITHDRAWN: frozenset(),
    DossierStatus.STOPPED: frozenset(),
    DossierStatus.RETURNED: frozenset(),
}


def transition(
    dossier: Dossier, to: DossierStatus, *, at: datetime, user_id: int | None, note: str = ""
) -> DossierEvent:
    """Move a dossier to ``to`` if the workflow allows it; return the history line."""
    current = DossierStatus(dossier.status)
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(STATUS_VI[s] for s in sorted(TRANSITIONS[current])) or "không có"
        raise Conflict(
            f"Hồ sơ {dossier.code} đang ở trạng thái '{STATUS_VI[current]}', không thể chuyển "
            f"sang '{STATUS_VI[to]}' (được phép: {allowed})"
        )
    if at < dossier.received_at:
        raise Conflict(f"Thời điểm {at.isoformat()} sớm hơn lúc tiếp nhận hồ sơ {dossier.code}")
    dossier.status = to
    if to in RESOLVED and dossier.resolved_at is None:
        dossier.resolved_at = at
    if to == DossierStatus.RETURNED:
        dossier.returned_at = at
    if to in WITHDRAWN_LIKE:
        dossier.ended_at = at
    assert dossier.id is not None
    return DossierEvent(
        dossier_id=dossier.id,
        at=at,
        kind="status",
        status_from=current.value,
        status_to=to.value,
        note=note,
        user_id=user_id,
    )
