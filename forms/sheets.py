"""Sheets a clerk puts into the scanner's feed: a dossier cover sheet before each
dossier's papers, and optionally a document separator before each document.

Each carries its code twice — a large QR code and a Code 128 — so one still reads when
the other is smudged, and the code in print for people. hoso recognises them when a
batch is processed (ocr.sheets) and splits the batch accordingly.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forms import fonts

DOC_PREFIX = "HOSO-DOC:"  # must match ocr.sheets.DOC_PREFIX
QR_SIZE = 70 * mm


def _qr(text: str) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _sheet(canvas: Canvas, *, title: str, code: str, payload: str, lines: list[str]) -> None:
    width, height = A4
    canvas.setFont(fonts.BOLD, 26)
    canvas.drawCentredString(width / 2, height - 40 * mm, title)
    renderPDF.draw(_qr(payload), canvas, (width - QR_SIZE) / 2, height - 50 * mm - QR_SIZE)
    bar = Code128(payload, barHeight=18 * mm, barWidth=0.5 * mm, quiet=True)
    bar.drawOn(canvas, (width - bar.width) / 2, height - 85 * mm - QR_SIZE)
    canvas.setFont(fonts.BOLD, 20)
    canvas.drawCentredString(width / 2, height - 100 * mm - QR_SIZE, code)
    canvas.setFont(fonts.REGULAR, 12)
    y = height - 115 * mm - QR_SIZE
    for line in lines:
        canvas.drawCentredString(width / 2, y, line)
        y -= 7 * mm
    canvas.showPage()


def separator_sheets_pdf(
    *,
    dossier_code: str | None = None,
    doc_types: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> bytes:
    """A cover sheet for ``dossier_code`` (if given), then one separator per document
    type in ``doc_types``; ``labels`` gives each type's Vietnamese name."""
    fonts.register()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle("Tờ bìa và tờ phân cách hồ sơ")
    if dossier_code:
        _sheet(
            canvas,
            title="TỜ BÌA HỒ SƠ",
            code=dossier_code,
            payload=dossier_code,
            lines=[
                "Đặt tờ này lên trước các giấy tờ của hồ sơ khi quét.",
                "Các trang sau tờ này thuộc hồ sơ trên, đến tờ bìa tiếp theo.",
            ],
        )
    for doc_type in doc_types or []:
        name = (labels or {}).get(doc_type, doc_type)
        _sheet(
            canvas,
            title="TỜ PHÂN CÁCH TÀI LIỆU",
            code=name,
            payload=f"{DOC_PREFIX}{doc_type}",
            lines=[f"Loại giấy tờ: {doc_type}", "Đặt tờ này trước giấy tờ đó khi quét."],
        )
    canvas.save()
    return out.getvalue()
