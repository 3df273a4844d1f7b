"""What is drawn on a document before it is signed: the verification QR code and short
URL on results, and where a digitised copy's top-left stamp goes.

Drawing happens on the unsigned PDF (a full rewrite by pikepdf); the signature then
covers it, so the QR cannot be swapped afterwards without breaking the signature.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import pikepdf
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.pdfgen import canvas

from forms.fonts import register
from signing.errors import NotSignable

QR_SIZE = 62.0  # points (≈ 22 mm): reads reliably from a phone at arm's length
MARGIN = 14.0


@dataclass(frozen=True)
class PageBox:
    """A page's visible area in PDF points (its CropBox, else MediaBox)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def _open(data: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as e:
        raise NotSignable(f"Tệp không phải PDF đọc được: {e}.") from e


def first_page_box(data: bytes) -> PageBox:
    return page_box(data, "first")[1]


def page_box(data: bytes, which: str = "first") -> tuple[int, PageBox]:
    """The 0-based index and visible box of the ``first`` or ``last`` page."""
    with _open(data) as pdf:
        if not pdf.pages:
            raise NotSignable("Tệp PDF không có trang nào.")
        index = len(pdf.pages) - 1 if which == "last" else 0
        page = pdf.pages[index]
        box = page.obj.get("/CropBox", page.mediabox)
        x0, y0, x1, y1 = (float(v) for v in box)
        return index, PageBox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def top_left_box(
    page: PageBox, *, width: float = 290, height: float = 66
) -> tuple[int, int, int, int]:
    """A stamp rectangle in the top-left corner of ``page``, shrunk on small pages."""
    w = min(width, page.width * 0.7)
    h = min(height, page.height * 0.2)
    m = min(MARGIN, page.width * 0.03)
    x1, y2 = page.x0 + m, page.y1 - m
    return (round(x1), round(y2 - h), round(x1 + w), round(y2))


def add_verification_qr(data: bytes, url: str) -> bytes:
    """Draw a QR code of ``url`` with the URL under it at the bottom-left of page 1."""
    with _open(data) as pdf:
        if not pdf.pages:
            raise NotSignable("Tệp PDF không có trang nào.")
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        width, height = abs(x1 - x0), abs(y1 - y0)
        size = min(QR_SIZE, width * 0.2, height * 0.2)
        overlay = _qr_page(url, width, height, size)
        with pikepdf.open(io.BytesIO(overlay)) as over:
            page.add_overlay(over.pages[0], pikepdf.Rectangle(x0, y0, x1, y1))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def qr_modules(url: str) -> list[list[bool]]:
    """The QR code of ``url`` (level M, as :func:`forms.layout.qr_code`) as rows of dark
    modules, top row first."""
    widget = QrCodeWidget(url, barLevel="M")
    widget.qr.make()
    return [[bool(m) for m in row] for row in widget.qr.modules]


def qr_path(url: str, x: float, y: float, size: float, border: int = 4) -> str:
    """PDF path operators filling the QR's dark modules in a ``size`` square at (x, y),
    the standard 4-module quiet zone inside it: one rectangle per horizontal run of dark
    modules and a single fill, instead of one drawing object per run."""
    rows = qr_modules(url)
    count = len(rows)
    module = size / (count + 2 * border)
    ops = ["q 0 g"]
    for r, row in enumerate(rows):
        top = y + size - (r + border + 1) * module
        c = 0
        for dark, run in itertools.groupby(row):
            n = len(list(run))
            if dark:
                ops.append(
                    f"{x + (c + border) * module:.3f} {top:.3f} {n * module:.3f} {module:.3f} re"
                )
            c += n
    ops.append("f Q")
    return "\n".join(ops)


def _qr_page(url: str, width: float, height: float, size: float) -> bytes:
    font = register()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    margin = min(MARGIN, width * 0.03)
    text_size = max(4.0, min(6.5, size / 9))
    y = margin + text_size * 2 + 2
    c.addLiteral(qr_path(url, margin, y, size))
    c.setFont(font, text_size)
    c.drawString(margin + 2, margin + text_size + 1, "Xác thực văn bản tại:")
    c.drawString(margin + 2, margin, url)
    c.showPage()
    c.save()
    return buf.getvalue()
