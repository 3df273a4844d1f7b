"""``hoso classifier status|retrain|rollback`` — retraining on a schedule is this command
in cron (e.g. nightly), on demand it is the same command or the admin API."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hoso.bootstrap import bootstrap
from records.corrections import CorrectionSource


def run(args: argparse.Namespace) -> int:
    box = bootstrap()
    if args.classifier_command == "retrain":
        source = CorrectionSource(box.uow, lambda key: box.store.get_bytes(key).decode("utf-8"))
        examples = list(source.examples())
        out: dict[str, Any] = {
            "version": box.classifier.retrain(examples),
            "corrections_used": len(examples),
        }
    elif args.classifier_command == "rollback":
        out = {"version": box.classifier.rollback()}
    else:
        out = {"version": box.classifier().version}
    print(json.dumps(out) if args.json else f"Mô hình phân loại: {out['version']}")
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
