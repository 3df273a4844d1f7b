"""What the printable forms of Circular 01/2018/TT-VPCP are filled in with.

Plain frozen values, no ORM: the product copies what it holds into these and calls the
renderers in ``forms.pdf``. Names are written as people read them ("Trung tâm Phục vụ
hành chính công xã An Bình"); the renderers upper-case what the layout needs in capitals.

Times may be aware (converted to Vietnam time) or naive (taken as Vietnam time already).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Agency:
    """The receiving agency, as printed in the top-left block of every form.

    ``parent`` is the governing body printed above the name (cơ quan chủ quản, e.g.
    "Ủy ban nhân dân xã An Bình"); ``place`` is the place name of the date line ("An Bình,
    ngày …"), which Decree 30/2020 takes from the agency's locality; it defaults to
    ``province``.
    """

    name: str
    unit_code: str
    address: str
    phone: str
    province: str
    parent: str = ""
    place: str = ""

    @property
    def locality(self) -> str:
        return self.place or self.province


@dataclass(frozen=True, slots=True)
class Person:
    """An applicant or an authorised person; ``id_number`` is the 12-digit personal ID."""

    name: str
    id_number: str
    address: str
    phone: str
    email: str = ""


@dataclass(frozen=True, slots=True)
class ReceivedDocument:
    """One row of the documents received: ``copies`` is the form of the paper as the
    office words it ("bản chính", "bản sao", "bản sao chứng thực")."""

    name: str
    copies: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class DossierSlip:
    """Everything Form 01 (receipt and appointment slip) shows.

    ``lookup_url`` is the public status page; the printed link and the QR code carry the
    dossier code and ``check_value`` (mã tra cứu) with it, see ``forms.text.lookup_link``.
    ``fee_vnd`` None leaves the fee line out, 0 prints that no fee is charged.
    ``processing_time`` ("20 ngày làm việc") and ``result_place`` (where the result is
    collected) are printed when given.
    """

    code: str
    procedure_code: str
    procedure_name: str
    field: str
    agency: Agency
    applicant: Person
    authorised: Person | None
    channel_vi: str
    received_at: datetime
    appointment_at: datetime
    documents: Sequence[ReceivedDocument]
    officer_name: str
    lookup_url: str
    check_value: str
    fee_vnd: int | None = None
    processing_time: str = ""
    result_place: str = ""


@dataclass(frozen=True, slots=True)
class SupplementRequest:
    """Form 02: what the applicant must add or complete, and why.

    ``officer_name`` is the person who guides the applicant (người hướng dẫn); empty means
    the officer who received the dossier.
    """

    slip: DossierSlip
    missing: Sequence[str]
    reason: str
    requested_at: datetime
    officer_name: str = ""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Form 03: the dossier is not accepted or not resolved, with the reasons."""

    slip: DossierSlip
    reasons: Sequence[str]
    refused_at: datetime
    officer_name: str = ""


@dataclass(frozen=True, slots=True)
class Apology:
    """Form 04: the result is late; the agency apologises and sets a new date.

    The form is signed by the head of the agency, so the signer's title ("CHỦ TỊCH",
    "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", lines split with "/") and name are given here.
    """

    slip: DossierSlip
    reason: str
    old_appointment: datetime
    new_appointment: datetime
    issued_at: datetime
    signer_title: str = "Thủ trưởng cơ quan"
    signer_name: str = ""
