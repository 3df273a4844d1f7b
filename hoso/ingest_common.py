"""What ``hoso ingest`` does the same way locally and against a server: the files to send,
the page progress bar and the result it prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from records.errors import BadInput, NotFound

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


class Bar:
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


def finish(out: dict[str, Any], as_json: bool) -> int:
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


def doc_json(d: dict[str, Any], text: str, pdf: str | None) -> dict[str, Any]:
    """A document as ``hoso ingest --json`` prints it."""
    return {
        "id": d["id"],
        "source": d["source"],
        "status": d["status"],
        "pages": d["pages"],  # paper pages of the document; cover/separator sheets excluded
        "dossier_code": d.get("dossier_code"),  # from a cover sheet, else null
        "doc_type_sheet": d.get("doc_type_sheet"),  # from a separator sheet, else null
        "blank_pages": d.get("blank_pages", []),  # kept in the PDF, not recognised
        "type": d.get("type"),  # document type code (classification)
        "type_confidence": d.get("type_confidence"),
        "fields": d.get("fields", {}),  # key → value (cccd, ho_ten, ngay_sinh, …)
        "text": text,
        "pdf": pdf,
    }
