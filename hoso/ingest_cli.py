"""``hoso ingest`` and ``hoso search``: locally (own worker pool) or against a server."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from tqdm import tqdm

from records.errors import BadInput, HosoError, NotFound
from records.sql import pages_table

EXIT_PARTIAL = 2


def expand(paths: list[str]) -> list[Path]:
    """Files given, and files inside folders given (recursively, sorted, no hidden ones)."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            files.append(p)
        else:
            raise NotFound(f"Không tìm thấy tệp hoặc thư mục: {raw}")
    if not files:
        raise BadInput("Không có tệp nào để nhận")
    return files


class _Bar:
    """A page progress bar on stderr (silent when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bar = tqdm(total=0, unit="trang", desc="Nhận dạng", file=sys.stderr, disable=None)

    def update(self, total: int, done: int) -> None:
        if self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def _finish(out: dict[str, Any], as_json: bool) -> int:
    failed = bool(out["errors"]) or any(d["status"] != "done" for d in out["documents"])
    if as_json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for d in out["documents"]:
            print(f"{d['source']}: {d['pages']} trang, {d['status']} → {d['pdf'] or '-'}")
        for d in out.get("duplicates", []):
            print(f"{d['source']}: trùng với tài liệu {d['document_id']} (lô {d['batch_id']})")
        for e in out["errors"]:
            print(f"LỖI {e['source']}: {e['message']}", file=sys.stderr)
    return EXIT_PARTIAL if failed else 0


def ingest_local(args: argparse.Namespace) -> int:
    from hoso.bootstrap import bootstrap
    from hoso.local import run_locally
    from hoso.settings import Settings
    from ingest.progress import batch_progress
    from ingest.upload import create_batch, receive_file
    from records.model import Role
    from records.users import ensure_user

    files = expand(args.paths)
    settings = Settings()
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
    bar = _Bar()

    def tick() -> None:
        with container.uow() as uow:
            p = batch_progress(uow, batch_id)
        bar.update(p["pages_total"], p["pages_done"] + p["pages_failed"])

    workers = args.workers or settings.workers
    container.engine.dispose()  # no connections shared with the pool's processes
    run_locally(settings, messages, workers=workers, on_tick=tick)
    tick()
    bar.close()
    out_dir = Path(args.out) if args.out else settings.data_dir / "exports" / f"batch-{batch_id}"
    return _finish(_local_result(container, batch_id, out_dir), args.json)


def _local_result(container: Any, batch_id: int, out_dir: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from ingest.progress import batch_progress
    from records.model import Page

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
            docs.append(_doc_json(d, text, pdf))
    errors = [{"source": e["source"], "message": e["message"]} for e in progress["errors"]]
    return {
        "batch_id": batch_id,
        "documents": docs,
        "duplicates": progress["duplicates"],
        "errors": errors,
    }


def _doc_json(d: dict[str, Any], text: str, pdf: str | None) -> dict[str, Any]:
    """A document as ``hoso ingest --json`` prints it."""
    return {
        "id": d["id"],
        "source": d["source"],
        "status": d["status"],
        "pages": d["pages"],  # paper pages of the document; cover/separator sheets excluded
        "dossier_code": d.get("dossier_code"),  # from a cover sheet, else null
        "doc_type_sheet": d.get("doc_type_sheet"),  # from a separator sheet, else null
        "blank_pages": d.get("blank_pages", []),  # kept in the PDF, not recognised
        "text": text,
        "pdf": pdf,
    }


def _doc_pdf_key(uow: Any, doc_id: int) -> str:
    from records.model import Document

    doc = uow.session.get(Document, doc_id)
    return doc.pdf_sha256  # type: ignore[no-any-return]


def _client(args: argparse.Namespace) -> httpx.Client:
    if not args.token:
        raise HosoError("Cần mã truy cập: --token hoặc biến HOSO_TOKEN")
    return httpx.Client(
        base_url=args.server.rstrip("/"),
        headers={"Authorization": f"Bearer {args.token}"},
        timeout=httpx.Timeout(30.0, read=600.0),
    )


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        raise HosoError(f"Máy chủ trả lỗi {response.status_code}: {message}")
    return response.json()


def ingest_remote(args: argparse.Namespace) -> int:
    files = expand(args.paths)
    with _client(args) as client:
        handles = [p.open("rb") for p in files]
        try:
            data = {"language": args.language} if args.language else {}
            upload = [
                ("files", (p.name, h, "application/octet-stream"))
                for p, h in zip(files, handles, strict=True)
            ]
            created = _check(client.post("/api/batches", files=upload, data=data))
        finally:
            for h in handles:
                h.close()
        batch_id = created["id"]
        if not args.wait:
            out = {
                "batch_id": batch_id,
                "documents": [],
                "duplicates": created.get("duplicates", []),
                "errors": created["errors"],
            }
            if args.json:
                print(json.dumps(out, ensure_ascii=False))
            else:
                print(f"Đã nhận lô {batch_id}: {args.server.rstrip('/')}/batches/{batch_id}")
            return EXIT_PARTIAL if created["errors"] else 0
        bar = _Bar()
        while True:
            progress = _check(client.get(f"/api/batches/{batch_id}"))
            bar.update(progress["pages_total"], progress["pages_done"] + progress["pages_failed"])
            if progress["status"] == "done":
                break
            time.sleep(0.5)
        bar.close()
        docs = []
        for d in progress["documents"]:
            text = client.get(f"/api/documents/{d['id']}/text").text
            pdf = (
                f"{args.server.rstrip('/')}/api/documents/{d['id']}/pdf"
                if d["status"] == "done"
                else None
            )
            docs.append(_doc_json(d, text, pdf))
        errors = [{"source": e["source"], "message": e["message"]} for e in progress["errors"]]
        out = {
            "batch_id": batch_id,
            "documents": docs,
            "duplicates": progress["duplicates"],
            "errors": errors,
        }
        return _finish(out, args.json)


def search(args: argparse.Namespace) -> dict[str, Any]:
    if args.server:
        with _client(args) as client:
            params: dict[str, Any] = {"q": args.query, "limit": args.limit}
            if args.batch:
                params["batch"] = args.batch
            result = _check(client.get("/api/search", params=params))
        hits = result["hits"]
    else:
        from hoso.bootstrap import bootstrap
        from search import SearchQuery

        if not args.query.strip():
            raise BadInput("Hãy nhập từ khóa cần tìm")
        found = (
            bootstrap()
            .index()
            .search(SearchQuery(text=args.query, batch_id=args.batch, limit=args.limit))
        )
        result = {"total": found.total}
        hits = [
            {
                "document_id": h.document_id,
                "source": h.source,
                "page": h.page,
                "score": round(h.score, 4),
                "snippet": h.snippet_html,
            }
            for h in found.hits
        ]
    return {
        "total": result["total"],
        "hits": [
            {k: h[k] for k in ("document_id", "source", "page", "score", "snippet")} for h in hits
        ],
    }
