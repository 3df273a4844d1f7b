"""The corpus entry (what file, what outcome) and the building blocks the files are made of."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pikepdf
from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

BAD = Path(__file__).parent.parent / "resources" / "bad"

Outcome = Literal["done", "refused", "failed"]


@dataclass(frozen=True)
class Expect:
    """``refused``: at upload (never stored); ``failed``: stored, then the document fails;
    ``done``: processed into ``pages`` pages. ``fragment``: a distinctive piece of the
    clerk's message (refused/failed)."""

    outcome: Outcome
    fragment: str = ""
    pages: int = 0

    def __str__(self) -> str:
        if self.outcome == "done":
            return f"processed, {self.pages} page{'s' if self.pages != 1 else ''}"
        stage = "refused at upload" if self.outcome == "refused" else "document failed"
        return f"{stage}: “…{self.fragment}…”"


@dataclass(frozen=True)
class BadFile:
    file: str  # name under tests/resources/bad/ (or in the test's temporary folder)
    what: str  # for the README
    make: Callable[[Path], None]
    expect: Expect
    generated: bool = False  # True: too large to commit, written at test time
    upload_name: str | None = None  # the name the browser sends (default: ``file``)

    @property
    def name(self) -> str:
        return self.upload_name if self.upload_name is not None else self.file

    def path(self, tmp: Path) -> Path:
        """The committed file, or a freshly generated one in ``tmp``."""
        if not self.generated:
            committed = BAD / self.file
            if committed.exists():
                return committed
        target = tmp / self.file
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            self.make(target)
        return target


# -- building blocks ----------------------------------------------------------------------


def scan_image(size: tuple[int, int] = (600, 800), mode: str = "L") -> Image.Image:
    """A plain 'scanned page': white, a thick black bar at the top (so an upside-down or
    sideways page is easy to tell) and a few grey 'text lines'."""
    im = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(im)
    w, h = size
    draw.rectangle((w // 10, h // 20, w - w // 10, h // 20 + h // 25), fill="black")
    for i in range(6):
        y = h // 5 + i * h // 10
        draw.rectangle((w // 10, y, w - w // 4 - (i % 3) * w // 10, y + h // 80), fill="black")
    return im


def scan_jpeg(size: tuple[int, int] = (600, 800), quality: int = 40) -> bytes:
    buf = io.BytesIO()
    scan_image(size).save(buf, format="JPEG", quality=quality, dpi=(100, 100))
    return buf.getvalue()


def image_page(
    pdf: pikepdf.Pdf, jpeg: bytes, size: tuple[int, int], dpi: int = 100, rotate: int = 0
) -> pikepdf.Page:
    """A page that is exactly one embedded JPEG, like a scanner's PDF."""
    w_px, h_px = size
    w_pt, h_pt = w_px * 72 / dpi, h_px * 72 / dpi
    image = pikepdf.Stream(pdf, jpeg)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = w_px, h_px
    image.ColorSpace = pikepdf.Name.DeviceGray
    image.BitsPerComponent = 8
    image.Filter = pikepdf.Name.DCTDecode
    content = pikepdf.Stream(pdf, f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode())
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w_pt, h_pt],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
        Contents=content,
    )
    if rotate:
        page.Rotate = rotate
    pdf.pages.append(pikepdf.Page(page))
    return pdf.pages[-1]


def scanned_pdf(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        image_page(pdf, scan_jpeg(), (600, 800))
    return pdf


def save_pdf(pdf: pikepdf.Pdf, path: Path, **kw: object) -> None:
    pdf.save(path, deterministic_id=True, **kw)  # type: ignore[arg-type]


def vector_pdf_bytes(lines: list[str], size: tuple[float, float] = (595.27, 841.89)) -> bytes:
    """A born-digital PDF page: real text drawn with a font, no image."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=True)
    c.setFont("Helvetica", 28)
    for i, line in enumerate(lines):
        c.drawString(72, size[1] - 120 - 48 * i, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def raw_pdf(objects: list[bytes], *, trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def pdf_stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"


TEXT_CONTENT = b"BT /F1 24 Tf 72 720 Td (Quyet dinh so 12) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
