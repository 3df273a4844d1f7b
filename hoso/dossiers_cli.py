"""``hoso dossiers …``, ``hoso procedures …``, ``hoso calendar …``, ``hoso report``."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from records.dossiers import DossierStatus
from records.errors import BadInput

if TYPE_CHECKING:
    from hoso.bootstrap import Container


def _box() -> Container:
    """The container, imported when a command runs: building the parser stays cheap
    (every ``hoso`` command builds it, ``hoso ingest`` before its first page)."""
    from hoso.bootstrap import bootstrap

    return bootstrap()


def _print(data: Any, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if as_json else text)


def parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError as e:
        raise BadInput(
            f"Thời điểm '{value}' không đúng dạng ISO-8601 (2026-03-02T09:00+07:00)"
        ) from e
    if t.tzinfo is None:
        raise BadInput(f"Thời điểm '{value}' cần có múi giờ, ví dụ +07:00")
    return t


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise BadInput(f"Ngày '{value}' không đúng dạng YYYY-MM-DD") from e


def receive_cmd(args: argparse.Namespace) -> int:
    from hoso.paperwork import export_receipt
    from records.dossiers import Channel
    from records.model import Role
    from records.reception import Person, ReceptionRequest, receive
    from records.users import ensure_user
    from records.workflow import attach_waiting

    box = _box()
    with box.uow() as uow:
        user = ensure_user(uow, "cli", Role.CLERK)
        uow.commit()
    request = ReceptionRequest(
        procedure_code=args.procedure,
        applicant=Person(
            args.applicant_name, args.applicant_id, args.address or "", args.phone or ""
        ),
        channel=Channel(args.channel),
        received_at=parse_time(args.at),
    )
    d = receive(box.uow, box.calendar, box.settings.unit_code, request, user.id)
    for doc_id in attach_waiting(box.uow, d.code):
        box.pipeline.reindex_document(doc_id)  # search filters on the dossier's procedure
    path = export_receipt(box, d.code)
    out = {
        "code": d.code,
        "received": d.received_at.isoformat(),
        "appointment": d.appointment_at.isoformat(),
        "receipt_pdf": str(path),
        "lookup_key": d.lookup_key,
    }
    _print(
        out,
        args.json,
        f"Đã tiếp nhận hồ sơ {d.code}; hẹn trả {d.appointment_at.isoformat()}; biên nhận: {path}",
    )
    return 0


def status_cmd(args: argparse.Namespace) -> int:
    from records.workflow import set_status

    box = _box()
    d = set_status(
        box.uow, args.code, args.set, user_id=None, note=args.note or "", at=parse_time(args.at)
    )
    _print({"code": d.code, "status": str(d.status)}, args.json, f"Hồ sơ {d.code}: {d.status}")
    return 0


def procedures_list_cmd(args: argparse.Namespace) -> int:
    from records.catalogue_store import list_procedures

    with _box().uow() as uow:
        procs = list_procedures(uow)
    data = [
        {
            k: v
            for k, v in p.to_dict().items()
            if k
            in ("code", "name", "field", "working_days", "hours", "same_day", "required_documents")
        }
        for p in procs
    ]
    text = "\n".join(f"{p.code}\t{p.field}\t{p.name}" for p in procs)
    _print(data, args.json, text)
    return 0


def procedures_import_cmd(args: argparse.Namespace) -> int:
    from records.catalogue_store import upsert_procedures
    from records.procedures import load_catalogue

    procs = load_catalogue(Path(args.file))
    box = _box()
    with box.uow() as uow:
        n = upsert_procedures(uow, procs)
        uow.commit()
    print(f"Đã nhập {n} thủ tục.")
    return 0


def calendar_cmd(args: argparse.Namespace) -> int:
    from records.calendar_store import set_day

    kind = "off" if args.calendar_command == "add-holiday" else "work"
    day = parse_day(args.date)
    box = _box()
    with box.uow() as uow:
        set_day(uow, day, kind, args.note or "")
        uow.commit()
    print(f"Đã ghi {day.isoformat()} là {'ngày nghỉ' if kind == 'off' else 'ngày làm việc'}.")
    return 0


def report_cmd(args: argparse.Namespace) -> int:
    from hoso.reports import period_report

    box = _box()
    start, end = parse_day(args.date_from), parse_day(args.date_to)
    report = period_report(box, start, end, args.procedure)
    data: dict[str, Any] = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        **report.total.to_dict(),
    }
    data["by_procedure"] = {k: v.to_dict() for k, v in report.by_procedure.items()}
    data["by_field"] = {k: v.to_dict() for k, v in report.by_field.items()}
    t = report.total
    text = (
        f"Tiếp nhận {t.received_total} (trực tuyến {t.received_online}, trực tiếp/bưu chính "
        f"{t.received_direct_postal}, kỳ trước {t.carried_over}); đã giải quyết {t.resolved_total} "
        f"(trước hạn {t.resolved_early}, đúng hạn {t.resolved_on_time}, "
        f"quá hạn {t.resolved_late}); "
        f"đang giải quyết {t.in_progress_total}; rút/trả lại {t.withdrawn_returned}"
    )
    _print(data, args.json, text)
    return 0


def sheets_cmd(args: argparse.Namespace) -> int:
    import forms
    from ocr.sheets import DOC_TYPE, DOSSIER_CODE

    if not args.dossier and not args.doc_type:
        raise BadInput("Cần --dossier MÃ_HỒ_SƠ và/hoặc --doc-type LOẠI_GIẤY_TỜ")
    if args.dossier and not DOSSIER_CODE.fullmatch(args.dossier):
        raise BadInput(f"Mã hồ sơ '{args.dossier}' không đúng dạng 000.00.12.H56-260302-0001")
    for t in args.doc_type:
        if not DOC_TYPE.fullmatch(t):
            raise BadInput(f"Loại giấy tờ '{t}' không hợp lệ (chữ thường, số, gạch dưới)")
    data = forms.separator_sheets_pdf(dossier_code=args.dossier, doc_types=args.doc_type)
    out = Path(args.out or f"to-phan-cach-{args.dossier or args.doc_type[0]}.pdf")
    out.write_bytes(data)
    print(str(out.resolve()))
    return 0


def add_parsers(sub: Any) -> None:
    d = sub.add_parser("dossiers", help="receive dossiers and change their status")
    ds = d.add_subparsers(dest="dossiers_command", required=True)
    r = ds.add_parser("receive", help="receive a dossier and print its receipt (Form 01)")
    r.add_argument("--procedure", required=True, help="procedure code (hoso procedures list)")
    r.add_argument("--applicant-id", required=True, help="12-digit personal ID number")
    r.add_argument("--applicant-name", required=True)
    r.add_argument("--address", default=None)
    r.add_argument("--phone", default=None)
    r.add_argument("--channel", required=True, choices=["direct", "online", "postal"])
    r.add_argument("--at", default=None, help="reception time, ISO-8601 with offset (default now)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=receive_cmd)
    s = ds.add_parser("status", help="move a dossier to another status (kept in its history)")
    s.add_argument("code")
    s.add_argument(
        "--set",
        required=True,
        choices=[status.value for status in DossierStatus],
    )
    s.add_argument("--at", default=None, help="when, ISO-8601 with offset (default now)")
    s.add_argument("--note", default=None)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=status_cmd)

    p = sub.add_parser("procedures", help="the procedures catalogue")
    ps = p.add_subparsers(dest="procedures_command", required=True)
    pl = ps.add_parser("list", help="list procedures")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=procedures_list_cmd)
    pi = ps.add_parser("import", help="add or replace procedures from a YAML/JSON file")
    pi.add_argument("file")
    pi.set_defaults(func=procedures_import_cmd)

    c = sub.add_parser("calendar", help="days off and make-up working days")
    cs = c.add_subparsers(dest="calendar_command", required=True)
    for name, what in (("add-holiday", "a day off"), ("add-workday", "a make-up working day")):
        x = cs.add_parser(name, help=f"record {what}")
        x.add_argument("date", help="YYYY-MM-DD")
        x.add_argument("--note", default=None)
        x.set_defaults(func=calendar_cmd)

    sh = sub.add_parser(
        "sheets", help="print a dossier cover sheet and/or document separator sheets (PDF)"
    )
    sh.add_argument("--dossier", default=None, help="dossier code for a cover sheet")
    sh.add_argument(
        "--doc-type", action="append", default=[], help="document type code (repeatable)"
    )
    sh.add_argument("--out", default=None, help="PDF file to write (default in this folder)")
    sh.set_defaults(func=sheets_cmd)

    rp = sub.add_parser("report", help="statistics of form II.06a for a period")
    rp.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    rp.add_argument("--to", dest="date_to", required=True, help="last day (included), YYYY-MM-DD")
    rp.add_argument("--procedure", default=None)
    rp.add_argument("--json", action="store_true")
    rp.set_defaults(func=report_cmd)
