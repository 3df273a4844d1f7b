"""Official statistics of dossiers: form II.06a (báo cáo tình hình, kết quả giải quyết TTHC).

A report covers the half-open period ``[start, end)``: ``start`` is included, ``end`` is
not (a monthly report is ``[1 March 00:00, 1 April 00:00)`` local time). Both bounds and every
time in the facts must be timezone-aware. A dossier's *finish* is the first of its
``resolved_at`` and ``ended_at`` (when both are set; resolved wins a tie).

Definitions, applied to each dossier:

- *In scope*: received before ``end`` and not finished before ``start``. Only in-scope
  dossiers are counted; each lands in exactly one of resolved / withdrawn / in progress.
- ``received_online`` / ``received_direct_postal``: in scope and received within the period,
  by channel ONLINE vs DIRECT or POSTAL. ``carried_over``: received before ``start`` and still
  open at ``start`` (finished at or after ``start``, or not finished).
  ``received_total`` = online + direct/postal + carried over = the dossiers in scope.
- ``resolved_*``: finished by resolution within the period (``start <= resolved_at < end``).
  *Early* if the resolution's local date (Asia/Ho_Chi_Minh) is before the appointment's local
  date, *on time* on the same date (so 23:59 on the appointment day is on time), *late* after.
- ``withdrawn_returned``: finished within the period by ending as a WITHDRAWN_LIKE status
  (not accepted, withdrawn by the citizen, processing stopped).
- ``in_progress_*``: in scope and not finished before ``end``; *within* the deadline if
  ``end <= appointment_at``, else *overdue*.
- ``rating_*``: dossiers resolved within the period whose satisfaction rating is set.

Hence ``received_total == resolved_total + in_progress_total + withdrawn_returned`` for
every row; ``compute`` checks it and raises if it ever fails. Inconsistent facts (an end
time without a withdrawn-like status or the reverse, an unknown rating, a naive time, a
procedure filed under two fields) raise ``ValueError`` naming the dossier: a dossier is never
dropped silently. Rows are keyed by the procedure code and the field exactly as given in the
facts, sorted by key.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from records.dossiers import RESOLVED, WITHDRAWN_LIKE, Channel, DossierFacts


def _local_zone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # no tz database: Vietnam keeps UTC+07:00, no DST since 1975
        return timezone(timedelta(hours=7), "ICT")


LOCAL_TZ = _local_zone()

#: Rating values in the facts → the Figures field that counts them.
RATING_FIELDS = {
    "very_satisfied": "rating_very_satisfied",
    "satisfied": "rating_satisfied",
    "not_satisfied": "rating_not_satisfied",
}


def local_date(moment: datetime) -> date:
    """The calendar date of an aware ``moment`` in Vietnam."""
    return moment.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class Figures:
    """One row of form II.06a. Field names are the stable keys of the JSON output."""

    received_online: int = 0
    received_direct_postal: int = 0
    carried_over: int = 0
    received_total: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    resolved_total: int = 0
    in_progress_within: int = 0
    in_progress_overdue: int = 0
    in_progress_total: int = 0
    withdrawn_returned: int = 0
    rating_very_satisfied: int = 0
    rating_satisfied: int = 0
    rating_not_satisfied: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def reconciles(self) -> bool:
        """Received = resolved + in progress + withdrawn/returned."""
        return self.received_total == (
            self.resolved_total + self.in_progress_total + self.withdrawn_returned
        )

    @property
    def sums_agree(self) -> bool:
        """Each total equals the sum of its parts."""
        return (
            self.received_total
            == self.received_online + self.received_direct_postal + self.carried_over
            and self.resolved_total
            == self.resolved_early + self.resolved_on_time + self.resolved_late
            and self.in_progress_total == self.in_progress_within + self.in_progress_overdue
        )

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)}
        )


FIGURE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Figures))


@dataclass(frozen=True)
class Report:
    """Form II.06a for ``[start, end)``: the total and one row per procedure and per field.

    ``procedure_field`` maps each procedure code to its field (for grouping rows)."""

    start: datetime
    end: datetime
    total: Figures
    by_procedure: dict[str, Figures]
    by_field: dict[str, Figures]
    procedure_field: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "total": self.total.to_dict(),
            "by_procedure": {k: v.to_dict() for k, v in self.by_procedure.items()},
            "by_field": {k: v.to_dict() for k, v in self.by_field.items()},
            "procedure_field": dict(self.procedure_field),
        }


def _aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment.isoformat()}")


def _check(d: DossierFacts) -> None:
    for name in ("received_at", "appointment_at", "resolved_at", "ended_at"):
        moment = getattr(d, name)
        if moment is not None:
            _aware(moment, f"dossier {d.code}: {name}")
    if (d.ended_at is None) != (d.ended_as is None):
        raise ValueError(f"dossier {d.code}: ended_at and ended_as must be set together")
    if d.ended_as is not None and d.ended_as not in WITHDRAWN_LIKE:
        hint = " (a result is recorded in resolved_at)" if d.ended_as in RESOLVED else ""
        raise ValueError(f"dossier {d.code}: ended_as {d.ended_as!r} is not withdrawn-like{hint}")
    if d.rating is not None and d.rating not in RATING_FIELDS:
        raise ValueError(f"dossier {d.code}: unknown rating {d.rating!r}")


def classify(d: DossierFacts, start: datetime, end: datetime) -> tuple[str, ...]:
    """The Figures fields (totals included) this dossier adds one to; () if out of scope."""
    _check(d)
    finished_at, resolved = d.resolved_at, True
    if d.ended_at is not None and (finished_at is None or d.ended_at < finished_at):
        finished_at, resolved = d.ended_at, False
    if d.received_at >= end or (finished_at is not None and finished_at < start):
        return ()
    out: list[str] = ["received_total"]
    if d.received_at < start:
        out.append("carried_over")
    elif d.channel is Channel.ONLINE:
        out.append("received_online")
    else:
        out.append("received_direct_postal")
    if finished_at is None or finished_at >= end:
        out.append("in_progress_total")
        out.append("in_progress_within" if end <= d.appointment_at else "in_progress_overdue")
    elif not resolved:
        out.append("withdrawn_returned")
    else:
        out.append("resolved_total")
        done, due = local_date(finished_at), local_date(d.appointment_at)
        out.append(
            "resolved_early"
            if done < due
            else "resolved_on_time"
            if done == due
            else "resolved_late"
        )
        if d.rating is not None:
            out.append(RATING_FIELDS[d.rating])
    return tuple(out)


def _figures(counts: Counter[str], label: str) -> Figures:
    row = Figures(**{key: counts[key] for key in FIGURE_KEYS})
    if not (row.reconciles and row.sums_agree):  # by construction; checked even under -O
        raise AssertionError(f"II.06a row {label} does not reconcile: {row}")
    return row


def compute(facts: Iterable[DossierFacts], start: datetime, end: datetime) -> Report:
    """Form II.06a over ``[start, end)`` (aware datetimes, ``start < end``)."""
    _aware(start, "start")
    _aware(end, "end")
    if not start < end:
        raise ValueError(f"empty period: start {start.isoformat()} >= end {end.isoformat()}")
    total: Counter[str] = Counter()
    by_procedure: dict[str, Counter[str]] = {}
    by_field: dict[str, Counter[str]] = {}
    procedure_field: dict[str, str] = {}
    for d in facts:
        known = procedure_field.setdefault(d.procedure_code, d.field)
        if known != d.field:
            raise ValueError(
                f"dossier {d.code}: procedure {d.procedure_code} is in field {d.field!r} "
                f"here but {known!r} elsewhere"
            )
        hits = classify(d, start, end)
        if not hits:
            continue
        total.update(hits)
        by_procedure.setdefault(d.procedure_code, Counter()).update(hits)
        by_field.setdefault(d.field, Counter()).update(hits)
    return Report(
        start=start,
        end=end,
        total=_figures(total, "total"),
        by_procedure={k: _figures(by_procedure[k], k) for k in sorted(by_procedure)},
        by_field={k: _figures(by_field[k], k) for k in sorted(by_field)},
        procedure_field={k: procedure_field[k] for k in sorted(by_procedure)},
    )
