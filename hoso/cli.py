"""The ``hoso`` command line."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from records.errors import HosoError

EXIT_PARTIAL = 2


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=None))


def cmd_serve(args: argparse.Namespace) -> int:
    from hoso.serve import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from hoso.serve import run_worker

    return run_worker(args.concurrency)


def cmd_ingest(args: argparse.Namespace) -> int:
    if args.server:
        from hoso.ingest_remote import ingest_remote

        return ingest_remote(args)
    from hoso.ingest_local import ingest_local  # light: starts the pool before heavy imports

    return ingest_local(args)


def cmd_search(args: argparse.Namespace) -> int:
    from hoso import ingest_cli

    result = ingest_cli.search(args)
    if args.json:
        _print_json(result)
    else:
        print(f"{result['total']} kết quả")
        for h in result["hits"]:
            print(
                f"- {h['source']} (tài liệu {h['document_id']}, trang {h['page']}): {h['snippet']}"
            )
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from hoso.bootstrap import bootstrap
    from records.users import create_user, issue_token

    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise HosoError(f"Biến môi trường {args.password_env} chưa được đặt")
    container = bootstrap()
    with container.uow() as uow:
        user = create_user(uow, args.name, args.role, password)
        token = issue_token(uow, user, "cli")
        uow.commit()
    out = {"name": user.name, "role": str(user.role), "token": token}
    if args.json:
        _print_json(out)
    else:
        print(f"Đã tạo người dùng {user.name} ({user.role}). Mã truy cập: {token}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from hoso.bootstrap import bootstrap
    from records.users import list_users

    with bootstrap().uow() as uow:
        users = [{"name": u.name, "role": str(u.role)} for u in list_users(uow)]
    if args.json:
        _print_json(users)
    else:
        for u in users:
            print(f"{u['name']}\t{u['role']}")
    return 0


def cmd_retry(args: argparse.Namespace) -> int:
    from hoso.bootstrap import bootstrap
    from hoso.local import run_locally

    container = bootstrap()
    messages = container.pipeline.retry_document(args.document_id)
    if not messages:
        print(f"Tài liệu {args.document_id} không ở trạng thái lỗi: không có gì để thử lại.")
        return 0
    container.engine.dispose()
    run_locally(container.settings, messages, workers=container.settings.workers)
    from records.model import Document

    with container.uow() as uow:
        doc = uow.session.get(Document, args.document_id)
        assert doc is not None
        status, error = str(doc.status), doc.error
    print(f"Tài liệu {args.document_id}: {status}" + (f" ({error})" if error else ""))
    return 0 if status == "done" else 2


def cmd_watch(args: argparse.Namespace) -> int:
    from hoso.watch import watch_command

    return watch_command(args)


def cmd_reindex(args: argparse.Namespace) -> int:
    from hoso.bootstrap import bootstrap

    count = bootstrap().pipeline.reindex_all()
    if args.json:
        _print_json({"documents": count})
    else:
        print(f"Đã lập chỉ mục lại {count} tài liệu.")
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from hoso.bootstrap import bootstrap

    bootstrap()
    print("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hoso",
        description="hoso: số hóa hồ sơ — scan, OCR, store and search administrative dossiers. "
        "Settings come from HOSO_* environment variables (HOSO_DATA_DIR, HOSO_DATABASE_URL, "
        "HOSO_STORAGE_URL, HOSO_SEARCH_URL, HOSO_BROKER_URL, …).",
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the web app, the API and a worker")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument(
        "--workers", type=int, default=None, help="worker processes (default HOSO_WORKERS)"
    )
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="run only a Celery worker (for extra worker hosts)")
    w.add_argument("--concurrency", type=int, default=None)
    w.set_defaults(func=cmd_worker)

    i = sub.add_parser(
        "ingest",
        help="ingest files or folders as one batch",
        description="Ingest files or folders (PDF, TIFF, JPEG, PNG) as one batch. Without "
        "--server the work runs here in a local worker pool and the command waits for it; "
        "with --server it uploads to a running hoso and, with --wait, follows the progress.",
    )
    i.add_argument("paths", nargs="+", metavar="PATH")
    i.add_argument("--wait", action="store_true", help="wait until every page is processed")
    i.add_argument("--json", action="store_true", help="print one JSON object with the result")
    i.add_argument("--language", default=None, help="OCR languages (default HOSO_OCR_LANGUAGE)")
    i.add_argument("--workers", type=int, default=None, help="local worker processes")
    i.add_argument("--out", default=None, help="folder for the searchable PDFs (local mode)")
    i.add_argument(
        "--server", default=None, help="URL of a running hoso, e.g. http://127.0.0.1:8000"
    )
    i.add_argument(
        "--token", default=os.environ.get("HOSO_TOKEN"), help="API token (or HOSO_TOKEN)"
    )
    i.add_argument(
        "--chunk-mb",
        type=float,
        default=4.0,
        help="with --server: resumable upload chunk size in MiB (4; smaller on weak links)",
    )
    i.set_defaults(func=cmd_ingest)

    q = sub.add_parser("search", help="full-text search (with or without diacritics)")
    q.add_argument("query")
    q.add_argument("--json", action="store_true")
    q.add_argument("--batch", type=int, default=None)
    q.add_argument("--limit", type=int, default=20)
    q.add_argument("--server", default=None)
    q.add_argument("--token", default=os.environ.get("HOSO_TOKEN"))
    q.set_defaults(func=cmd_search)

    u = sub.add_parser("users", help="manage users").add_subparsers(
        dest="users_command", required=True
    )
    ua = u.add_parser("add", help="create a user and print an API token")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=["clerk", "leader", "staff", "admin"])
    ua.add_argument("--password-env", default=None, help="read the password from this variable")
    ua.add_argument("--json", action="store_true")
    ua.set_defaults(func=cmd_users_add)
    ul = u.add_parser("list", help="list users")
    ul.add_argument("--json", action="store_true")
    ul.set_defaults(func=cmd_users_list)

    r = sub.add_parser("retry", help="process a failed document again (here, no server)")
    r.add_argument("document_id", type=int)
    r.set_defaults(func=cmd_retry)

    wt = sub.add_parser(
        "watch",
        help="ingest what a scanner drops into a folder",
        description="Watch a scanner's hot folder (polling; network shares work). Files are "
        "taken once their size and mtime stop changing, one batch per folder per round, "
        "processed here in a local worker pool, then moved to DIR/done/<day>/ or "
        "DIR/failed/<day>/ (with <name>.error.txt). A folder named with a dossier code "
        "attaches its documents to that dossier. Restart-safe (DIR/.hoso-watch/journal.jsonl).",
    )
    wt.add_argument("dir", metavar="DIR")
    wt.add_argument("--once", action="store_true", help="process what is there, then exit")
    wt.add_argument(
        "--settle", type=float, default=2.0, help="seconds a file must stay unchanged (2)"
    )
    wt.add_argument("--interval", type=float, default=2.0, help="seconds between scans (2)")
    wt.add_argument("--json", action="store_true", help="one JSON object per batch")
    wt.set_defaults(func=cmd_watch)

    from hoso.classifier_cli import add_parsers as add_classifier_parsers
    from hoso.dossiers_cli import add_parsers
    from hoso.signing_cli import add_parsers as add_sign_batch_parsers
    from signing.cli import add_parsers as add_signing_parsers

    add_parsers(sub)
    add_signing_parsers(sub)
    add_sign_batch_parsers(sub)
    add_classifier_parsers(sub)

    ri = sub.add_parser(
        "reindex",
        help="index every finished document again (new search engine or index layout)",
    )
    ri.add_argument("--json", action="store_true")
    ri.set_defaults(func=cmd_reindex)

    m = sub.add_parser("migrate", help="bring the database schema up to date")
    m.set_defaults(func=cmd_migrate)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except HosoError as e:
        print(f"hoso: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        if argv is None:  # the program, not a caller in-process
            # The command is done: spare the interpreter's teardown its garbage-collection
            # passes over every object imported (~0.3 s after ``hoso ingest`` has printed).
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
