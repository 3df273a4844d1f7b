"""``hoso dossiers``, ``procedures``, ``calendar`` and ``report`` as a script uses them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import hoso_env, run_hoso


def receive(env: dict[str, str], name: str, channel: str, at: str):  # type: ignore[no-untyped-def]
    args = ["dossiers", "receive", "--procedure", "1.001193", "--applicant-id", "001203004567"]
    return run_hoso(
        [*args, "--applicant-name", name, "--channel", channel, "--at", at, "--json"], env
    )


def test_receive_status_report_round_trip(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data", HOSO_UNIT_CODE="000.00.12.H56")
    procs = json.loads(run_hoso(["procedures", "list", "--json"], env).stdout)
    birth = next(p for p in procs if p["code"] == "1.001193")
    assert birth["same_day"] is True and "to_khai_khai_sinh" in birth["required_documents"]
    assert {"code", "name", "field", "same_day", "required_documents"} <= set(birth)
    land = next(p for p in procs if p["code"] == "1.012760")
    assert land["working_days"] == 20

    done = receive(env, "Lê Văn Cường", "online", "2026-03-02T15:30:00+07:00")
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    assert d["code"] == "000.00.12.H56-260302-0001"
    assert d["appointment"].startswith("2026-03-03")  # after 15:00: next working day
    text = subprocess.run(
        ["pdftotext", d["receipt_pdf"], "-"], capture_output=True, text=True
    ).stdout
    assert d["code"] in text and "Lê Văn Cường" in text

    for status, at in (
        ("processing", "2026-03-03T08:00:00+07:00"),
        ("processed", "2026-03-03T10:00:00+07:00"),
    ):
        r = run_hoso(["dossiers", "status", d["code"], "--set", status, "--at", at, "--json"], env)
        assert r.returncode == 0, r.stderr
    bad = run_hoso(["dossiers", "status", d["code"], "--set", "processing"], env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "không thể chuyển" in bad.stderr

    report = json.loads(
        run_hoso(["report", "--from", "2026-03-01", "--to", "2026-03-31", "--json"], env).stdout
    )
    assert report["received_online"] == 1 and report["resolved_on_time"] == 1
    assert (
        report["received_total"]
        == report["resolved_total"] + report["in_progress_total"] + report["withdrawn_returned"]
    )
    for key in (
        "received_direct_postal",
        "carried_over",
        "resolved_early",
        "resolved_late",
        "in_progress_within",
        "in_progress_overdue",
        "withdrawn_returned",
    ):
        assert report[key] == 0, key


def test_calendar_commands_change_appointments(tmp_path: Path) -> None:
    env = hoso_env(tmp_path / "data")
    assert (
        run_hoso(["calendar", "add-holiday", "2026-03-03", "--note", "Nghỉ thử"], env).returncode
        == 0
    )
    d = json.loads(receive(env, "A", "direct", "2026-03-02T15:30:00+07:00").stdout)
    assert d["appointment"].startswith("2026-03-04")
    bad = run_hoso(["calendar", "add-workday", "3/3/2026"], env)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
