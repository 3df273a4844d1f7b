"""The procedures catalogue: what each administrative procedure requires and how long it
may take. Shipped as YAML (records/data/procedures_vn.yaml), stored in the database so an
admin can edit and import it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from records.errors import BadInput

SHIPPED = Path(__file__).parent / "data" / "procedures_vn.yaml"
COPIES = {
    "original": "bản chính",
    "copy": "bản sao",
    "certified_copy": "bản sao chứng thực",
    "original_or_copy": "bản chính hoặc bản sao",
}


@dataclass(frozen=True)
class RequiredDocument:
    type: str  # document-type code (see classification), e.g. "can_cuoc"
    name: str
    copies: str = "original"
    mandatory: bool = True

    @property
    def copies_vi(self) -> str:
        return COPIES[self.copies]


@dataclass(frozen=True)
class Procedure:
    """Exactly one of ``working_days``, ``hours`` or ``same_day`` gives its time limit."""

    code: str
    name: str
    field: str
    documents: tuple[RequiredDocument, ...] = ()
    working_days: int | None = None
    hours: float | None = None
    same_day: bool = False
    fee_vnd: int | None = None
    fee_note: str = ""
    result_type: str = ""
    verified: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        limits = [self.working_days is not None, self.hours is not None, self.same_day]
        if sum(limits) != 1:
            raise BadInput(f"Thủ tục {self.code}: cần đúng một trong working_days, hours, same_day")
        if not self.code.strip() or not self.name.strip() or not self.field.strip():
            raise BadInput("Thủ tục cần có mã, tên và lĩnh vực")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "same_day": self.same_day,
            "fee_vnd": self.fee_vnd,
            "fee_note": self.fee_note,
            "result_type": self.result_type,
            "verified": self.verified,
            "source": self.source,
            "required_documents": [d.type for d in self.documents if d.mandatory],
            "documents": [
                {"type": d.type, "name": d.name, "copies": d.copies, "mandatory": d.mandatory}
                for d in self.documents
            ],
        }
        if self.working_days is not None:
            out["working_days"] = self.working_days
        if self.hours is not None:
            out["hours"] = self.hours
        return out


def procedure_from_dict(raw: Mapping[str, Any]) -> Procedure:
    try:
        docs = tuple(
            RequiredDocument(
                type=str(d["type"]),
                name=str(d["name"]),
                copies=str(d.get("copies", "original")),
                mandatory=bool(d.get("mandatory", True)),
            )
            for d in raw.get("documents", [])
        )
        for d in docs:
            if d.copies not in COPIES:
                raise BadInput(f"Loại bản '{d.copies}' không hợp lệ ({', '.join(COPIES)})")
        return Procedure(
            code=str(raw["code"]),
            name=str(raw["name"]),
            field=str(raw["field"]),
            documents=docs,
            working_days=int(raw["working_days"]) if raw.get("working_days") is not None else None,
            hours=float(raw["hours"]) if raw.get("hours") is not None else None,
            same_day=bool(raw.get("same_day", False)),
            fee_vnd=int(raw["fee_vnd"]) if raw.get("fee_vnd") is not None else None,
            fee_note=str(raw.get("fee_note", "")),
            result_type=str(raw.get("result_type", "")),
            verified=bool(raw.get("verified", False)),
            source=str(raw.get("source", "")),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise BadInput(f"Thủ tục không hợp lệ ({raw.get('code', '?')}): thiếu hoặc sai {e}") from e


def load_catalogue(path: Path | None = None) -> list[Procedure]:
    """Read a catalogue file (YAML or JSON: ``{"procedures": [...]}`` or a bare list)."""
    source = path or SHIPPED
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise BadInput(f"Không đọc được danh mục thủ tục {source.name}: {e}") from e
    items: Sequence[Mapping[str, Any]] = (
        data.get("procedures", []) if isinstance(data, dict) else data
    )
    if not isinstance(items, list):
        raise BadInput("Danh mục thủ tục phải là danh sách 'procedures'")
    procedures = [procedure_from_dict(p) for p in items]
    codes = [p.code for p in procedures]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise BadInput(f"Mã thủ tục bị trùng: {', '.join(dupes)}")
    return procedures
