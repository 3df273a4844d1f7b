"""Page, type and the blocks the forms share: header, title, tables, signatures, codes.

A5 portrait, Times-metric serif, sizes scaled down from Decree 30/2020's A4 rules (13–14 pt)
so a slip with a handful of documents fits on one page; longer lists flow on to more pages.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from forms import fonts
from forms.model import Agency, ReceivedDocument
from forms.text import clean, place_date, upper

PAGE = A5
LEFT, RIGHT, TOP, BOTTOM = 15 * mm, 10 * mm, 9 * mm, 11 * mm
WIDTH = PAGE[0] - LEFT - RIGHT
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
HEAD_SIZE, MOTTO_SIZE = 9.0, 9.5
BODY, LEAD = 9.5, 11.6


def _style(
    name: str, size: float, leading: float, align: int = TA_LEFT, **kw: Any
) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=fonts.REGULAR, fontSize=size, leading=leading, alignment=align, **kw
    )


STYLES = {
    "body": _style("body", BODY, LEAD, TA_JUSTIFY, spaceBefore=1.5),
    "item": _style("item", BODY, LEAD, TA_JUSTIFY, leftIndent=14, firstLineIndent=-10),
    "plain": _style("plain", BODY, LEAD, spaceBefore=1.5),
    "head": _style("head", HEAD_SIZE, 10.8, TA_CENTER),
    "motto": _style("motto", MOTTO_SIZE, 11.4, TA_CENTER),
    "title": _style("title", 11.5, 14, TA_CENTER, spaceBefore=6),
    "center": _style("center", BODY, LEAD, TA_CENTER),
    "cell": _style("cell", 8.5, 10.2),
    "cell_c": _style("cell_c", 8.5, 10.2, TA_CENTER),
    "note": _style("note", 8, 9.6, spaceBefore=4),
    "sign": _style("sign", BODY, LEAD, TA_CENTER),
}


def para(markup: str, style: str = "body") -> Paragraph:
    """A paragraph of reportlab markup; callers pass user text through ``clean``."""
    fonts.register()
    return Paragraph(markup, STYLES[style])


def field(label: str, value: str, *, bold: bool = False, number: int = 0) -> Paragraph:
    """``Label: value`` as a body line, ``n. Label: value`` when numbered."""
    shown = f"<b>{clean(value)}</b>" if bold else clean(value)
    prefix = f"{number}. " if number else ""
    return para(f"{prefix}{clean(label)}: {shown}")


def rule(length: float) -> HRFlowable:
    """The short solid line under the agency name and under the motto."""
    return HRFlowable(width=length, thickness=0.6, color=colors.black, spaceBefore=3, spaceAfter=0)


def header(agency: Agency, when: datetime) -> Table:
    """Agency top-left, national name and motto top-right with the place and date below.

    Decree 30/2020: the motto is underlined by a line as long as the motto; the line under
    the agency name is a third to a half of the name's length.
    """
    left_w, right_w = 0.43 * WIDTH, 0.57 * WIDTH
    left: list[Flowable] = []
    if agency.parent:
        left.append(para(clean(upper(agency.parent)), "head"))
    left.append(para(f"<b>{clean(upper(agency.name))}</b>", "head"))
    name_w = fonts.width(upper(agency.name), fonts.BOLD, HEAD_SIZE)
    left.append(rule(max(36.0, min(name_w, left_w) / 3)))
    right: list[Flowable] = [
        para(f"<b>{NATION}</b>", "head"),
        para(f"<b>{MOTTO}</b>", "motto"),
        rule(fonts.width(MOTTO, fonts.BOLD, MOTTO_SIZE)),
        Spacer(1, 3),
        para(f"<i>{clean(place_date(agency.locality, when))}</i>", "center"),
    ]
    table = Table([[left, right]], colWidths=[left_w, right_w])
    table.setStyle([*_plain(), ("RIGHTPADDING", (0, 0), (0, 0), 4)])
    return table


def title(text: str, code: str) -> list[Flowable]:
    return [
        para(f"<b>{clean(text)}</b>", "title"),
        para(f"Mã hồ sơ: <b>{clean(code)}</b>", "center"),
    ]


def documents_table(documents: Sequence[ReceivedDocument]) -> Table:
    """TT / name / form of the paper / count, the heading repeated on every page."""
    rows: list[list[Any]] = [
        [para(f"<b>{h}</b>", "cell_c") for h in ("TT", "Tên giấy tờ", "Hình thức", "Số lượng")]
    ]
    for n, doc in enumerate(documents, start=1):
        rows.append(
            [
                para(str(n), "cell_c"),
                para(clean(doc.name), "cell"),
                para(clean(doc.copies), "cell_c"),
                para(f"{doc.count:02d}", "cell_c"),
            ]
        )
    widths = [20.0, WIDTH - 20 - 82 - 42, 82.0, 42.0]
    table = Table(rows, colWidths=widths, repeatRows=1, spaceBefore=3, spaceAfter=3)
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    return table


def numbered(items: Sequence[str]) -> list[Flowable]:
    return [para(f"{n}. {clean(text)}", "item") for n, text in enumerate(items, start=1)]


@dataclass(frozen=True, slots=True)
class Signer:
    """One signature column: its heading lines, the hint under them, the printed name."""

    title: Sequence[str]
    name: str
    hint: str = "(Ký và ghi rõ họ tên)"


def signatures(columns: Sequence[Signer | None], left: Sequence[Flowable] = ()) -> Table:
    """Signature columns side by side (None leaves a column blank); a one-row table, so it
    never splits across pages.

    ``left`` fills the first column instead when the form puts "Nơi nhận" there.
    """
    cells: list[list[Flowable]] = []
    for signer in columns:
        if signer is None:
            cells.append(list(left))
            continue
        cell: list[Flowable] = [para(f"<b>{clean(upper(t))}</b>", "sign") for t in signer.title]
        cell.append(para(f"<i>{clean(signer.hint)}</i>", "sign"))
        cell.append(Spacer(1, 36))
        cell.append(para(f"<b>{clean(signer.name)}</b>", "sign"))
        cells.append(cell)
    table = Table([cells], colWidths=[WIDTH / len(columns)] * len(columns), spaceBefore=6)
    table.setStyle(_plain())
    return table


def qr_code(text: str, size: float) -> Drawing:
    """A QR code (level M, the standard 4-module quiet zone inside ``size``)."""
    widget = QrCodeWidget(text, barLevel="M", barWidth=size, barHeight=size, barBorder=4)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def barcode(text: str) -> Code128:
    """Code 128 of the dossier code, modules 0.75 pt (2 px at 200 dpi) for reliable reads."""
    code = Code128(text, barWidth=0.75, barHeight=22, humanReadable=False)
    code.hAlign = "CENTER"
    return code


def _plain() -> list[tuple[Any, ...]]:
    return [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]


def render(story: Callable[[], list[Flowable]], *, title: str, author: str, code: str) -> bytes:
    """Lay the story out on A5 pages; identical input gives identical bytes.

    ``invariant`` fixes the creation date and document ID reportlab would otherwise vary.
    A story longer than a page is laid out twice so every page can say "Trang n/N".
    """
    data, pages = _build(story(), title=title, author=author, code=code, total=0)
    if pages > 1:
        data, _ = _build(story(), title=title, author=author, code=code, total=pages)
    return data


def _build(
    story: list[Flowable], *, title: str, author: str, code: str, total: int
) -> tuple[bytes, int]:
    out = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        if total:
            canvas.setFont(fonts.ITALIC, 8)
            line = f"Mã hồ sơ {code} - Trang {doc.page}/{total}"
            canvas.drawCentredString(LEFT + WIDTH / 2, BOTTOM / 2, line)

    # A frame without reportlab's default 6 pt padding: the margins are the layout's own.
    frame = Frame(
        LEFT,
        BOTTOM,
        WIDTH,
        PAGE[1] - TOP - BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        pageTemplates=[PageTemplate("form", [frame], onPage=footer)],
        title=title,
        author=author,
        subject=code,
        creator="hoso",
        lang="vi-VN",
        invariant=1,
    )
    doc.build(story)
    return out.getvalue(), int(doc.page)
