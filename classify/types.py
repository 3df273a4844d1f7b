"""Document types: codes, Vietnamese labels and the standard titles that identify them.

The built-in list is data; admins add types by passing a longer list (for example loaded
from the database) to :func:`classify.rules.match_title` and to training — no code change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OTHER = "khac"


@dataclass(frozen=True)
class DocumentType:
    """One document type."""

    code: str
    """Stable code used by the API and ``hoso ingest --json``, e.g. ``to_khai_khai_sinh``."""
    label: str
    """Vietnamese name shown to clerks."""
    titles: tuple[str, ...] = ()
    """Regular expressions on *folded* text (lower case, no diacritics) for the standard
    title; matched at the start of a line.  Empty: the type is recognised by the model only."""


DEFAULT_TYPES: tuple[DocumentType, ...] = (
    DocumentType(
        "to_khai_khai_sinh",
        "Tờ khai đăng ký khai sinh",
        (r"to\s*khai\s*(dang\s*ky\s*)?khai\s*sinh",),
    ),
    DocumentType("giay_chung_sinh", "Giấy chứng sinh", (r"giay\s*chung\s*sinh",)),
    DocumentType(
        "to_khai_xac_nhan_hon_nhan",
        "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        (r"to\s*khai\s*(de\s*nghi\s*)?(cap\s*)?(giay\s*)?xac\s*nhan\s*tinh\s*trang\s*hon\s*nhan",),
    ),
    DocumentType(
        "to_khai_khai_tu", "Tờ khai đăng ký khai tử", (r"to\s*khai\s*(dang\s*ky\s*)?khai\s*tu\b",)
    ),
    DocumentType("giay_uy_quyen", "Giấy ủy quyền", (r"giay\s*uy\s*quyen",)),
    DocumentType(
        "can_cuoc",
        "Căn cước / Căn cước công dân",
        (r"can\s*cuoc(\s*cong\s*dan)?\s*$", r"citizen\s*identity\s*card", r"identity\s*card"),
    ),
    DocumentType(
        "giay_xac_nhan_cu_tru",
        "Giấy xác nhận thông tin về cư trú",
        (r"(giay\s*)?xac\s*nhan\s*thong\s*tin\s*ve\s*cu\s*tru",),
    ),
    DocumentType(
        "don_dang_ky_dat_dai",
        "Đơn đăng ký đất đai, tài sản gắn liền với đất",
        (r"don\s*dang\s*ky\s*(,\s*cap\s*giay\s*chung\s*nhan\s*)?(dat\s*dai|quyen\s*su\s*dung)",),
    ),
    DocumentType(
        "giay_chung_nhan_qsdd",
        "Giấy chứng nhận quyền sử dụng đất",
        (r"giay\s*chung\s*nhan\s*quyen\s*su\s*dung\s*dat",),
    ),
    DocumentType(
        "trich_luc_ban_do",
        "Trích lục bản đồ địa chính",
        (r"trich\s*luc\s*ban\s*do(\s*dia\s*chinh)?",),
    ),
    DocumentType("quyet_dinh", "Quyết định", (r"quyet\s*dinh\s*$",)),
    DocumentType(OTHER, "Giấy tờ khác"),
)


def codes(types: Iterable[DocumentType] = DEFAULT_TYPES) -> list[str]:
    return [t.code for t in types]


def by_code(types: Sequence[DocumentType] = DEFAULT_TYPES) -> dict[str, DocumentType]:
    """Index a type list; a later entry with the same code replaces an earlier one."""
    return {t.code: t for t in types}


def with_admin_types(extra: Iterable[DocumentType]) -> tuple[DocumentType, ...]:
    """The built-in types plus (or overridden by) admin-defined ones."""
    table = by_code(DEFAULT_TYPES)
    for t in extra:
        table[t.code] = t
    return tuple(table.values())
