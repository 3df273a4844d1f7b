"""Dossiers: reception (codes, appointments), the status workflow and its history,
extensions, attachments, the citizen's lookup and rating."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from records.calendar_store import set_day, working_calendar
from records.catalogue_store import get_procedure, list_procedures, seed_procedures
from records.dossiers import Channel, DossierStatus
from records.errors import BadInput, Conflict, NotFound
from records.identity import validate_cccd
from records.migrate import upgrade
from records.reception import Person, ReceptionRequest, find, receive
from records.sql import UnitOfWork, make_engine, session_factory
from records.workflow import extend, history, lookup, rate, set_status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNIT = "000.00.12.H56"
ID = "001203004567"


class Office:
    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'db.sqlite'}"
        upgrade(url)
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)
        with self.uow() as uow:
            seed_procedures(uow)
            uow.commit()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def receive(self, procedure: str = "1.001193", at: datetime | None = None, **kw: object):  # type: ignore[no-untyped-def]
        request = ReceptionRequest(
            procedure_code=procedure,
            applicant=Person(str(kw.get("name", "Nguyễn Văn An")), str(kw.get("id", ID))),
            channel=Channel(str(kw.get("channel", "direct"))),
            received_at=at or datetime(2026, 3, 2, 9, 0, tzinfo=VN),
        )
        return receive(self.uow, working_calendar, UNIT, request, None)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    o = Office(tmp_path)
    yield o
    o.engine.dispose()


def test_shipped_catalogue_has_the_commune_procedures(office: Office) -> None:
    with office.uow() as uow:
        procs = {p.code: p for p in list_procedures(uow)}
        birth = get_procedure(uow, "1.001193")
    assert len(procs) >= 8
    assert birth.same_day and "to_khai_khai_sinh" in birth.to_dict()["required_documents"]
    assert {p.field for p in procs.values()} >= {"Hộ tịch", "Chứng thực", "Đất đai", "Cư trú"}
    assert all(p.verified is False and p.source for p in procs.values())


def test_code_format_and_daily_sequence(office: Office) -> None:
    a = office.receive(at=datetime(2026, 3, 2, 9, 0, tzinfo=VN))
    b = office.receive(at=datetime(2026, 3, 2, 10, 0, tzinfo=VN))
    c = office.receive(at=datetime(2026, 3, 3, 8, 0, tzinfo=VN))
    assert [a.code, b.code, c.code] == [
        f"{UNIT}-260302-0001",
        f"{UNIT}-260302-0002",
        f"{UNIT}-260303-0001",
    ]


def test_code_uses_the_local_date(office: Office) -> None:
    """23:30 UTC on 1 March is 06:30 on 2 March in Vietnam: the code says 260302."""
    d = office.receive(at=datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert "-260302-" in d.code


def test_appointments(office: Office) -> None:
    same_day = office.receive("1.001193", at=datetime(2026, 3, 2, 9, 0, tzinfo=VN))
    late = office.receive("1.001193", at=datetime(2026, 3, 2, 15, 30, tzinfo=VN))
    land = office.receive("1.012760", at=datetime(2026, 3, 2, 9, 0, tzinfo=VN))
    assert same_day.appointment_at.astimezone(VN).date() == date(2026, 3, 2)
    assert late.appointment_at.astimezone(VN).date() == date(2026, 3, 3)
    # 20 working days from Mon 2 March 09:00: 4 full weeks → Mon 30 March 09:00
    assert land.appointment_at.astimezone(VN) == datetime(2026, 3, 30, 9, 0, tzinfo=VN)


def test_calendar_edits_move_appointments(office: Office) -> None:
    with office.uow() as uow:
        set_day(uow, date(2026, 3, 3), "off", "Nghỉ bù (thử)")
        uow.commit()
    late = office.receive("1.001193", at=datetime(2026, 3, 2, 15, 30, tzinfo=VN))
    assert late.appointment_at.astimezone(VN).date() == date(2026, 3, 4)


def test_bad_reception_input(office: Office) -> None:
    with pytest.raises(BadInput, match="12 chữ số"):
        office.receive(id="12345")
    with pytest.raises(BadInput, match="mã tỉnh"):
        office.receive(id="099203004567")
    with pytest.raises(NotFound, match="thủ tục"):
        office.receive("9.999999")
    with pytest.raises(BadInput, match="họ tên"):
        office.receive(name="  ")


def test_cccd_structure() -> None:
    assert validate_cccd("001 203 004 567") == "001203004567"
    with pytest.raises(BadInput, match="tương lai"):
        validate_cccd("001299004567", today=date(2026, 1, 1))  # born 2099


def test_workflow_and_history(office: Office) -> None:
    d = office.receive("1.012760")
    t = datetime(2026, 3, 5, 10, 0, tzinfo=VN)
    set_status(office.uow, d.code, "processing", user_id=None, at=t)
    set_status(office.uow, d.code, "supplement_requested", user_id=None, note="Thiếu bản đồ", at=t)
    set_status(office.uow, d.code, "processing", user_id=None, at=t)
    done = set_status(office.uow, d.code, "processed", user_id=None, at=t)
    assert done.resolved_at == t
    with pytest.raises(Conflict, match="không thể chuyển"):
        set_status(office.uow, d.code, "processing", user_id=None)
    back = set_status(office.uow, d.code, "returned", user_id=None, at=t)
    assert back.returned_at == t and back.resolved_at == t
    with office.uow() as uow:
        kinds = [(e.kind, e.status_to) for e in history(uow, find(uow, d.code))]
    assert kinds == [
        ("received", "received"),
        ("status", "processing"),
        ("status", "supplement_requested"),
        ("status", "processing"),
        ("status", "processed"),
        ("status", "returned"),
    ]


def test_unknown_status_and_time_before_reception(office: Office) -> None:
    d = office.receive()
    with pytest.raises(BadInput, match="không hợp lệ"):
        set_status(office.uow, d.code, "done", user_id=None)
    with pytest.raises(Conflict, match="sớm hơn"):
        set_status(
            office.uow, d.code, "processing", user_id=None, at=datetime(2020, 1, 1, tzinfo=VN)
        )


def test_withdrawn_ends_the_dossier(office: Office) -> None:
    d = office.receive()
    t = datetime(2026, 3, 2, 11, 0, tzinfo=VN)
    ended = set_status(office.uow, d.code, "withdrawn", user_id=None, at=t)
    assert ended.ended_at == t and ended.resolved_at is None
    with pytest.raises(Conflict):
        set_status(office.uow, d.code, "processing", user_id=None)


def test_extension_needs_reason_and_later_date(office: Office) -> None:
    d = office.receive("1.012760")
    later = datetime(2026, 4, 6, 9, 0, tzinfo=VN)
    with pytest.raises(BadInput, match="lý do"):
        extend(office.uow, d.code, later, reason=" ", user_id=None)
    with pytest.raises(BadInput, match="sau ngày hẹn cũ"):
        extend(office.uow, d.code, datetime(2026, 3, 3, tzinfo=VN), reason="x", user_id=None)
    moved, old = extend(
        office.uow, d.code, later, reason="Chờ xác minh nguồn gốc đất", user_id=None
    )
    assert moved.appointment_at == later and old == d.appointment_at
    with office.uow() as uow:
        event = history(uow, find(uow, d.code))[-1]
    assert event.kind == "extended" and event.data and event.data["old"] == old.isoformat()


def test_public_lookup_needs_the_check_value(office: Office) -> None:
    d = office.receive()
    view = lookup(office.uow, d.code, d.lookup_key.lower())
    assert view.status == "received" and view.status_vi == "Đã tiếp nhận"
    assert "applicant" not in view.to_dict() and ID not in str(view.to_dict())
    with pytest.raises(NotFound):
        lookup(office.uow, d.code, "WRONGKEY")
    with pytest.raises(NotFound):
        lookup(office.uow, d.code.replace("0001", "0002"), d.lookup_key)


def test_rating_once_after_return(office: Office) -> None:
    d = office.receive()
    with pytest.raises(Conflict, match="sau khi đã nhận kết quả"):
        rate(office.uow, d.code, d.lookup_key, "satisfied")
    t = datetime(2026, 3, 2, 10, 0, tzinfo=VN)
    set_status(office.uow, d.code, "processed", user_id=None, at=t)
    set_status(office.uow, d.code, "returned", user_id=None, at=t)
    assert lookup(office.uow, d.code, d.lookup_key).can_rate
    with pytest.raises(BadInput):
        rate(office.uow, d.code, d.lookup_key, "great")
    rate(office.uow, d.code, d.lookup_key, "very_satisfied")
    with pytest.raises(Conflict, match="đã được đánh giá"):
        rate(office.uow, d.code, d.lookup_key, "satisfied")
    assert lookup(office.uow, d.code, d.lookup_key).rating == "very_satisfied"


def test_status_enum_matches_portal_codes() -> None:
    from records.dossiers import PORTAL_STATUS

    assert sorted(PORTAL_STATUS.values()) == list(range(2, 11))
    assert set(PORTAL_STATUS) == set(DossierStatus)
