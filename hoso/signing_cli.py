"""``hoso sign-batch BATCH_ID``: the scanning clerk signs every digitised copy of a batch
(Circular 01/2023) from the command line, e.g. right after ``hoso ingest`` or ``hoso
watch``. Same machinery as the web page: one opening of the key for the whole batch."""

from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path
from typing import Any

from records.errors import BadInput, NotFound


def cmd_sign_batch(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from hoso.bootstrap import bootstrap
    from records.model import Batch, User
    from records.signing_queue import digitised_queue, save_key
    from records.sql import users_table
    from signing.keystore import p12_key

    secret = os.environ.get(args.password_env) if args.password_env else None
    if secret is None:
        if args.password_env:
            raise BadInput(f"Biến môi trường {args.password_env} chưa được đặt.")
        secret = getpass.getpass("Mật khẩu tệp khoá / PIN: ")
    box = bootstrap()
    if not box.settings.sign_digitised_copies:
        raise BadInput("Ký số bản số hóa đang tắt (HOSO_SIGN_DIGITISED_COPIES=false).")
    with box.uow() as uow:
        batch = uow.session.get(Batch, args.batch_id)
        if batch is None:
            raise NotFound(f"Không tìm thấy lô quét số {args.batch_id}")
        user_id = batch.created_by
        if args.user:
            user = uow.session.scalars(select(User).where(users_table.c.name == args.user)).first()
            if user is None or user.id is None:
                raise NotFound(f"Không tìm thấy người dùng '{args.user}'")
            user_id = user.id
        if args.p12:
            try:
                data = Path(args.p12).read_bytes()
            except OSError as e:
                raise BadInput(f"Không đọc được tệp khoá {args.p12}: {e.strerror}.") from e
            save_key(uow, p12_key(user_id, data, secret, box.vault))
        ids = [i.task.id or 0 for i in digitised_queue(uow, user_id, args.batch_id)]
        uow.commit()
    out: dict[str, Any]
    if not ids:
        out = {"signed": [], "errors": [], "processed_dossiers": []}
    else:
        out = box.signing_desk.sign_digitised(user_id, ids, secret).to_json()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"Đã ký số {len(out['signed'])} bản số hóa của lô quét {args.batch_id}.")
        for err in out["errors"]:
            print(f"- yêu cầu {err['task_id']}: {err['message']}")
    return 2 if out["errors"] else 0


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser(
        "sign-batch",
        help="ký số các bản số hóa của một lô quét (người quét ký, Thông tư 01/2023)",
    )
    s.add_argument("batch_id", type=int, metavar="BATCH_ID")
    s.add_argument("--user", help="người ký (mặc định: người tải lô quét lên)")
    s.add_argument("--p12", metavar="FILE", help="đăng ký (thay) tệp khoá của người ký trước")
    s.add_argument("--password-env", metavar="VAR", help="biến chứa mật khẩu/PIN (mặc định: hỏi)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_sign_batch)
