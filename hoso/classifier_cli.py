"""``hoso classifier status|retrain|rollback|types`` — retraining on a schedule is this
command in cron (e.g. nightly), on demand it is the same command or the admin API.
``types`` lists the document types; ``types --add CODE --label NAME [--title T]`` adds one."""

from __future__ import annotations

import argparse
import json
from typing import Any


def run(args: argparse.Namespace) -> int:
    # imported here, not at the top: every ``hoso`` command builds the parser
    from hoso.bootstrap import bootstrap
    from records.corrections import CorrectionSource, admin_types

    box = bootstrap()
    if args.classifier_command == "types":
        return _types(box, args)
    if args.classifier_command == "retrain":
        source = CorrectionSource(box.uow, lambda key: box.store.get_bytes(key).decode("utf-8"))
        examples = list(source.examples())
        with box.uow() as uow:
            extra = admin_types(uow)
        out: dict[str, Any] = {
            "version": box.classifier.retrain(examples, extra),
            "corrections_used": len(examples),
        }
    elif args.classifier_command == "rollback":
        out = {"version": box.classifier.rollback()}
    else:
        out = {"version": box.classifier().version}
    print(json.dumps(out) if args.json else f"Mô hình phân loại: {out['version']}")
    return 0


def _types(box: Any, args: argparse.Namespace) -> int:
    from records.corrections import add_type, known_types

    if args.add:
        if not args.label:
            raise SystemExit("--add needs --label (the Vietnamese name)")
        add_type(box.uow, args.add, args.label, args.title or [], user_id=None)
    with box.uow() as uow:
        types = known_types(uow)
    if args.json:
        print(
            json.dumps(
                [{"code": t.code, "label": t.label, "titles": list(t.titles)} for t in types],
                ensure_ascii=False,
            )
        )
    else:
        for t in types:
            print(f"{t.code}\t{t.label}")
    return 0


def add_parsers(sub: Any) -> None:
    c = sub.add_parser("classifier", help="the document classifier: status, retrain, rollback")
    cs = c.add_subparsers(dest="classifier_command", required=True)
    for name, text in (
        ("status", "print the current model's version"),
        ("retrain", "train a new model with the clerks' corrections (keeps the old one)"),
        ("rollback", "go back to the model the current one replaced"),
    ):
        p = cs.add_parser(name, help=text)
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=run)
    t = cs.add_parser("types", help="list document types, or add one (--add CODE --label NAME)")
    t.add_argument("--add", metavar="CODE", help="code of a new type, e.g. bien_ban_hop")
    t.add_argument("--label", help="its Vietnamese name")
    t.add_argument("--title", action="append", help="a standard title as printed (repeatable)")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=run)
