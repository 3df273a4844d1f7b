"""The working-day calendar: holidays and swaps, working windows, the 15:00 rule, appointments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from records.calendar import (
    DEFAULT_HOURS,
    VN_TZ,
    CalendarData,
    WorkingCalendar,
    WorkingHours,
    format_vn,
    load_calendar_data,
)

SHIPPED = load_calendar_data()
CAL = WorkingCalendar(SHIPPED)
PARIS = ZoneInfo("Europe/Paris")
PROPS = settings(max_examples=200, deadline=None)


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN_TZ)


def in_working_time(cal: WorkingCalendar, t: datetime) -> bool:
    """On a working day, inside a window (its end included: a deadline may fall at 17:30)."""
    return (
        t.tzinfo is VN_TZ
        and cal.is_working_day(t.date())
        and any(s <= t.time() <= e for s, e in cal.hours.windows)
    )


def test_shipped_data_adds_only_what_the_library_lacks() -> None:
    assert SHIPPED.days_off.keys() == {date(2026, 1, 2)}
    assert SHIPPED.workdays.keys() == {
        date(2024, 5, 4),
        date(2025, 4, 26),
        date(2026, 1, 10),
        date(2026, 8, 22),
    }
    assert all(d.weekday() >= 5 for d in SHIPPED.workdays)  # make-up days are Saturdays
    assert all(d.weekday() < 5 for d in SHIPPED.days_off)
    assert all(note for note in [*SHIPPED.days_off.values(), *SHIPPED.workdays.values()])


# Announced weekday days off the YAML file does not repeat because `holidays` has them:
# Tết 2025 and 2026, 30/4-1/5, Fri 2 May 2025 (swap), Hùng Kings' compensatory Mon 27 Apr 2026,
# Mon 31 Aug 2026 (swap), National Day.
FROM_LIBRARY = [
    *(date(2025, 1, d) for d in range(27, 32)),
    *(date(2025, m, d) for m, d in [(4, 30), (5, 1), (5, 2), (9, 1), (9, 2)]),
    *(date(2026, 2, d) for d in range(16, 21)),
    *(date(2026, m, d) for m, d in [(4, 27), (4, 30), (5, 1), (8, 31), (9, 1), (9, 2)]),
]


@pytest.mark.parametrize("day", FROM_LIBRARY)
def test_announced_days_off_the_data_relies_on_the_library_for(day: date) -> None:
    """Guards a `holidays` upgrade or downgrade: these are not repeated in the YAML file."""
    assert not CAL.is_working_day(day)
    assert day not in SHIPPED.days_off and CAL.holiday_name(day)


def test_holidays_and_swaps_from_the_data() -> None:
    assert CAL.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CAL.is_working_day(date(2026, 2, 13)) and CAL.is_working_day(date(2026, 2, 23))
    assert CAL.is_working_day(date(2026, 8, 22))  # make-up Saturday
    assert CAL.holiday_name(date(2026, 8, 22)) is None
    assert not CAL.is_working_day(date(2026, 8, 23))  # the Sunday after stays off
    assert CAL.holiday_name(date(2026, 9, 1)) == "Quốc khánh"
    assert CAL.is_working_day(date(2026, 9, 3))
    assert not CAL.is_working_day(date(2026, 1, 2))
    assert "Tết Dương lịch" in (CAL.holiday_name(date(2026, 1, 2)) or "")
    assert CAL.is_working_day(date(2026, 1, 10)) and CAL.is_working_day(date(2025, 4, 26))
    assert CAL.is_working_day(date(2026, 3, 3)) and CAL.holiday_name(date(2026, 3, 3)) is None
    assert not CAL.is_working_day(date(2026, 3, 7)) and CAL.holiday_name(date(2026, 3, 7)) is None


def test_hung_kings_2026_falls_on_sunday_and_monday_is_off() -> None:
    assert CAL.holiday_name(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"
    assert not CAL.is_working_day(date(2026, 4, 26))
    assert "Hùng Vương" in (CAL.holiday_name(date(2026, 4, 27)) or "")
    assert not CAL.is_working_day(date(2026, 4, 27))
    assert CAL.is_working_day(date(2026, 4, 28))
    # The data says nothing: the library's compensatory day is the whole story.
    assert date(2026, 4, 27) not in SHIPPED.days_off.keys() | SHIPPED.workdays.keys()


def test_edits_merge_over_shipped_data() -> None:
    edits = CalendarData(
        days_off={date(2026, 8, 22): "Không làm bù", date(2026, 3, 6): "Bão"},
        workdays={date(2026, 1, 2): "Vẫn làm việc", date(2026, 11, 24): "Chưa là ngày nghỉ"},
    )
    assert not CAL.is_working_day(date(2026, 11, 24))  # library: Vietnam Culture Day (unverified)
    merged = SHIPPED.merged(edits)
    assert date(2026, 1, 2) in merged.workdays and date(2026, 1, 2) not in merged.days_off
    assert date(2026, 8, 22) in merged.days_off and date(2026, 8, 22) not in merged.workdays
    assert date(2026, 1, 10) in merged.workdays  # untouched shipped entries stay
    cal = WorkingCalendar(merged)
    assert cal.is_working_day(date(2026, 1, 2))
    assert not cal.is_working_day(date(2026, 8, 22))
    assert not cal.is_working_day(date(2026, 3, 6)) and cal.holiday_name(date(2026, 3, 6)) == "Bão"
    assert cal.is_working_day(date(2026, 11, 24))  # an edit overrides a library holiday too
    assert CAL.is_working_day(date(2026, 8, 22))  # the shipped data is unchanged
    assert SHIPPED.merged(CalendarData()) == SHIPPED


def test_calendar_data_rejects_a_date_in_both_lists_and_is_read_only() -> None:
    with pytest.raises(ValueError, match="both"):
        CalendarData({date(2026, 1, 2): "a"}, {date(2026, 1, 2): "b"})
    with pytest.raises(ValueError):
        CalendarData({datetime(2026, 1, 2, tzinfo=UTC): "a"})
    with pytest.raises(TypeError):
        SHIPPED.days_off[date(2026, 1, 5)] = "x"  # type: ignore[index]


def test_load_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "cal.yaml"
    path.write_text(
        "days_off:\n  - {date: '2027-01-04', note: x, verified: false}\n"
        "workdays:\n  - {date: 2027-01-09, note: y, source: z}\n",
        encoding="utf-8",
    )
    data = load_calendar_data(path)
    assert dict(data.days_off) == {date(2027, 1, 4): "x"}
    assert dict(data.workdays) == {date(2027, 1, 9): "y"}
    assert load_calendar_data(str(path)) == data
    assert WorkingCalendar(data).holiday_name(date(2027, 1, 4)) == "x"


@pytest.mark.parametrize(
    "text",
    [
        "days_off:\n  - {date: 2027-01-04, nota: typo}\n",
        "days_off:\n  - {date: 2027-01-04}\n  - {date: 2027-01-04}\n",
        "days_of:\n  - {date: 2027-01-04}\n",
        "days_off:\n  - {date: 2027-01-04}\nworkdays:\n  - {date: 2027-01-04}\n",
        "days_off:\n  - {date: 12}\n",
        "- 2027-01-04\n",
    ],
)
def test_load_rejects_bad_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        load_calendar_data(path)


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (vn(2026, 3, 3, 9, 15), vn(2026, 3, 3, 9, 15)),  # inside a window
        (vn(2026, 3, 3, 6, 0), vn(2026, 3, 3, 7, 30)),  # before opening
        (vn(2026, 3, 3, 11, 30), vn(2026, 3, 3, 13, 30)),  # lunch
        (vn(2026, 3, 3, 17, 30), vn(2026, 3, 4, 7, 30)),  # closing time
        (vn(2026, 3, 6, 18, 0), vn(2026, 3, 9, 7, 30)),  # Friday evening
        (vn(2026, 2, 13, 17, 45), vn(2026, 2, 23, 7, 30)),  # before Tết
        (vn(2026, 8, 21, 20, 0), vn(2026, 8, 22, 7, 30)),  # make-up Saturday
        (datetime(2026, 3, 3, 2, 15, tzinfo=UTC), vn(2026, 3, 3, 9, 15)),  # other zone
    ],
)
def test_next_working_moment(t: datetime, expected: datetime) -> None:
    got = CAL.next_working_moment(t)
    assert got == expected and got.tzinfo is VN_TZ


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (vn(2026, 3, 2, 9, 0), 8, vn(2026, 3, 3, 9, 0)),  # Mon 09:00 -> Tue 09:00
        (vn(2026, 3, 6, 16, 0), 8, vn(2026, 3, 9, 16, 0)),  # Fri 16:00 -> Mon 16:00
        (vn(2026, 3, 7, 10, 0), 1, vn(2026, 3, 9, 8, 30)),  # Saturday: from Mon 07:30
        (vn(2026, 3, 2, 7, 30), 8, vn(2026, 3, 2, 17, 30)),  # ends at closing, same day
        (vn(2026, 3, 2, 7, 30), 4, vn(2026, 3, 2, 11, 30)),
        (vn(2026, 3, 2, 12, 0), 0.5, vn(2026, 3, 2, 14, 0)),
        (vn(2026, 3, 2, 12, 0), 0, vn(2026, 3, 2, 13, 30)),
        (vn(2026, 2, 13, 10, 0), 8, vn(2026, 2, 23, 10, 0)),  # across Tết 2026
        (vn(2026, 8, 21, 16, 0), 8, vn(2026, 8, 22, 16, 0)),  # via the make-up Saturday
        (vn(2026, 8, 28, 16, 0), 8, vn(2026, 9, 3, 16, 0)),  # across National Day
    ],
)
def test_add_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    assert CAL.add_working_hours(start, hours) == expected


def test_add_working_days_is_eight_hours_a_day() -> None:
    start = vn(2026, 3, 2, 9, 0)
    assert CAL.add_working_days(start, 1) == CAL.add_working_hours(start, 8) == vn(2026, 3, 3, 9)
    assert CAL.add_working_days(start, 5) == vn(2026, 3, 9, 9, 0)
    assert CAL.add_working_days(vn(2026, 4, 24, 10), 2) == vn(2026, 4, 29, 10)  # Hùng Kings
    assert CAL.add_working_days(start, 0) == start
    with pytest.raises(ValueError):
        CAL.add_working_days(start, -1)
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            CAL.add_working_hours(start, bad)


def test_custom_working_hours() -> None:
    one_window = WorkingHours(((time(8, 0), time(16, 0)),))
    cal = WorkingCalendar(SHIPPED, one_window)
    assert one_window.per_day == DEFAULT_HOURS.per_day == timedelta(hours=8)
    assert cal.add_working_hours(vn(2026, 3, 2, 12, 0), 6) == vn(2026, 3, 3, 10, 0)
    assert cal.same_day_deadline(vn(2026, 3, 2, 9, 0)) == vn(2026, 3, 2, 16, 0)
    short = WorkingCalendar(SHIPPED, WorkingHours(((time(8, 0), time(12, 0)),)))
    assert short.add_working_days(vn(2026, 3, 2, 10, 0), 1) == vn(2026, 3, 3, 10, 0)
    for bad in [
        (),
        ((time(9), time(8)),),
        ((time(8), time(12)), (time(11), time(15))),
        ((time(8, 0, 30), time(12)),),
        ((time(8, tzinfo=UTC), time(12)),),
    ]:
        with pytest.raises(ValueError):
            WorkingHours(bad)


def test_working_hours_between() -> None:
    assert CAL.working_hours_between(vn(2026, 3, 2, 7, 30), vn(2026, 3, 2, 17, 30)) == 8
    assert CAL.working_hours_between(vn(2026, 3, 2, 9), vn(2026, 3, 3, 9)) == 8
    assert CAL.working_hours_between(vn(2026, 3, 3, 9), vn(2026, 3, 2, 9)) == -8
    assert CAL.working_hours_between(vn(2026, 3, 7, 9), vn(2026, 3, 8, 9)) == 0  # weekend
    assert CAL.working_hours_between(vn(2026, 3, 2, 12), vn(2026, 3, 2, 12)) == 0
    assert CAL.working_hours_between(vn(2026, 2, 13, 9), vn(2026, 2, 23, 9)) == 8


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert CAL.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == -5
    assert CAL.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1  # Tết
    assert CAL.working_days_between(date(2026, 8, 21), date(2026, 8, 24)) == 2  # make-up Sat
    # 2026 after 1 Jan: 260 weekdays - 13 weekday holidays/swaps + 2 make-up Saturdays.
    assert CAL.working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 249


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (vn(2026, 3, 3, 14, 59, 59), vn(2026, 3, 3, 17, 30)),  # right before the cutoff
        (vn(2026, 3, 3, 15, 0), vn(2026, 3, 4, 17, 30)),  # at the cutoff
        (vn(2026, 3, 3, 6, 45), vn(2026, 3, 3, 17, 30)),  # before opening
        (vn(2026, 3, 6, 15, 30), vn(2026, 3, 9, 17, 30)),  # Friday after 15:00 -> Monday
        (vn(2026, 3, 7, 9, 0), vn(2026, 3, 9, 17, 30)),  # Saturday
        (vn(2026, 4, 29, 14, 0), vn(2026, 4, 29, 17, 30)),  # the day before 30/4
        (vn(2026, 4, 29, 15, 5), vn(2026, 5, 4, 17, 30)),
        (vn(2026, 2, 13, 16, 0), vn(2026, 2, 23, 17, 30)),  # the day before Tết
        (vn(2026, 1, 9, 15, 30), vn(2026, 1, 10, 17, 30)),  # next day is a make-up Saturday
        (datetime(2026, 3, 3, 7, 59, tzinfo=UTC), vn(2026, 3, 3, 17, 30)),  # 14:59 local
        (datetime(2026, 3, 3, 8, 0, tzinfo=UTC), vn(2026, 3, 4, 17, 30)),  # 15:00 local
    ],
)
def test_same_day_rule(received: datetime, expected: datetime) -> None:
    assert CAL.same_day_deadline(received) == expected
    assert CAL.appointment(received, same_day=True) == expected


def test_same_day_rule_with_another_cutoff() -> None:
    assert CAL.same_day_deadline(vn(2026, 3, 3, 15, 30), time(16, 0)) == vn(2026, 3, 3, 17, 30)
    # A cutoff after closing does not give a deadline before the receipt.
    assert CAL.same_day_deadline(vn(2026, 3, 3, 17, 45), time(18, 0)) == vn(2026, 3, 4, 17, 30)
    with pytest.raises(ValueError):
        CAL.same_day_deadline(vn(2026, 3, 3, 9), time(15, tzinfo=UTC))


def test_appointment() -> None:
    received = vn(2026, 3, 2, 9, 7, 33)
    assert CAL.appointment(received, working_days=3) == vn(2026, 3, 5, 9, 8)  # rounded up
    assert CAL.appointment(vn(2026, 3, 2, 9, 7), working_days=3) == vn(2026, 3, 5, 9, 7)
    assert CAL.appointment(received, hours=4) == vn(2026, 3, 2, 15, 8)
    assert CAL.appointment(vn(2026, 3, 2, 17, 29, 30), hours=1 / 120) == vn(2026, 3, 2, 17, 30)
    assert CAL.appointment(vn(2026, 2, 12, 10), working_days=20) == vn(2026, 3, 19, 10)
    several: list[dict[str, Any]] = [{}, {"working_days": 1, "hours": 8.0}]
    several.append({"hours": 8.0, "same_day": True})
    for kwargs in several:
        with pytest.raises(ValueError, match="exactly one"):
            CAL.appointment(received, **kwargs)
    out_of_range: list[dict[str, Any]] = [{"working_days": 0}, {"hours": 0.0}, {"hours": -1.0}]
    for kwargs in out_of_range:
        with pytest.raises(ValueError):
            CAL.appointment(received, **kwargs)


def test_format_vn() -> None:
    assert format_vn(vn(2026, 3, 3, 14, 5)) == "14 giờ 05 phút, ngày 03/03/2026"
    assert format_vn(datetime(2026, 3, 2, 23, 30, tzinfo=UTC)) == "06 giờ 30 phút, ngày 03/03/2026"


def test_naive_datetimes_raise() -> None:
    naive = datetime(2026, 3, 3, 9, 0)
    calls: list[Callable[[], object]] = [
        lambda: CAL.next_working_moment(naive),
        lambda: CAL.add_working_hours(naive, 1),
        lambda: CAL.add_working_days(naive, 1),
        lambda: CAL.same_day_deadline(naive),
        lambda: CAL.appointment(naive, working_days=1),
        lambda: CAL.working_hours_between(naive, vn(2026, 3, 4)),
        lambda: CAL.working_hours_between(vn(2026, 3, 4), naive),
        lambda: CAL.is_working_day(naive),
        lambda: format_vn(naive),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="naive"):
            call()


def test_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    start = date(2026, 1, 1)
    all_off = CalendarData({start + timedelta(days=i): "x" for i in range(3700)})
    with pytest.raises(ValueError, match="no working day"):
        WorkingCalendar(all_off).next_working_moment(vn(2026, 1, 1))


moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2027, 6, 30),
    timezones=st.sampled_from([VN_TZ, UTC, PARIS]),
    allow_imaginary=False,
)
days = st.dates(date(2024, 1, 1), date(2027, 12, 31))
day_counts = st.integers(min_value=1, max_value=30)
hour_counts = st.floats(min_value=0.01, max_value=200, allow_nan=False, allow_infinity=False)


@PROPS
@given(moments, day_counts, hour_counts)
def test_appointments_land_in_working_time(t: datetime, days: int, hours: float) -> None:
    for due in (
        CAL.appointment(t, working_days=days),
        CAL.appointment(t, hours=hours),
        CAL.appointment(t, same_day=True),
        CAL.add_working_hours(t, hours),
        CAL.add_working_days(t, days),
    ):
        assert in_working_time(CAL, due), due
        assert due > t
    exact = CAL.add_working_hours(t, hours)
    rounded = CAL.appointment(t, hours=hours)
    assert rounded.second == rounded.microsecond == 0
    assert timedelta(0) <= rounded - exact < timedelta(minutes=1)
    assert in_working_time(CAL, CAL.next_working_moment(t))


@PROPS
@given(moments, hour_counts)
def test_adding_hours_round_trips(t: datetime, hours: float) -> None:
    start = CAL.next_working_moment(t)
    due = CAL.add_working_hours(start, hours)
    assert CAL.working_hours_between(start, due) == pytest.approx(hours, abs=1e-6)
    assert CAL.working_hours_between(due, start) == pytest.approx(-hours, abs=1e-6)
    # Counting starts at the first working moment, so t and start give the same deadline.
    assert CAL.add_working_hours(t, hours) == due


@PROPS
@given(moments, moments, st.integers(min_value=0, max_value=25))
def test_adding_days_is_monotonic(t1: datetime, t2: datetime, days: int) -> None:
    early, late = sorted((t1, t2))
    assert CAL.add_working_days(early, days) <= CAL.add_working_days(late, days)
    assert CAL.add_working_days(early, days) < CAL.add_working_days(early, days + 1)
    assert CAL.appointment(early, same_day=True) <= CAL.appointment(late, same_day=True)


@PROPS
@given(days, days, days)
def test_working_days_between_adds_up(a: date, b: date, c: date) -> None:
    ab, bc = CAL.working_days_between(a, b), CAL.working_days_between(b, c)
    assert ab + bc == CAL.working_days_between(a, c)
    assert ab == -CAL.working_days_between(b, a)
