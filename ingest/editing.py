"""A clerk's corrections to how a batch was cut into documents: split a document, merge
two, reorder or turn pages. Each returns the follow-up messages (re-assembly, and
re-recognition for a turned page); the pages' images and text are reused otherwise."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from ingest.pipeline import Message
from records.errors import BadInput, Conflict, NotFound
from records.model import Document, DocumentStatus, Page, PageStatus
from records.sql import UnitOfWork, dossier_documents_table, pages_table
from search.port import SearchIndex

Uows = Callable[[], UnitOfWork]


def _editable(uow: UnitOfWork, doc_id: int) -> tuple[Document, list[Page]]:
    doc = uow.session.get(Document, doc_id)
    if doc is None:
        raise NotFound(f"Không tìm thấy tài liệu số {doc_id}")
    if doc.status == DocumentStatus.PENDING:
        raise Conflict(f"Tài liệu {doc_id} đang được xử lý; hãy chờ xử lý xong rồi sửa")
    pages = list(
        uow.session.scalars(
            select(Page)
            .where(pages_table.c.document_id == doc_id, pages_table.c.kind.in_(("page", "blank")))
            .order_by(pages_table.c.number)
        )
    )
    return doc, pages


def _renumber(uow: UnitOfWork, doc: Document, pages: list[Page]) -> None:
    for p in pages:
        p.number = None
    uow.session.flush()
    for n, p in enumerate(pages, 1):
        p.document_id = doc.id  # type: ignore[assignment]
        p.number = n
    doc.page_count = len(pages)
    _reassemble(doc)


def _reassemble(doc: Document) -> None:
    doc.status = DocumentStatus.PENDING
    doc.pdf_sha256 = None
    doc.error = None
    doc.finished = None


def split(uows: Uows, doc_id: int, after_page: int) -> tuple[int, list[Message]]:
    """Pages after ``after_page`` become a new document (same file, dossier and type)."""
    with uows() as uow:
        doc, pages = _editable(uow, doc_id)
        if not 1 <= after_page < len(pages):
            raise BadInput(f"Chỉ tách được sau trang 1 đến {len(pages) - 1}")
        new = Document(
            batch_id=doc.batch_id,
            source_file_id=doc.source_file_id,
            part=doc.part,
            dossier_code=doc.dossier_code,
            doc_type_sheet=doc.doc_type_sheet,
            created=doc.created,
        )
        uow.session.add(new)
        uow.session.flush()
        assert new.id is not None
        _renumber(uow, new, pages[after_page:])
        _renumber(uow, doc, pages[:after_page])
        uow.commit()
        return new.id, [Message("assemble_document", doc_id), Message("assemble_document", new.id)]


def merge(
    uows: Uows, index: Callable[[], SearchIndex], doc_id: int, other_id: int
) -> list[Message]:
    """Append the other document's pages to this one; the other document goes away."""
    if doc_id == other_id:
        raise BadInput("Không thể ghép tài liệu với chính nó")
    with uows() as uow:
        doc, pages = _editable(uow, doc_id)
        other, more = _editable(uow, other_id)
        linked = uow.session.scalar(
            select(dossier_documents_table.c.id).where(
                dossier_documents_table.c.document_id == other_id
            )
        )
        if linked is not None:
            raise Conflict(f"Tài liệu {other_id} đã gắn vào hồ sơ; gỡ khỏi hồ sơ trước khi ghép")
        sheets = uow.session.scalars(select(Page).where(pages_table.c.document_id == other_id))
        for s in sheets:
            if s.kind in ("cover", "separator"):
                s.document_id = doc_id
        _renumber(uow, doc, pages + more)
        uow.session.flush()
        uow.session.delete(other)
        uow.commit()
    index().delete_document(other_id)
    return [Message("assemble_document", doc_id)]


def reorder(uows: Uows, doc_id: int, order: list[int]) -> list[Message]:
    """``order`` lists the current page numbers in their new order (each exactly once)."""
    with uows() as uow:
        doc, pages = _editable(uow, doc_id)
        if sorted(order) != list(range(1, len(pages) + 1)):
            raise BadInput(f"Thứ tự mới phải liệt kê mỗi trang từ 1 đến {len(pages)} đúng một lần")
        by_number = {p.number: p for p in pages}
        _renumber(uow, doc, [by_number[n] for n in order])
        uow.commit()
    return [Message("assemble_document", doc_id)]


def rotate(uows: Uows, doc_id: int, number: int, degrees: int) -> list[Message]:
    """Turn one page clockwise; it is recognised again, then the document re-assembled."""
    if degrees % 90 or degrees % 360 == 0:
        raise BadInput("Chỉ xoay được 90, 180 hoặc 270 độ")
    with uows() as uow:
        doc, pages = _editable(uow, doc_id)
        page = next((p for p in pages if p.number == number), None)
        if page is None:
            raise NotFound(f"Tài liệu {doc_id} không có trang {number}")
        page.rotation = (page.rotation + page.turned + degrees) % 360
        page.status = PageStatus.PENDING
        page.error = None
        _reassemble(doc)
        uow.commit()
        assert page.id is not None
        return [Message("ocr_page", page.id)]


def move_page(
    uows: Uows,
    index: Callable[[], SearchIndex],
    doc_id: int,
    number: int,
    target_id: int,
    position: int | None = None,
) -> list[Message]:
    """Move one page to another document (at ``position``, default the end). A document
    left without pages goes away."""
    if doc_id == target_id:
        raise BadInput("Trang đã ở tài liệu này; dùng sắp xếp lại để đổi vị trí")
    with uows() as uow:
        doc, pages = _editable(uow, doc_id)
        target, target_pages = _editable(uow, target_id)
        page = next((p for p in pages if p.number == number), None)
        if page is None:
            raise NotFound(f"Tài liệu {doc_id} không có trang {number}")
        at = len(target_pages) if position is None else position - 1
        if not 0 <= at <= len(target_pages):
            raise BadInput(f"Vị trí phải từ 1 đến {len(target_pages) + 1}")
        rest = [p for p in pages if p is not page]
        _renumber(uow, target, [*target_pages[:at], page, *target_pages[at:]])
        messages = [Message("assemble_document", target_id)]
        if rest:
            _renumber(uow, doc, rest)
            messages.append(Message("assemble_document", doc_id))
        else:
            _drop_empty(uow, doc)
        uow.commit()
    if not rest:
        index().delete_document(doc_id)
    return messages


def remove_page(uows: Uows, doc_id: int, number: int) -> list[Message]:
    """Take a page out of the document (scanned by mistake). Its image stays on record as
    part of the paper batch, marked removed; it is no longer in the PDF or in search."""
    with uows() as uow:
        doc, pages = _editable(uow, doc_id)
        page = next((p for p in pages if p.number == number), None)
        if page is None:
            raise NotFound(f"Tài liệu {doc_id} không có trang {number}")
        if len(pages) == 1:
            raise Conflict("Không bỏ được trang duy nhất của tài liệu")
        rest = [p for p in pages if p is not page]
        page.kind = "removed"
        page.number = None
        _renumber(uow, doc, rest)
        uow.commit()
    return [Message("assemble_document", doc_id)]


def _drop_empty(uow: UnitOfWork, doc: Document) -> None:
    """Delete a document left with no pages; its sheets move to nothing (kept via pages)."""
    linked = uow.session.scalar(
        select(dossier_documents_table.c.id).where(dossier_documents_table.c.document_id == doc.id)
    )
    if linked is not None:
        raise Conflict(f"Tài liệu {doc.id} đã gắn vào hồ sơ; không thể để trống")
    leftovers = list(uow.session.scalars(select(Page).where(pages_table.c.document_id == doc.id)))
    if leftovers:  # sheets or removed pages: keep them with the document, now empty
        doc.page_count = 0
        doc.status = DocumentStatus.FAILED
        doc.error = "Không còn trang nào (các trang đã được chuyển đi)"
        return
    uow.session.delete(doc)
