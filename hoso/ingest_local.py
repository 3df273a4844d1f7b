"""``hoso ingest`` with no server: the files go into this data directory and a local
worker pool (:mod:`hoso.local`) runs the pipeline, with a progress bar.

Only light modules are imported at the top: the pool is started first, so that its
processes import the pipeline and load the OCR model while this one imports the rest,
migrates the database and receives the files.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from hoso.ingest_common import Bar, doc_json, expand, finish
from hoso.local import LocalPool
from hoso.settings import Settings


def ingest_local(args: argparse.Namespace) -> int:
    files = expand(args.paths)
    settings = Settings()
    workers = args.workers or settings.workers
    # The pool starts first: its processes get ready while this one imports the rest,
    # migrates the database and receives the files.
    with LocalPool(settings, workers, args.language) as pool:
        return _ingest_into(pool, settings, files, args)


def _ingest_into(
    pool: LocalPool, settings: Settings, files: list[Path], args: argparse.Namespace
) -> int:
    from hoso.bootstrap import bootstrap
    from ingest.progress import batch_progress
    from ingest.upload import create_batch, receive_file
    from records.model import Role
    from records.users import ensure_user

    container = bootstrap(settings)
    with container.uow() as uow:
        user = ensure_user(uow, "cli", Role.CLERK)
        uow.commit()
    language = args.language or settings.ocr_language
    batch_id = create_batch(container.uow, user.id, language)  # type: ignore[arg-type]
    messages = []
    for path in files:
        with path.open("rb") as f:
            received = receive_file(
                container.uow,
                container.store,
                batch_id,
                path.name,
                f,
                max_bytes=settings.max_file_mb * 1024 * 1024,
            )
        messages.extend(received.messages)
    bar = Bar()

    def tick() -> None:
        with container.uow() as uow:
            p = batch_progress(uow, batch_id)
        bar.update(p["pages_total"], p["pages_done"] + p["pages_failed"])

    container.engine.dispose()  # no connections shared with the pool's processes
    pool.run(messages, on_tick=tick)
    tick()
    bar.close()
    out_dir = Path(args.out) if args.out else settings.data_dir / "exports" / f"batch-{batch_id}"
    return finish(_local_result(container, batch_id, out_dir), args.json)


def _local_result(container: Any, batch_id: int, out_dir: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from ingest.progress import batch_progress
    from records.model import Page
    from records.sql import pages_table

    with container.uow() as uow:
        progress = batch_progress(uow, batch_id)
        docs = []
        for d in progress["documents"]:
            pages = uow.session.scalars(
                select(Page)
                .where(
                    pages_table.c.document_id == d["id"], pages_table.c.kind.in_(("page", "blank"))
                )
                .order_by(pages_table.c.number)
            ).all()
            text = "\f".join(
                container.store.get_bytes(p.text_sha256).decode() if p.text_sha256 else ""
                for p in pages
            )
            pdf = None
            if d["status"] == "done":
                doc_pdf = _doc_pdf_key(uow, d["id"])
                out_dir.mkdir(parents=True, exist_ok=True)
                target = out_dir / f"{d['id']:06d}-{Path(d['source']).stem}.pdf"
                with container.store.open(doc_pdf) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                pdf = str(target.resolve())
            docs.append(doc_json(d, text, pdf))
    errors = [{"source": e["source"], "message": e["message"]} for e in progress["errors"]]
    return {
        "batch_id": batch_id,
        "documents": docs,
        "duplicates": progress["duplicates"],
        "errors": errors,
    }


def _doc_pdf_key(uow: Any, doc_id: int) -> str:
    from records.model import Document

    doc = uow.session.get(Document, doc_id)
    return doc.pdf_sha256  # type: ignore[no-any-return]
