"""The working-day calendar of a Vietnamese commune office: deadlines and appointment times.

Working day: a make-up working day (ngày làm bù) of the data, or else a Monday–Friday that is
neither a day off of the data nor a ``holidays`` (VN) holiday. The data is the shipped
``records/data/calendar_vn.yaml`` merged with the admin's edits.

Times are Asia/Ho_Chi_Minh: inputs are aware datetimes (any zone, converted), outputs aware
Asia/Ho_Chi_Minh. Windows are closed at the end for deadlines (8 h from 07:30 is 17:30 that
day) and open for starting work (``next_working_moment`` moves 17:30 on to the next day).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import yaml

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_MAX_IDLE_DAYS = 3660  # no working day for ten years: the data is broken, stop walking
_ENTRY_KEYS = frozenset({"date", "note", "source", "verified"})
_DAY_OFF = "Ngày nghỉ"


@dataclass(frozen=True)
class WorkingHours:
    """The day's working windows, sorted and disjoint, on whole minutes (so a deadline rounded
    up to the minute stays inside its window)."""

    windows: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("at least one working window is needed")
        previous_end: time | None = None
        for start, end in self.windows:
            for t in (start, end):
                if t.tzinfo is not None or t.second or t.microsecond:
                    raise ValueError(f"window bounds are naive whole minutes, not {t!r}")
            if not start < end or (previous_end is not None and start < previous_end):
                raise ValueError(f"windows must be sorted and disjoint: {self.windows!r}")
            previous_end = end

    @property
    def per_day(self) -> timedelta:
        return sum((_clock(end) - _clock(start) for start, end in self.windows), timedelta())


DEFAULT_HOURS = WorkingHours()


@dataclass(frozen=True)
class CalendarData:
    """Per-year exceptions to the library's calendar: ``days_off`` (swapped or extra days off)
    and ``workdays`` (make-up working days), each mapping a date to its note."""

    days_off: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("days_off", "workdays"):
            entries: Mapping[date, str] = getattr(self, name)
            for d, note in entries.items():
                if isinstance(d, datetime) or not isinstance(d, date) or not isinstance(note, str):
                    raise ValueError(f"{name}: expected date -> note, got {d!r} -> {note!r}")
            object.__setattr__(self, name, MappingProxyType(dict(entries)))
        both = sorted(self.days_off.keys() & self.workdays.keys())
        if both:
            raise ValueError(f"dates both day off and working day: {both}")

    def merged(self, other: CalendarData) -> CalendarData:
        """This data with ``other`` (the admin's edits) over it: an edit wins, and moving a
        date to the other list removes it from the list it was in."""
        days_off = {d: n for d, n in self.days_off.items() if d not in other.workdays}
        workdays = {d: n for d, n in self.workdays.items() if d not in other.days_off}
        return CalendarData({**days_off, **other.days_off}, {**workdays, **other.workdays})


def load_calendar_data(path: str | Path | None = None) -> CalendarData:
    """Read a calendar YAML file; ``None`` gives the shipped ``records/data/calendar_vn.yaml``
    (read once: the data is immutable).

    Entries are ``{date, note, source?, verified?}``; ``source`` and ``verified`` document
    where a date comes from and are not kept. Unknown keys and duplicates are errors, so a
    typo cannot silently drop a holiday.
    """
    return _shipped_data() if path is None else _parse(Path(path).read_text("utf-8"), str(path))


@cache
def _shipped_data() -> CalendarData:
    text = (resources.files("records") / "data" / "calendar_vn.yaml").read_text("utf-8")
    return _parse(text, "calendar_vn.yaml")


def _parse(text: str, where: str) -> CalendarData:
    raw = yaml.safe_load(text) or {}
    if not isinstance(raw, dict) or set(raw) - {"days_off", "workdays"}:
        raise ValueError(f"{where}: expected a mapping with days_off and workdays")
    return CalendarData(
        _entries(raw.get("days_off"), f"{where}: days_off"),
        _entries(raw.get("workdays"), f"{where}: workdays"),
    )


def _entries(items: Any, where: str) -> dict[date, str]:
    out: dict[date, str] = {}
    for item in items or []:
        if not isinstance(item, dict) or "date" not in item or set(item) - _ENTRY_KEYS:
            raise ValueError(f"{where}: bad entry {item!r} (keys: {sorted(_ENTRY_KEYS)})")
        d = item["date"]
        d = date.fromisoformat(d) if isinstance(d, str) else d
        note = item.get("note", "")
        if isinstance(d, datetime) or not isinstance(d, date) or not isinstance(note, str):
            raise ValueError(f"{where}: bad date or note in {item!r}")
        if d in out:
            raise ValueError(f"{where}: {d} listed twice")
        out[d] = note
    return out


@cache
def _library_holidays(year: int) -> Mapping[date, str]:
    """The ``holidays`` library's Vietnam holidays of one year, named in Vietnamese."""
    found = holidays.country_holidays("VN", years=year, language="vi")
    return MappingProxyType({d: str(name) for d, name in found.items()})


class WorkingCalendar:
    """Working days and hours of one office: what deadlines and appointments are computed on."""

    def __init__(self, data: CalendarData, hours: WorkingHours = DEFAULT_HOURS) -> None:
        self.data = data
        self.hours = hours

    def is_working_day(self, d: date) -> bool:
        d = _day(d)
        if d in self.data.workdays:
            return True
        if d in self.data.days_off or d in _library_holidays(d.year):
            return False
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        """Why ``d`` is a day off (a holiday or swap may fall on a weekend too); ``None`` for
        ordinary days, weekends and make-up working days."""
        d = _day(d)
        if d in self.data.workdays:
            return None
        if d in self.data.days_off:
            return self.data.days_off[d] or _DAY_OFF
        return _library_holidays(d.year).get(d)

    def next_working_moment(self, t: datetime) -> datetime:
        """``t`` if it is inside a working window of a working day, else the next window's start."""
        return next(self._spans_from(_local(t)))[0]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``start``, counting only working windows
        (time before the first working moment does not count)."""
        return self._add(_local(start), _duration(hours))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``days`` working days after ``start``, counted as ``days`` x the hours of a working
        day (8 h with the default hours): one-stop software stores processing time in hours,
        8 h a day, so 1 day from Mon 09:00 is Tue 09:00, not the end of Tuesday."""
        if days < 0:
            raise ValueError(f"days must be >= 0, not {days}")
        return self._add(_local(start), self.hours.per_day * days)

    def same_day_deadline(self, received: datetime, cutoff: time = time(15, 0)) -> datetime:
        """The 15:00 rule of same-day procedures: received on a working day before ``cutoff``
        (and before that day's end), due at the end of that day; otherwise at the end of the
        next working day."""
        if cutoff.tzinfo is not None:
            raise ValueError("cutoff is a naive wall-clock time (Asia/Ho_Chi_Minh)")
        t = _local(received)
        d = t.date()
        if self.is_working_day(d) and t.time() < cutoff and t < self._day_end(d):
            return self._day_end(d)
        after = datetime.combine(d + timedelta(days=1), time.min, VN_TZ)
        return self._day_end(self.next_working_moment(after).date())

    def appointment(
        self,
        received: datetime,
        *,
        working_days: int | None = None,
        hours: float | None = None,
        same_day: bool = False,
    ) -> datetime:
        """The appointment for the result (ngày hẹn trả kết quả); give exactly one of the three.

        Rounding: the exact deadline is rounded *up* to the whole minute, because the slip
        prints minutes and the stored value must equal the printed one; rounding up never gives
        a time before receipt or outside a window (windows end on whole minutes), at the cost
        of under a minute beyond the exact limit. Counting starts at the first working moment
        after receipt. ``working_days`` must be >= 1 and ``hours`` > 0: a zero-time procedure
        is a same-day one.
        """
        if (working_days is not None) + (hours is not None) + bool(same_day) != 1:
            raise ValueError("give exactly one of working_days, hours, same_day")
        if same_day:
            return self.same_day_deadline(received)
        if working_days is not None:
            if working_days < 1:
                raise ValueError(f"working_days must be >= 1, not {working_days}")
            due = self.add_working_days(received, working_days)
        else:
            assert hours is not None
            if not hours > 0:
                raise ValueError(f"hours must be > 0, not {hours}")
            due = self.add_working_hours(received, hours)
        if due.second or due.microsecond:
            due = due.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return due

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when b is before a."""
        a, b = _day(a), _day(b)
        if b < a:
            return -self.working_days_between(b, a)
        days = (a + timedelta(days=i) for i in range(1, (b - a).days + 1))
        return sum(1 for d in days if self.is_working_day(d))

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours from ``a`` to ``b``; negative when b is before a."""
        a, b = _local(a), _local(b)
        if b < a:
            return -self.working_hours_between(b, a)
        total = timedelta()
        for start, end in self._spans_from(a):
            if start >= b:
                break
            total += min(end, b) - start
        return total / timedelta(hours=1)

    def _add(self, t: datetime, remaining: timedelta) -> datetime:
        spans = self._spans_from(t)
        start, end = next(spans)
        while remaining > end - start:
            remaining -= end - start
            start, end = next(spans)
        return start + remaining

    def _spans_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working windows from ``t`` on (the first one clipped to start at ``t``)."""
        d, idle = t.date(), 0
        while idle < _MAX_IDLE_DAYS:
            if self.is_working_day(d):
                idle = 0
                for start, end in self.hours.windows:
                    s, e = datetime.combine(d, start, VN_TZ), datetime.combine(d, end, VN_TZ)
                    if e > t:
                        yield max(s, t), e
            else:
                idle += 1
            d += timedelta(days=1)
        raise ValueError(f"no working day in the {_MAX_IDLE_DAYS} days before {d}")

    def _day_end(self, d: date) -> datetime:
        return datetime.combine(d, self.hours.windows[-1][1], VN_TZ)


def format_vn(t: datetime) -> str:
    """The official wording of a time, e.g. ``14 giờ 05 phút, ngày 03/03/2026``."""
    t = _local(t)
    return f"{t:%H} giờ {t:%M} phút, ngày {t.day:02d}/{t.month:02d}/{t.year:04d}"


def _local(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"a naive datetime is ambiguous, give a time zone: {t!r}")
    return t.astimezone(VN_TZ)


def _day(d: date) -> date:
    return _local(d).date() if isinstance(d, datetime) else d


def _duration(hours: float) -> timedelta:
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"hours must be finite and >= 0, not {hours}")
    return timedelta(hours=hours)


def _clock(t: time) -> datetime:
    return datetime.combine(date.min, t)
