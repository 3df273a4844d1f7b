"""Form II.06a: each definition by hand, a seeded 1,000-dossier period checked against an
independent SQL count (sqlite3, dates by SQLite's own '+7 hours'), a reconciliation property,
and the CSV/XLSX files read back."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from records.dossiers import WITHDRAWN_LIKE, Channel, DossierFacts, DossierStatus
from records.export import COLUMNS, CSV_HEADER, to_csv, to_xlsx
from records.statistics import Figures, Report, compute

VN = timezone(timedelta(hours=7))
START = datetime(2026, 3, 1, tzinfo=VN)
END = datetime(2026, 4, 1, tzinfo=VN)
NOW = END + timedelta(days=5)  # the fixed clock: the report is made 5 days after the period
US = timedelta(microseconds=1)
KEYS = [
    "received_online",
    "received_direct_postal",
    "carried_over",
    "received_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved_total",
    "in_progress_within",
    "in_progress_overdue",
    "in_progress_total",
    "withdrawn_returned",
    "rating_very_satisfied",
    "rating_satisfied",
    "rating_not_satisfied",
]
PROCEDURES = {"HT-01": "HT", "HT-02": "HT", "CT-01": "CT", "DD-01": "DD", "DD-02": "DD"}
NAMES = {"HT-01": "Đăng ký khai sinh", "CT-01": "Chứng thực bản sao từ bản chính"}


def fact(received: datetime, appointment: datetime, **kw: Any) -> DossierFacts:
    proc, channel = kw.pop("procedure", "HT-01"), kw.pop("channel", Channel.ONLINE)
    return DossierFacts("X", proc, PROCEDURES[proc], channel, received, appointment, **kw)


def one(f: DossierFacts, start: datetime = START, end: datetime = END) -> dict[str, int]:
    """The non-zero figures of a one-dossier report."""
    return {k: v for k, v in compute([f], start, end).total.to_dict().items() if v}


IN = START + timedelta(days=3)  # a moment inside the period
APPT = START + timedelta(days=5, hours=17)  # 6 March 17:00 local


def test_figures_keys_and_reconciles() -> None:
    assert list(Figures().to_dict()) == KEYS
    assert Figures(received_total=2, resolved_total=1, withdrawn_returned=1).reconciles
    assert not Figures(received_total=1).reconciles


def test_received_by_channel_and_carried_over() -> None:
    open_ = {"received_total": 1, "in_progress_total": 1, "in_progress_within": 1}
    end_appt = END + timedelta(days=2)
    assert one(fact(IN, end_appt)) == {**open_, "received_online": 1}
    for channel in (Channel.DIRECT, Channel.POSTAL):
        assert one(fact(IN, end_appt, channel=channel)) == {**open_, "received_direct_postal": 1}
    assert one(fact(START - timedelta(days=9), end_appt)) == {**open_, "carried_over": 1}
    assert one(fact(START, end_appt)) == {**open_, "received_online": 1}  # start is included


def test_period_edges() -> None:
    before = START - timedelta(days=2)
    assert one(fact(before, APPT, resolved_at=START - US)) == {}  # finished before: out of scope
    at_start = one(fact(before, APPT, resolved_at=START))  # resolved exactly at start: counted
    assert at_start == dict(received_total=1, carried_over=1, resolved_total=1, resolved_early=1)
    assert one(fact(END, END + timedelta(days=1))) == {}  # received exactly at end: excluded
    assert one(fact(END - US, END + timedelta(days=1)))["received_online"] == 1
    at_end = one(fact(IN, APPT, resolved_at=END))  # resolved at end: still open at end
    assert at_end["in_progress_overdue"] == 1 and "resolved_total" not in at_end
    ended = fact(IN, APPT, ended_at=END, ended_as=DossierStatus.WITHDRAWN)
    assert one(ended)["in_progress_total"] == 1 and "withdrawn_returned" not in one(ended)


def test_early_on_time_late_by_local_date() -> None:
    def outcome(resolved: datetime, appointment: datetime = APPT) -> str:
        row = one(fact(START, appointment, resolved_at=resolved))
        return next(k for k in row if k.startswith("resolved_") and k != "resolved_total")

    day = datetime(2026, 3, 6, tzinfo=VN)
    assert outcome(day - US) == "resolved_early"
    assert outcome(day) == outcome(day + timedelta(hours=8)) == "resolved_on_time"
    assert outcome(day + timedelta(hours=23, minutes=59)) == "resolved_on_time"  # after 17:00
    assert outcome(day + timedelta(days=1)) == "resolved_late"
    # 2026-03-03T17:30Z is 2026-03-04 00:30 in Vietnam: a day late for a 3 March appointment,
    # although the UTC dates are equal; 16:59Z is 23:59 local, on time.
    appt = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # 17:00 local
    assert outcome(datetime(2026, 3, 3, 17, 30, tzinfo=UTC), appt) == "resolved_late"
    assert outcome(datetime(2026, 3, 3, 16, 59, tzinfo=UTC), appt) == "resolved_on_time"
    # and the other way: 3 March 23:30Z is 4 March local, on time for a 4 March appointment
    next_day = appt + timedelta(days=1)
    assert outcome(datetime(2026, 3, 3, 23, 30, tzinfo=UTC), next_day) == "resolved_on_time"


def test_withdrawn_like_and_in_progress_deadline() -> None:
    for status in sorted(WITHDRAWN_LIKE):
        ended = one(fact(IN, APPT, ended_at=IN + timedelta(hours=1), ended_as=status))
        assert ended == dict(received_total=1, received_online=1, withdrawn_returned=1)
        assert one(fact(IN - timedelta(days=9), APPT, ended_at=START - US, ended_as=status)) == {}
    assert one(fact(IN, END))["in_progress_within"] == 1  # end <= appointment: within
    assert one(fact(IN, END - US))["in_progress_overdue"] == 1
    # resolved after the period ends: in progress at the end, by the deadline at the end
    assert one(fact(IN, APPT, resolved_at=NOW))["in_progress_overdue"] == 1


def test_ratings_only_for_resolved_in_period() -> None:
    resolved = fact(IN, APPT, resolved_at=IN, rating="very_satisfied")
    assert one(resolved)["rating_very_satisfied"] == 1
    assert one(replace(resolved, rating="not_satisfied"))["rating_not_satisfied"] == 1
    assert "rating_satisfied" not in one(fact(IN, APPT, rating="satisfied"))  # still open
    assert not [k for k in one(replace(resolved, resolved_at=NOW)) if k.startswith("rating")]
    withdrawn = fact(IN, APPT, ended_at=IN, ended_as=DossierStatus.WITHDRAWN, rating="satisfied")
    assert "rating_satisfied" not in one(withdrawn)


def test_first_finish_wins_and_bad_facts_raise() -> None:
    both = fact(IN, APPT, resolved_at=IN + US, ended_at=IN, ended_as=DossierStatus.STOPPED)
    assert one(both)["withdrawn_returned"] == 1
    assert one(replace(both, resolved_at=IN))["resolved_total"] == 1
    bad = [
        fact(IN, APPT, ended_at=IN),
        fact(IN, APPT, ended_at=IN, ended_as=DossierStatus.PROCESSED),
        fact(IN, APPT, rating="excellent"),
        fact(IN.replace(tzinfo=None), APPT),
    ]
    for f in bad:
        with pytest.raises(ValueError, match="dossier X"):
            compute([f], START, END)
    with pytest.raises(ValueError, match="procedure HT-01"):
        compute([fact(IN, APPT), replace(fact(IN, APPT), field="CT")], START, END)
    with pytest.raises(ValueError):
        compute([], END, START)
    with pytest.raises(ValueError):
        compute([], START.replace(tzinfo=None), END)


def seeded_period(n: int = 1000, seed: int = 20260301) -> list[DossierFacts]:
    """A month's worth of dossiers known by the fixed clock NOW."""
    rng = random.Random(seed)
    days = {"HT-01": 0, "HT-02": 3, "CT-01": 0, "DD-01": 20, "DD-02": 10}
    span = (NOW - START + timedelta(days=45)).total_seconds()
    out = []
    for i in range(n):
        proc = rng.choice(sorted(PROCEDURES))
        received = START - timedelta(days=45) + timedelta(seconds=rng.uniform(0, span))
        received = rng.choice([received] * 20 + [START, END, END - US])
        due = (received + timedelta(days=days[proc])).astimezone(VN)
        appointment = due.replace(hour=17, minute=0, second=0, microsecond=0)
        resolved = ended = status = rating = None
        roll = rng.random()
        if roll < 0.15:
            ended = received + timedelta(hours=rng.uniform(0, 300))
            status = rng.choice(sorted(WITHDRAWN_LIKE))
        elif roll < 0.8:
            near = appointment + timedelta(hours=rng.choice([-90, -30, -5, 0, 6.98, 7, 30, 80]))
            resolved = max(received + timedelta(minutes=rng.uniform(5, 600)), near)
            rating = rng.choice([None, None, "very_satisfied", "satisfied", "not_satisfied"])
        if ended is not None and ended > NOW:
            ended = status = None
        if resolved is not None and resolved > NOW:
            resolved = rating = None
        tz = rng.choice([UTC, VN])  # some facts in UTC, some in local time
        code, channel = f"000.00.12.H56-{i:04d}", rng.choice(list(Channel))
        received, appointment = received.astimezone(tz), appointment.astimezone(tz)
        resolved, ended = (t and t.astimezone(tz) for t in (resolved, ended))
        args = (received, appointment, resolved, ended, status, rating)
        out.append(DossierFacts(code, proc, PROCEDURES[proc], channel, *args))
    return out


SQL = """
WITH x AS (SELECT *, CASE WHEN res IS NOT NULL AND (fin_end IS NULL OR res <= fin_end)
                     THEN 1 ELSE 0 END AS by_res,
                     CASE WHEN res IS NOT NULL AND (fin_end IS NULL OR res <= fin_end)
                     THEN res ELSE fin_end END AS fin FROM d),
s AS (SELECT *, fin IS NOT NULL AND fin < :e AS done,
             date(fin / 1000000, 'unixepoch', '+7 hours') AS fin_day,
             date(appt / 1000000, 'unixepoch', '+7 hours') AS appt_day
      FROM x WHERE rec < :e AND (fin IS NULL OR fin >= :s))
SELECT {group},
  SUM(rec >= :s AND channel = 'online'), SUM(rec >= :s AND channel IN ('direct', 'postal')),
  SUM(rec < :s), COUNT(*),
  SUM(done AND by_res AND fin_day < appt_day), SUM(done AND by_res AND fin_day = appt_day),
  SUM(done AND by_res AND fin_day > appt_day), SUM(done AND by_res),
  SUM(NOT done AND appt >= :e), SUM(NOT done AND appt < :e), SUM(NOT done),
  SUM(done AND NOT by_res AND ended_as IN ('not_accepted', 'withdrawn', 'stopped')),
  SUM(done AND by_res AND rating = 'very_satisfied'), SUM(done AND by_res AND rating = 'satisfied'),
  SUM(done AND by_res AND rating = 'not_satisfied')
FROM s GROUP BY {group}
"""


def sql_counts(facts: list[DossierFacts]) -> dict[str, dict[str, dict[str, int]]]:
    def us(t: datetime | None) -> int | None:
        return None if t is None else (t - datetime(1970, 1, 1, tzinfo=UTC)) // US

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE d (proc, field, channel, rec, appt, res, fin_end, ended_as, rating)")
    for f in facts:
        times = [us(t) for t in (f.received_at, f.appointment_at, f.resolved_at, f.ended_at)]
        row = (f.procedure_code, f.field, str(f.channel), *times, str(f.ended_as or ""))
        db.execute("INSERT INTO d VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, f.rating or ""))
    bounds = {"s": us(START), "e": us(END)}
    out = {}
    for name, group in (("total", "'total'"), ("procedure", "proc"), ("field", "field")):
        rows = db.execute(SQL.format(group=group), bounds)
        out[name] = {row[0]: dict(zip(KEYS, row[1:], strict=True)) for row in rows}
    return out


def test_seeded_period_matches_independent_sql_count() -> None:
    facts = seeded_period()
    report = compute(facts, START, END)
    expected = sql_counts(facts)
    assert report.total.to_dict() == expected["total"]["total"]
    assert {k: v.to_dict() for k, v in report.by_procedure.items()} == expected["procedure"]
    assert {k: v.to_dict() for k, v in report.by_field.items()} == expected["field"]
    assert len(report.by_field) >= 3
    for row in [report.total, *report.by_procedure.values(), *report.by_field.values()]:
        assert row.reconciles and row.sums_agree
    assert all(report.total.to_dict().values()), report.total  # every case is exercised
    assert report.total.received_total < len(facts)  # and some dossiers are out of scope


MOMENTS = st.builds(
    lambda minutes, tz: (START + timedelta(minutes=minutes)).astimezone(tz),
    st.integers(-60 * 24 * 60, 90 * 24 * 60),
    st.sampled_from([UTC, VN]),
)
MAYBE = st.none() | MOMENTS


@st.composite
def facts_lists(draw: st.DrawFn) -> list[DossierFacts]:
    out = []
    for i in range(draw(st.integers(0, 40))):
        proc = draw(PROCS)
        ended, how = draw(MAYBE), draw(ENDINGS)
        times = (draw(MOMENTS), draw(MOMENTS), draw(MAYBE), ended)
        args = (*times, how if ended else None, draw(RATINGS))
        out.append(DossierFacts(str(i), proc, PROCEDURES[proc], draw(CHANNELS), *args))
    return out


PROCS, CHANNELS = st.sampled_from(sorted(PROCEDURES)), st.sampled_from(list(Channel))
ENDINGS = st.sampled_from(sorted(WITHDRAWN_LIKE))
RATINGS = st.sampled_from([None, "very_satisfied", "satisfied", "not_satisfied"])


@settings(max_examples=200, deadline=None, database=None)
@given(facts=facts_lists(), start=MOMENTS, days=st.integers(1, 60))
def test_property_rows_reconcile_and_totals_add_up(
    facts: list[DossierFacts], start: datetime, days: int
) -> None:
    report = compute(facts, start, start + timedelta(days=days))
    for row in [report.total, *report.by_procedure.values(), *report.by_field.values()]:
        assert row.reconciles and row.sums_agree
    for rows in (report.by_procedure, report.by_field):
        summed: Counter[str] = Counter()
        for row in rows.values():
            summed.update(row.to_dict())
        assert {k: summed[k] for k in KEYS} == report.total.to_dict()
        assert sum(rows.values(), Figures()) == report.total


def values(f: Figures) -> list[int]:
    return [f.to_dict()[c.key] for c in COLUMNS]


@pytest.fixture(scope="module")
def report() -> Report:
    return compute(seeded_period(300, seed=7), START, END)


def test_csv_round_trip(report: Report) -> None:
    text = to_csv(report, NAMES)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert tuple(table[0]) == CSV_HEADER and "Tổng số hồ sơ tiếp nhận" in table[0]
    numbers = {(r[1], r[2]): [int(v) for v in r[3:]] for r in table[1:]}

    assert numbers[("", "Tổng cộng")] == values(report.total)
    assert numbers[("HT-01", "Đăng ký khai sinh")] == values(report.by_procedure["HT-01"])
    assert numbers[("DD-01", "DD-01")] == values(report.by_procedure["DD-01"])  # no name: code
    for field, figures in report.by_field.items():
        assert numbers[(field, field)] == values(figures)
    field_rows = [r[1] for r in table[1:] if r[0] in ("I", "II", "III")]
    assert field_rows == ["CT", "DD", "HT"] and table[-1][0] == ""
    assert len(table) == 1 + len(report.by_field) + len(report.by_procedure) + 1


def test_xlsx_opens_and_total_row_matches(report: Report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, NAMES)))
    sheet = book.active
    assert sheet["A2"].value == "Từ ngày 01/03/2026 đến ngày 31/03/2026"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"D4:G4", "H4:K4", "L4:N4", "A4:A5", "O4:O5"} <= merged
    groups = ["Số hồ sơ tiếp nhận", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết"]
    assert [sheet["D4"].value, sheet["H4"].value, sheet["L4"].value] == groups
    resolved = ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]
    assert [sheet.cell(5, c).value for c in range(8, 12)] == resolved
    total = next(r for r in sheet.iter_rows(min_row=6) if r[2].value == "Tổng cộng")
    assert [c.value for c in total[3:]] == values(report.total)
    assert total[3].font.b and sheet.column_dimensions["C"].width > 20
    # the period's local dates, even when given in UTC
    utc = compute([], datetime(2026, 2, 28, 17, tzinfo=UTC), datetime(2026, 3, 15, 17, tzinfo=UTC))
    period = openpyxl.load_workbook(io.BytesIO(to_xlsx(utc, {}))).active["A2"].value
    assert period == "Từ ngày 01/03/2026 đến ngày 15/03/2026"
