"""What is drawn on a document before it is signed: the verification QR code and short
URL on results, and where a digitised copy's top-left stamp goes.

Drawing happens on the unsigned PDF (a rewrite by pikepdf, well under a millisecond for
a result page); the signature then covers it, so the QR cannot be swapped afterwards
without breaking the signature. No reportlab drawing: the QR is one content-stream path
and the text uses the stamp font, embedded from bytes prepared once per process.
"""

from __future__ import annotations

import functools
import io
import itertools
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from reportlab.graphics.barcode import qrencoder

from signing.errors import NotSignable
from signing.stamp import stamp_font

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
    """Draw a QR code of ``url`` with the URL under it at the bottom-left of page 1.

    Added straight to the page with pikepdf: the QR as one path of filled module runs, the
    two text lines in the stamp font (a Type 0 font whose file, widths and ToUnicode map
    are built once per process), so the text stays selectable and searchable."""
    with _open(data) as pdf:
        if not pdf.pages:
            raise NotSignable("Tệp PDF không có trang nào.")
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        x0, x1 = min(x0, x1), max(x0, x1)
        y0, y1 = min(y0, y1), max(y0, y1)
        width, height = x1 - x0, y1 - y0
        size = min(QR_SIZE, width * 0.2, height * 0.2)
        font = _label_font()
        name = page.add_resource(font.embed(pdf), pikepdf.Name.Font, prefix="FHosoQR")
        margin = min(MARGIN, width * 0.03)
        text_size = max(4.0, min(6.5, size / 9))
        x, y = x0 + margin, y0 + margin
        content = "\n".join(
            (
                qr_path(url, x, y + text_size * 2 + 2, size),
                "q 0 g BT",
                f"{name} {text_size:.2f} Tf",
                f"{x + 2:.3f} {y + text_size + 1:.3f} Td <{font.hex(LABEL)}> Tj",
                f"0 {-(text_size + 1):.3f} Td <{font.hex(url)}> Tj",
                "ET Q",
            )
        )
        page.contents_add(b"q", prepend=True)  # the page's own drawing cannot leak into ours
        page.contents_add(b"Q\n" + content.encode("ascii"))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


LABEL = "Xác thực văn bản tại:"


@dataclass(frozen=True)
class _LabelFont:
    """The stamp font as the pieces of a PDF Type 0 font (Identity-H, CID = glyph id),
    made once per process; :meth:`embed` adds them to one document."""

    ps_name: str
    cmap: dict[int, int]  # code point → glyph id
    font_file: bytes  # the TrueType file, Flate-compressed
    to_unicode: bytes  # ToUnicode CMap, Flate-compressed
    widths: tuple[int, ...]  # advance per glyph id, in 1/1000 em
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int

    def hex(self, text: str) -> str:
        return "".join(f"{self.cmap.get(ord(c), 0):04X}" for c in text)

    def embed(self, pdf: pikepdf.Pdf) -> pikepdf.Object:
        n = pikepdf.Name
        font_file = pikepdf.Stream(pdf, b"")
        font_file.write(self.font_file, filter=n.FlateDecode)
        to_unicode = pikepdf.Stream(pdf, b"")
        to_unicode.write(self.to_unicode, filter=n.FlateDecode)
        descriptor = pikepdf.Dictionary(
            Type=n.FontDescriptor,
            FontName=n("/" + self.ps_name),
            Flags=6,  # serif, symbolic (glyphs addressed by id)
            FontBBox=pikepdf.Array(self.bbox),
            ItalicAngle=0,
            Ascent=self.ascent,
            Descent=self.descent,
            CapHeight=self.cap_height,
            StemV=80,
            FontFile2=pdf.make_indirect(font_file),
        )
        cid_font = pikepdf.Dictionary(
            Type=n.Font,
            Subtype=n.CIDFontType2,
            BaseFont=n("/" + self.ps_name),
            CIDSystemInfo=pikepdf.Dictionary(
                Registry=pikepdf.String("Adobe"),
                Ordering=pikepdf.String("Identity"),
                Supplement=0,
            ),
            FontDescriptor=pdf.make_indirect(descriptor),
            DW=1000,
            W=pikepdf.Array([0, pikepdf.Array(list(self.widths))]),
            CIDToGIDMap=n.Identity,
        )
        return pdf.make_indirect(
            pikepdf.Dictionary(
                Type=n.Font,
                Subtype=n.Type0,
                BaseFont=n("/" + self.ps_name),
                Encoding=n("/Identity-H"),
                DescendantFonts=pikepdf.Array([pdf.make_indirect(cid_font)]),
                ToUnicode=pdf.make_indirect(to_unicode),
            )
        )


@functools.lru_cache(maxsize=1)
def _label_font() -> _LabelFont:
    from fontTools.ttLib import TTFont

    path = stamp_font()
    raw = Path(path).read_bytes()
    tt = TTFont(io.BytesIO(raw))
    cmap = tt.getBestCmap()
    order = tt.getGlyphOrder()
    gid = {g: i for i, g in enumerate(order)}
    scale = 1000 / tt["head"].unitsPerEm
    widths = tuple(round(tt["hmtx"][g][0] * scale) for g in order)
    by_gid: dict[int, int] = {}
    for cp, g in sorted(cmap.items(), reverse=True):  # the lowest code point wins
        by_gid[gid[g]] = cp
    lines = [f"<{g:04X}> <{cp:04X}>" for g, cp in sorted(by_gid.items()) if cp <= 0xFFFF]
    chunks = [lines[i : i + 100] for i in range(0, len(lines), 100)]
    to_unicode = "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
            *(f"{len(c)} beginbfchar\n" + "\n".join(c) + "\nendbfchar" for c in chunks),
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )
    head, hhea, os2 = tt["head"], tt["hhea"], tt["OS/2"]
    ps_name = "".join(
        c for c in str(tt["name"].getDebugName(6) or "Font") if c.isalnum() or c == "-"
    )
    return _LabelFont(
        ps_name=f"HOSOQR+{ps_name}",
        cmap={cp: gid[g] for cp, g in cmap.items()},
        font_file=zlib.compress(raw),
        to_unicode=zlib.compress(to_unicode.encode("ascii")),
        widths=widths,
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        ascent=round(hhea.ascent * scale),
        descent=round(hhea.descent * scale),
        cap_height=round(getattr(os2, "sCapHeight", hhea.ascent) * scale),
    )


class _QRCode(qrencoder.QRCode):  # type: ignore[misc]
    """reportlab's encoder with its mask choice scored by numpy: the same penalty rules and
    so the same symbol, without scoring eight masks in pure Python (~3 ms per code)."""

    def getBestMaskPattern(self) -> int:
        scores: list[int] = []
        for mask in range(8):
            self.makeImpl(True, mask)
            scores.append(_lost_points(np.array(self.modules, dtype=bool)))
        return scores.index(min(scores))  # the first of equal scores, as reportlab


_FINDER_LIKE = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)


def _run_penalty(m: np.ndarray) -> int:
    """Runs of five or more same-coloured modules along each row: length - 2 each."""
    n = m.shape[1]
    change = np.ones((m.shape[0], n + 1), dtype=bool)
    change[:, 1:n] = m[:, 1:] != m[:, :-1]
    lengths = np.diff(np.flatnonzero(change.ravel()))
    return int((lengths[lengths >= 5] - 2).sum())


def _finder_penalty(m: np.ndarray) -> int:
    """40 per 1:1:3:1:1 pattern followed by four light modules in a row (start positions
    up to n - 12, as reportlab counts them)."""
    windows = np.lib.stride_tricks.sliding_window_view(m, len(_FINDER_LIKE), axis=1)
    hits = (windows == _FINDER_LIKE).all(axis=2)[:, :-1]
    return 40 * int(hits.sum())


def _lost_points(m: np.ndarray) -> int:
    """reportlab's ``QRUtil.getLostPoint`` on a boolean module matrix."""
    n = int(m.shape[0])
    blocks = (m[1:, 1:] == m[1:, :-1]) & (m[1:, 1:] == m[:-1, 1:]) & (m[1:, 1:] == m[:-1, :-1])
    dark = int(m.sum())
    return (
        _run_penalty(m.T)
        + _run_penalty(m)
        + 3 * int(blocks.sum())
        + _finder_penalty(m)  # reportlab's column check compares tuples with a list: never hits
        + 10 * (abs(100 * dark // (n * n) - 50) // 5)
    )


def qr_modules(url: str) -> list[list[bool]]:
    """The QR code of ``url`` (level M, the symbol :func:`forms.layout.qr_code` draws) as
    rows of dark modules, top row first."""
    qr = _QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(url)
    qr.make()
    return [[bool(m) for m in row] for row in qr.modules]


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
