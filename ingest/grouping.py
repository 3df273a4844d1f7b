"""Splitting a scanned source file into documents by its cover and separator sheets.

Reading the pages in paper order:
- a *cover sheet* (dossier code) starts the papers of that dossier;
- a *separator sheet* (document type) starts a new document, of that type;
- any other page (blank backs included) belongs to the current document, which is
  opened by the first page after a sheet.
Sheets are kept with the document they introduce, as evidence, but are not its pages.
Sheets at the very end stay with the last document. Without any sheet the whole file
is one document, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar


class PageLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def sheet_value(self) -> str | None: ...


P = TypeVar("P", bound=PageLike)


@dataclass
class Group(Generic[P]):
    dossier_code: str | None = None
    doc_type: str | None = None
    pages: list[P] = field(default_factory=list)
    sheets: list[P] = field(default_factory=list)


def group_pages(pages: Sequence[P]) -> list[Group[P]]:
    groups: list[Group[P]] = []
    dossier: str | None = None
    doc_type: str | None = None
    waiting: list[P] = []  # sheets read since the last document page
    current: Group[P] | None = None
    for page in pages:
        if page.kind == "cover":
            dossier, doc_type, current = page.sheet_value, None, None
            waiting.append(page)
        elif page.kind == "separator":
            doc_type, current = page.sheet_value, None
            waiting.append(page)
        else:
            if current is None:
                current = Group(dossier_code=dossier, doc_type=doc_type, sheets=waiting)
                groups.append(current)
                waiting = []
            current.pages.append(page)
    if waiting:
        if groups:
            groups[-1].sheets.extend(waiting)
        else:
            groups.append(Group(dossier_code=dossier, doc_type=doc_type, sheets=waiting))
    return groups or [Group()]
