"""A corpus of hostile and broken upload files, each with the outcome hoso must give it.

Every entry knows how to write its file (``make``) and what must happen to it
(``expect``): refused at upload with a specific Vietnamese message, accepted and then
failed with a specific message, or processed into so many pages. Small files are
committed under ``tests/resources/bad/`` (with a README generated from this table);
large ones are generated at test time and never committed.

    python -m tests.badfiles            # rewrite the committed files and their README
"""

from __future__ import annotations

import io
import struct
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pikepdf
from PIL import Image, ImageDraw, TiffImagePlugin
from reportlab.pdfgen import canvas

BAD = Path(__file__).parent / "resources" / "bad"

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


def _image_page(
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
        _image_page(pdf, scan_jpeg(), (600, 800))
    return pdf


def _save(pdf: pikepdf.Pdf, path: Path, **kw: object) -> None:
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


def _stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"


TEXT_CONTENT = b"BT /F1 24 Tf 72 720 Td (Quyet dinh so 12) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


# -- PDF files ----------------------------------------------------------------------------


def make_truncated_pdf(path: Path) -> None:
    """The first 300 bytes of a scanned PDF: header and catalog, then nothing."""
    buf = io.BytesIO()
    scanned_pdf(2).save(buf, deterministic_id=True)
    path.write_bytes(buf.getvalue()[:300])


def make_truncated_half_pdf(path: Path) -> None:
    """A 2-page scanned PDF cut in the middle of its second page's image."""
    buf = io.BytesIO()
    scanned_pdf(2).save(
        buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable
    )
    data = buf.getvalue()
    second = data.index(b"/DCTDecode", data.index(b"/DCTDecode") + 10)
    path.write_bytes(data[: second + 3000])


def make_broken_xref_pdf(path: Path) -> None:
    """A good scanned PDF whose xref offsets and startxref all point to the wrong place
    (qpdf and poppler rebuild the table by scanning the objects)."""
    buf = io.BytesIO()
    scanned_pdf(2).save(
        buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable
    )
    data = bytearray(buf.getvalue())
    xref = data.rindex(b"\nxref\n") + 1
    table_start = data.index(b"\n", data.index(b"\n", xref) + 1) + 1
    entries = data[table_start:].split(b"trailer")[0]
    lines = entries.split(b"\n")
    broken = [
        b"%010d%s" % (i * 7 + 3, line[10:]) if len(line) >= 18 else line
        for i, line in enumerate(lines)
    ]
    data[table_start : table_start + len(entries)] = b"\n".join(broken)
    start = data.rindex(b"startxref\n") + len(b"startxref\n")
    end = data.index(b"\n", start)
    data[start:end] = b"%d" % (xref + 5)
    path.write_bytes(bytes(data))


def make_encrypted_open_pdf(path: Path) -> None:
    scanned_pdf().save(path, encryption=pikepdf.Encryption(user="mo-khoa", owner="chu"))


def make_encrypted_owner_pdf(path: Path) -> None:
    """Only an owner password, every permission denied: opens without a password. One
    scanned page (extracted) and one vector page (rendered)."""
    pdf = scanned_pdf()
    with pikepdf.open(io.BytesIO(vector_pdf_bytes(["Giay xac nhan"]))) as vec:
        pdf.pages.append(vec.pages[0])
    denied = pikepdf.Permissions(
        accessibility=False,
        extract=False,
        modify_annotation=False,
        modify_assembly=False,
        modify_form=False,
        modify_other=False,
        print_lowres=False,
        print_highres=False,
    )
    pdf.save(path, encryption=pikepdf.Encryption(user="", owner="chu", allow=denied))


def make_javascript_pdf(path: Path) -> None:
    """JavaScript run on opening (/OpenAction /JS), in the document's name tree and in a
    page's additional actions (/AA)."""
    pdf = scanned_pdf()
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x');"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("init"), pdf.make_indirect(js)])
    )
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=js)
    _save(pdf, path)


def make_launch_pdf(path: Path) -> None:
    """A /Launch action on opening and on a link covering the page (runs a program in
    old readers)."""
    pdf = scanned_pdf()
    launch = pikepdf.Dictionary(
        S=pikepdf.Name.Launch,
        F=pikepdf.String("cmd.exe"),
        Win=pikepdf.Dictionary(F=pikepdf.String("cmd.exe"), P=pikepdf.String("/c calc.exe")),
        NewWindow=True,
    )
    pdf.Root.OpenAction = pdf.make_indirect(launch)
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 432, 576],
        A=launch,
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    _save(pdf, path)


def _text_page_objects(n_pages: int, count: int, first: int = 3) -> list[bytes]:
    """Objects 2… of a raw PDF: a /Pages node claiming ``count`` pages, then n text pages."""
    kids = b" ".join(b"%d 0 R" % (first + 2 * i) for i in range(n_pages))
    objects = [b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)]
    for i in range(n_pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (first + 2 * i + 1, 3 + 2 * n_pages)
        )
        objects.append(_stream(TEXT_CONTENT))
    objects.append(FONT)
    return objects


def make_count_lie_pdf(path: Path) -> None:
    """The page tree says /Count 5000000; it holds 2 (vector text) pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", *_text_page_objects(2, 5_000_000)]
    path.write_bytes(raw_pdf(objects))


def make_page_tree_loop_pdf(path: Path) -> None:
    """A /Pages node that lists itself among its kids (a cycle) next to one real page."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(TEXT_CONTENT),
        FONT,
    ]
    path.write_bytes(raw_pdf(objects))


DEPTH = 100_000
DEEP_ARRAY = b"[" * DEPTH + b"0" + b"]" * DEPTH
DEEP_DICT = b"<< /A " * DEPTH + b"0" + b" >>" * DEPTH


def make_deep_nesting_page_pdf(path: Path) -> None:
    """The only page's dictionary holds arrays nested 100,000 deep and its resources
    dictionaries nested 100,000 deep (qpdf gives up on the object: no page left)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> /Properties << /Deep " + DEEP_DICT + b" >> >>"
        b" /Nested " + DEEP_ARRAY + b" >>",
        _stream(TEXT_CONTENT),
        FONT,
    ]
    path.write_bytes(raw_pdf(objects))


def make_deep_nesting_info_pdf(path: Path) -> None:
    """A good text page; the document's /Info is an array nested 100,000 deep and an
    unused object a dictionary nested 100,000 deep."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(TEXT_CONTENT),
        FONT,
        DEEP_ARRAY,
        DEEP_DICT,
    ]
    path.write_bytes(raw_pdf(objects, trailer_extra=b"/Info 6 0 R "))


def make_form_loop_pdf(path: Path) -> None:
    """A form XObject that draws itself (endless recursion for a naive renderer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /XObject << /Fm0 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        _stream(TEXT_CONTENT + b" /Fm0 Do"),
        _stream(
            b"0.9 0.9 scale /Fm0 Do",
            b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]"
            b" /Resources << /XObject << /Fm0 5 0 R >> >> ",
        ),
        FONT,
    ]
    path.write_bytes(raw_pdf(objects))


def _one_page_pdf(page_entries: bytes, content: bytes = TEXT_CONTENT) -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R " + page_entries + b" /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(content),
            FONT,
        ]
    )


def make_huge_mediabox_pdf(path: Path) -> None:
    """A 200 × 200 inch page (14,400 pt square): 60,000 × 60,000 pixels at 300 dpi."""
    path.write_bytes(_one_page_pdf(b"/MediaBox [0 0 14400 14400]"))


def make_zero_mediabox_pdf(path: Path) -> None:
    path.write_bytes(_one_page_pdf(b"/MediaBox [0 0 0 0]"))


def make_bad_mediabox_pdf(path: Path) -> None:
    """A /MediaBox that is not four numbers."""
    path.write_bytes(_one_page_pdf(b"/MediaBox [0 /Zero (x) 842]"))


def make_weird_types_pdf(path: Path) -> None:
    """Entries of the wrong type everywhere a reader looks: /Resources an array,
    /Rotate a name, /Annots a number, /Contents an array holding a number."""
    path.write_bytes(
        raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 42]"
                b" /Resources [/Font 5 0 R] /Rotate /Ninety /Annots 7 >>",
                _stream(TEXT_CONTENT),
                FONT,
            ]
        )
    )


def make_content_bomb_pdf(path: Path) -> None:
    """100 KB of Flate data inflating to a 36 MB content stream of 1,000,000 crossed
    paths: poppler needs minutes; the render deadline stops it."""
    ops = b"0 0 m 595 842 l 0 842 l 595 0 l h S\n" * 1_000_000
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(zlib.compress(ops, 9), b"/Filter /FlateDecode "),
    ]
    path.write_bytes(raw_pdf(objects))


def make_zero_pages_pdf(path: Path) -> None:
    _save(pikepdf.new(), path)


def make_image_bomb_pdf(path: Path) -> None:
    """A page whose (vector) content also paints an image XObject claiming 100,000 ×
    100,000 pixels, backed by a few bytes of Flate data."""
    data = zlib.compress(b"\xff" * 4096)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> /XObject << /Im0 6 0 R /Im1 7 0 R >> >> >>",
        _stream(TEXT_CONTENT + b" q 100 0 0 100 72 72 cm /Im0 Do Q"),
        FONT,
        _stream(
            data,
            b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000"
            b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ",
        ),
        _stream(
            data,
            b"/Type /XObject /Subtype /Image /Width 64 /Height 64"
            b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ",
        ),
    ]
    path.write_bytes(raw_pdf(objects))


def make_vector_text_pdf(path: Path) -> None:
    path.write_bytes(vector_pdf_bytes(["QUYET DINH SO 12", "CAP GIAY CHUNG NHAN", "HO KINH DOANH"]))


def make_attachment_pdf(path: Path) -> None:
    """A scanned page with an embedded file (a Windows program) in the document's
    /EmbeddedFiles and as a file-attachment annotation on the page."""
    pdf = scanned_pdf()
    exe = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."
    spec = pikepdf.AttachedFileSpec(
        pdf, exe, filename="hoadon.exe", mime_type="application/x-msdownload"
    )
    pdf.attachments["hoadon.exe"] = spec
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=[10, 10, 30, 30],
        FS=spec.obj,
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    _save(pdf, path)


def _g4_strip(im: Image.Image) -> bytes:
    """The CCITT Group 4 (T.6) coded bits of a bilevel image, in one strip."""
    buf = io.BytesIO()
    # Stored inverted: libtiff codes PIL's white (1) bits as black runs; JBIG2's MMR
    # coding has 1 = black.
    negative = Image.eval(im.convert("L"), lambda v: 255 - v).convert("1")
    negative.save(buf, format="TIFF", compression="group4", tiffinfo={278: im.height})
    with Image.open(io.BytesIO(buf.getvalue())) as tif:
        assert isinstance(tif, TiffImagePlugin.TiffImageFile)
        offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
    raw = buf.getvalue()
    offs = offsets if isinstance(offsets, tuple) else (offsets,)
    cnts = counts if isinstance(counts, tuple) else (counts,)
    assert len(offs) == 1, "one strip expected"
    return raw[offs[0] : offs[0] + cnts[0]]


def _jbig2_segment(number: int, kind: int, data: bytes) -> bytes:
    # number, flags (type; 1-byte page association), no referred segments, page 1, length
    return struct.pack(">IBBBI", number, kind, 0, 1, len(data)) + data


def jbig2_embedded(im: Image.Image) -> bytes:
    """A JBIG2 embedded stream (as PDF's /JBIG2Decode wants it): page information and
    one immediate lossless generic region coded with MMR (no end-of-page segment, which
    PDF does not need)."""
    w, h = im.size
    page_info = struct.pack(">IIIIBH", w, h, 0, 0, 0, 0)
    region = struct.pack(">IIIIB", w, h, 0, 0, 0) + b"\x01" + _g4_strip(im)  # MMR = 1
    return _jbig2_segment(0, 48, page_info) + _jbig2_segment(1, 39, region)


def make_jbig2_pdf(path: Path) -> None:
    """A bilevel scan compressed with JBIG2 (as many office scanners do)."""
    im = scan_image((800, 1000)).convert("1")
    pdf = pikepdf.new()
    stream = pikepdf.Stream(pdf, jbig2_embedded(im))
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = im.size
    stream.ColorSpace = pikepdf.Name.DeviceGray
    stream.BitsPerComponent = 1
    stream.Filter = pikepdf.Name.JBIG2Decode
    w_pt, h_pt = im.width * 72 / 100, im.height * 72 / 100
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w_pt, h_pt],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream)),
        Contents=pikepdf.Stream(pdf, f"q {w_pt} 0 0 {h_pt} 0 0 cm /Im0 Do Q".encode()),
    )
    pdf.pages.append(pikepdf.Page(page))
    _save(pdf, path)


def rotated_scan() -> tuple[bytes, tuple[int, int]]:
    """The upright portrait scan as a sideways scanner stores it: turned 90° counter-
    clockwise (landscape). /Rotate 90 (clockwise) on the page puts it upright again."""
    im = scan_image((600, 800)).rotate(90, expand=True)
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=40)
    return buf.getvalue(), im.size


def make_ctm_rotated_pdf(path: Path) -> None:
    """A portrait page whose one (sideways-stored) scan is turned upright by the drawing
    matrix, not by /Rotate."""
    pdf = pikepdf.new()
    jpeg, (w_px, h_px) = rotated_scan()
    _image_page(pdf, jpeg, (w_px, h_px))
    page = pdf.pages[0]
    w_pt, h_pt = w_px * 72 / 100, h_px * 72 / 100  # stored landscape: 576 × 432 pt
    page.obj.MediaBox = [0, 0, h_pt, w_pt]
    # Turn 90° clockwise: x' = y, y' = w - x (image space scaled to the page).
    page.obj.Contents = pikepdf.Stream(
        pdf, f"q 0 -{w_pt:.2f} {h_pt:.2f} 0 0 {w_pt:.2f} cm /Im0 Do Q".encode()
    )
    _save(pdf, path)


def make_ctm_turned_180_pdf(path: Path) -> None:
    """An upside-down scan put upright by a first `cm` (a half turn); the second `cm`,
    the one right before `Do`, is a plain scale to the page."""
    pdf = pikepdf.new()
    buf = io.BytesIO()
    scan_image((600, 800)).rotate(180).save(buf, format="JPEG", quality=40)
    _image_page(pdf, buf.getvalue(), (600, 800))
    w, h = 432, 576
    pdf.pages[0].obj.Contents = pikepdf.Stream(
        pdf, f"q -1 0 0 -1 {w} {h} cm {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()
    )
    _save(pdf, path)


def make_decode_inverted_pdf(path: Path) -> None:
    """A scan stored as a negative with /Decode [1 0] (the reader inverts it back)."""
    pdf = pikepdf.new()
    buf = io.BytesIO()
    Image.eval(scan_image((600, 800)), lambda v: 255 - v).save(buf, format="JPEG", quality=40)
    _image_page(pdf, buf.getvalue(), (600, 800))
    next(iter(pdf.pages[0].get_images().values())).Decode = [1, 0]
    _save(pdf, path)


def make_rotate90_pdf(path: Path) -> None:
    pdf = pikepdf.new()
    jpeg, size = rotated_scan()
    _image_page(pdf, jpeg, size, rotate=90)
    _save(pdf, path)


def make_rotate_inherited_pdf(path: Path) -> None:
    """/Rotate 90 set on the /Pages node and inherited by the page (not on the page)."""
    pdf = pikepdf.new()
    jpeg, size = rotated_scan()
    _image_page(pdf, jpeg, size)
    pdf.Root.Pages.Rotate = 90
    _save(pdf, path)


# -- TIFF files ---------------------------------------------------------------------------


def _tiff(entries: list[tuple[int, int, int, int]], data: bytes = b"", ifd_at: int = 8) -> bytes:
    """A little-endian TIFF: header, pixel ``data`` at 8, one IFD after it."""
    if ifd_at == 8:
        ifd_at = 8 + len(data) + (len(data) & 1)
    out = b"II*\x00" + struct.pack("<I", ifd_at) + data + b"\x00" * (len(data) & 1)
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in sorted(entries):
        ifd += struct.pack("<HHII", tag, typ, count, value)
    return out + ifd + b"\x00\x00\x00\x00"


SHORT, LONG = 3, 4


def make_tiff_bomb(path: Path) -> None:
    """A 200-byte TIFF claiming 100,000 × 100,000 pixels (Deflate, one tiny strip)."""
    data = zlib.compress(b"\x00" * 1024)
    entries = [
        (256, LONG, 1, 100_000),  # width
        (257, LONG, 1, 100_000),  # height
        (258, SHORT, 1, 8),  # bits per sample
        (259, SHORT, 1, 8),  # Deflate
        (262, SHORT, 1, 1),  # BlackIsZero
        (273, LONG, 1, 8),  # strip offset
        (277, SHORT, 1, 1),
        (278, LONG, 1, 100_000),  # rows per strip
        (279, LONG, 1, len(data)),
    ]
    path.write_bytes(_tiff(entries, data))


def make_tiff_bomb_frame2(path: Path) -> None:
    """A good first frame, then a second frame claiming 50,000 × 50,000 pixels."""
    first = Image.new("L", (100, 100), 255)
    buf = io.BytesIO()
    first.save(buf, format="TIFF", save_all=True, append_images=[Image.new("L", (20, 20), 255)])
    data = bytearray(buf.getvalue())
    # Patch the second IFD's width and height (both LONG or SHORT) to 50,000.
    ifd0 = struct.unpack_from("<I", data, 4)[0]
    n0 = struct.unpack_from("<H", data, ifd0)[0]
    ifd1 = struct.unpack_from("<I", data, ifd0 + 2 + 12 * n0)[0]
    n1 = struct.unpack_from("<H", data, ifd1)[0]
    for i in range(n1):
        at = ifd1 + 2 + 12 * i
        (tag,) = struct.unpack_from("<H", data, at)
        if tag in (256, 257):
            struct.pack_into("<HHII", data, at, tag, LONG, 1, 50_000)
    path.write_bytes(bytes(data))


def make_tiff_no_ifd(path: Path) -> None:
    """A TIFF header whose first IFD has zero entries (no frame at all)."""
    path.write_bytes(
        b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x00" + b"\x00" * 1100
    )


def make_tiff_ifd_past_end(path: Path) -> None:
    """A TIFF header whose first IFD offset points far past the end of the file."""
    path.write_bytes(b"II*\x00" + struct.pack("<I", 0x7FFFFFF0) + b"\x00" * 1100)


def make_tiff_too_many_frames(path: Path, frames: int = 2001) -> None:
    """2,001 tiny frames, one more than the default page limit (2,000); every frame's
    IFD points at the same 16 × 16 bilevel strip."""
    strip = b"\xff" * 32
    entries = 9
    ifd_size = 2 + 12 * entries + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8 + len(strip)) + strip)
    for i in range(frames):
        start = len(out)
        following = start + ifd_size if i < frames - 1 else 0
        out += struct.pack("<H", entries)
        for tag, typ, value in (
            (256, SHORT, 16),
            (257, SHORT, 16),
            (258, SHORT, 1),
            (259, SHORT, 1),
            (262, SHORT, 1),
            (273, LONG, 8),
            (277, SHORT, 1),
            (278, SHORT, 16),
            (279, LONG, len(strip)),
        ):
            out += struct.pack("<HHII", tag, typ, 1, value)
        out += struct.pack("<I", following)
    path.write_bytes(bytes(out))


def make_tiff_ifd_loop(path: Path) -> None:
    """A one-frame TIFF whose IFD names itself as the next one (an endless chain)."""
    buf = io.BytesIO()
    scan_image((300, 400)).save(buf, format="TIFF", compression="tiff_adobe_deflate")
    data = bytearray(buf.getvalue())
    ifd = struct.unpack_from("<I", data, 4)[0]
    n = struct.unpack_from("<H", data, ifd)[0]
    struct.pack_into("<I", data, ifd + 2 + 12 * n, ifd)
    path.write_bytes(bytes(data))


def make_tiff_truncated(path: Path) -> None:
    """An uncompressed 1000 × 1000 greyscale TIFF cut after 1 % of its pixel data."""
    entries = [
        (256, SHORT, 1, 1000),
        (257, SHORT, 1, 1000),
        (258, SHORT, 1, 8),
        (259, SHORT, 1, 1),
        (262, SHORT, 1, 1),
        (273, LONG, 1, 8 + 2 + 12 * 9 + 4),
        (277, SHORT, 1, 1),
        (278, SHORT, 1, 1000),
        (279, LONG, 1, 1_000_000),
    ]
    ifd = struct.pack("<H", len(entries))
    ifd += b"".join(struct.pack("<HHII", *e) for e in entries) + b"\x00\x00\x00\x00"
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + b"\xff" * 10_000)


def make_tiff_g4(path: Path) -> None:
    """A bilevel CCITT Group 4 TIFF, 200 dpi: the classic office scan."""
    scan_image((1654, 2339)).convert("1").save(
        path, format="TIFF", compression="group4", dpi=(200, 200)
    )


# -- JPEG and PNG files -------------------------------------------------------------------


def make_jpeg_truncated(path: Path) -> None:
    """A baseline JPEG cut in the middle of its scan data (an interrupted upload/copy)."""
    data = scan_jpeg((1200, 1600), quality=80)
    path.write_bytes(data[: len(data) // 2])


def make_jpeg_huge_sof(path: Path) -> None:
    """A small JPEG whose frame header (SOF0) claims 65,000 × 65,000 pixels."""
    data = bytearray(scan_jpeg((64, 64)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 65000, 65000)
    path.write_bytes(bytes(data))


def make_jpeg_sof_lie(path: Path) -> None:
    """A small JPEG whose SOF0 claims 12,000 × 12,000 (under the pixel limit): the scan
    data ends long before the image does."""
    data = bytearray(scan_jpeg((64, 64)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 12000, 12000)
    path.write_bytes(bytes(data))


def make_jpeg_cmyk(path: Path) -> None:
    cmyk = scan_image((600, 800), "RGB").convert("CMYK")
    cmyk.save(path, format="JPEG", quality=50, dpi=(100, 100))


def make_jpeg_exif_rotated(path: Path) -> None:
    """A phone photo: pixels stored sideways, EXIF Orientation 6 says 'turn 90°
    clockwise to view'."""
    im = scan_image((600, 800)).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    im.save(path, format="JPEG", quality=50, exif=exif, dpi=(100, 100))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png_bomb_header(path: Path) -> None:
    """A PNG whose header claims 100,000 × 100,000 pixels, with a few bytes of data."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def make_png_size_lie(path: Path) -> None:
    """Valid chunks and CRCs, but the header claims 12,000 × 12,000 (under the pixel
    limit) for 100 bytes of data."""
    ihdr = struct.pack(">IIBBBBB", 12_000, 12_000, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 256))
        + png_chunk(b"IEND", b"")
    )


def make_png_bad_crc(path: Path) -> None:
    """A good PNG with one byte of its image data flipped (the chunk's CRC no longer
    matches)."""
    buf = io.BytesIO()
    scan_image((300, 400)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    idat = data.index(b"IDAT")
    data[idat + 20] ^= 0xFF
    path.write_bytes(bytes(data))


def make_png_16bit(path: Path) -> None:
    im = scan_image((600, 800)).point(lambda v: v * 257, "I").convert("I;16")
    im.save(path, format="PNG", dpi=(100, 100))


def make_png_alpha(path: Path) -> None:
    """Black text on a fully transparent background (whose hidden colour is black too):
    dropping the alpha channel gives a black page."""
    im = Image.new("RGBA", (600, 800), (0, 0, 0, 0))
    mask = Image.eval(scan_image((600, 800)), lambda v: 255 - v)
    im.putalpha(mask)
    im.save(path, format="PNG", dpi=(100, 100))


def make_png_palette_transparent(path: Path) -> None:
    im = scan_image((600, 800)).convert("P")
    im.save(path, format="PNG", transparency=255, dpi=(100, 100))


# -- other formats ------------------------------------------------------------------------


def make_bytes(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(data)

    return make


def make_image(fmt: str, **kw: object) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        scan_image((120, 160), "RGB").save(path, format=fmt, **kw)

    return make


def make_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("hoso/don.pdf", (2024, 1, 1, 0, 0, 0)), b"%PDF-1.7 ...")


def make_docx(path: Path) -> None:
    """A minimal Word document (OOXML is a ZIP archive)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/word/document.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
            "/></Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Đơn xin</w:t></w:r></w:p>'
            "</w:body></w:document>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text)


HEIC = (
    struct.pack(">I", 24)
    + b"ftypheic"
    + b"\x00\x00\x00\x00"
    + b"mif1heic"
    + struct.pack(">I", 33)
    + b"meta"
    + b"\x00" * 25
    + struct.pack(">I", 16)
    + b"mdat"
    + b"\x00" * 8
)
HTML = (
    b'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
    b"<title>Tai lieu</title></head><body><p>Trang web da luu.</p></body></html>\n"
)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm">'
    b'<text x="20" y="40">Don xin</text></svg>\n'
)
TEXT = "Đơn xin cấp giấy chứng nhận\nHọ và tên: Nguyễn Văn An\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"

NFD_NAME = unicodedata.normalize("NFD", "Đơn xin.pdf")
CONTROL_NAME = "bien\x00ban\x1b[31m\r\n" + "dài" * 100 + ".pdf"  # NUL, ESC, CR LF, 300+ chars


def good_pdf(title: str) -> Callable[[Path], None]:
    """A good one-page scanned PDF; the title keeps the bytes (and SHA-256) distinct."""

    def make(path: Path) -> None:
        pdf = scanned_pdf()
        pdf.docinfo["/Title"] = title
        _save(pdf, path)

    return make


CORPUS: list[BadFile] = [
    # -- refused at upload, by content (names are never trusted) --
    BadFile("empty.pdf", "zero bytes", make_bytes(b""), Expect("refused", "tệp rỗng (0 byte)")),
    BadFile(
        "zip-renamed.pdf", "a ZIP archive named .pdf", make_zip, Expect("refused", "tệp nén ZIP")
    ),
    BadFile(
        "exe-renamed.pdf",
        "a Windows program (MZ) named .pdf",
        make_bytes(EXE),
        Expect("refused", "tệp chương trình (EXE)"),
    ),
    BadFile(
        "html-renamed.pdf",
        "a saved web page named .pdf",
        make_bytes(HTML),
        Expect("refused", "trang web HTML"),
    ),
    BadFile(
        "drawing.svg",
        "an SVG (XML vector image)",
        make_bytes(SVG),
        Expect("refused", "ảnh vector SVG"),
    ),
    BadFile("photo.gif", "a GIF image", make_image("GIF"), Expect("refused", "ảnh GIF")),
    BadFile("photo.webp", "a WebP image", make_image("WEBP"), Expect("refused", "ảnh WebP")),
    BadFile(
        "photo.heic",
        "an iPhone HEIC (ISO-BMFF `ftypheic`) header",
        make_bytes(HEIC),
        Expect("refused", "ảnh HEIC"),
    ),
    BadFile(
        "don.docx", "a Word document (OOXML ZIP)", make_docx, Expect("refused", "tệp Word (DOCX)")
    ),
    BadFile(
        "ghichu.txt", "a UTF-8 text file", make_bytes(TEXT), Expect("refused", "tệp văn bản thuần")
    ),
    # -- PDF --
    BadFile(
        "truncated.pdf",
        "first 300 bytes of a 2-page scanned PDF",
        make_truncated_pdf,
        Expect("failed", "PDF bị hỏng"),
    ),
    BadFile(
        "truncated-half.pdf",
        "2-page scanned PDF cut in the middle of page 2's image",
        make_truncated_half_pdf,
        Expect("failed", "bị cắt cụt"),
    ),
    BadFile(
        "broken-xref.pdf",
        "2-page scanned PDF, every xref offset and startxref wrong (qpdf repairs it)",
        make_broken_xref_pdf,
        Expect("done", pages=2),
    ),
    BadFile(
        "encrypted-open-password.pdf",
        "AES-256, needs a password to open",
        make_encrypted_open_pdf,
        Expect("failed", "PDF được đặt mật khẩu"),
    ),
    BadFile(
        "encrypted-owner-only.pdf",
        "AES-256, owner password only, every permission denied; 1 scanned + 1 vector page",
        make_encrypted_owner_pdf,
        Expect("done", pages=2),
    ),
    BadFile(
        "javascript.pdf",
        "scanned page with /OpenAction /JS, a /JavaScript name tree and page /AA"
        " (never run; dropped from our PDF)",
        make_javascript_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "launch.pdf",
        "scanned page with a /Launch action on open and on a link (never run; dropped)",
        make_launch_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "count-lie.pdf",
        "page tree claims /Count 5000000; holds 2 vector pages",
        make_count_lie_pdf,
        Expect("done", pages=2),
    ),
    BadFile(
        "page-tree-loop.pdf",
        "a /Pages node listing itself as a kid, plus one real page",
        make_page_tree_loop_pdf,
        Expect("failed", "PDF bị hỏng"),
    ),
    BadFile(
        "deep-nesting-page.pdf",
        "the only page holds arrays and dictionaries nested 100,000 deep",
        make_deep_nesting_page_pdf,
        Expect("failed", "không đọc được trang nào"),
        generated=True,
    ),
    BadFile(
        "deep-nesting-info.pdf",
        "good page; /Info and an unused object nested 100,000 deep",
        make_deep_nesting_info_pdf,
        Expect("done", pages=1),
        generated=True,
    ),
    BadFile(
        "form-loop.pdf",
        "a form XObject that draws itself",
        make_form_loop_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "huge-mediabox.pdf",
        "one 200 × 200 inch page",
        make_huge_mediabox_pdf,
        Expect("failed", "vượt giới hạn"),
    ),
    BadFile(
        "zero-mediabox.pdf",
        "a page with /MediaBox [0 0 0 0]",
        make_zero_mediabox_pdf,
        Expect("failed", "kích thước bằng 0"),
    ),
    BadFile(
        "bad-mediabox.pdf",
        "a page whose /MediaBox is not four numbers",
        make_bad_mediabox_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "weird-types.pdf",
        "/Resources an array, /Rotate a name, /Annots a number, a number in /Contents",
        make_weird_types_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "content-bomb.pdf",
        "100 KB inflating to 1,000,000 drawn paths (render deadline; the tests use 3 s)",
        make_content_bomb_pdf,
        Expect("failed", "quá thời gian"),
        generated=True,
    ),
    BadFile(
        "zero-pages.pdf",
        "a valid PDF with an empty page tree",
        make_zero_pages_pdf,
        Expect("failed", "PDF có 0 trang"),
    ),
    BadFile(
        "image-bomb.pdf",
        "a vector page that paints an image claiming 100,000 × 100,000 pixels",
        make_image_bomb_pdf,
        Expect("failed", "100000×100000"),
    ),
    BadFile(
        "vector-text.pdf",
        "born-digital text, no image (rendered; its own text or OCR)",
        make_vector_text_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "attachment.pdf",
        "scanned page with an embedded .exe (document attachment + annotation)",
        make_attachment_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "jbig2.pdf",
        "bilevel scan as JBIG2 (hand-built: one MMR generic region, libtiff's G4 bits)",
        make_jbig2_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "rotate90.pdf",
        "one sideways-stored scan on a page with /Rotate 90",
        make_rotate90_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "ctm-rotated.pdf",
        "portrait page; the sideways scan is turned by the drawing matrix",
        make_ctm_rotated_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "ctm-turned-180.pdf",
        "upside-down scan turned by a first `cm`; the `cm` before `Do` only scales",
        make_ctm_turned_180_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "decode-inverted.pdf",
        "scan stored as a negative with /Decode [1 0]",
        make_decode_inverted_pdf,
        Expect("done", pages=1),
    ),
    BadFile(
        "rotate-inherited.pdf",
        "the same, /Rotate 90 inherited from the /Pages node",
        make_rotate_inherited_pdf,
        Expect("done", pages=1),
    ),
    # -- TIFF --
    BadFile(
        "tiff-bomb.tif",
        "200 bytes claiming 100,000 × 100,000 pixels",
        make_tiff_bomb,
        Expect("failed", "điểm ảnh vượt giới hạn"),
    ),
    BadFile(
        "tiff-bomb-frame2.tif",
        "good first frame, second frame claims 50,000 × 50,000",
        make_tiff_bomb_frame2,
        Expect("failed", "50000×50000"),
    ),
    BadFile(
        "tiff-no-frames.tif",
        "TIFF header, first IFD has 0 entries",
        make_tiff_no_ifd,
        Expect("failed", "ảnh TIFF bị hỏng"),
    ),
    BadFile(
        "tiff-ifd-past-end.tif",
        "TIFF header whose IFD offset points past the end",
        make_tiff_ifd_past_end,
        Expect("failed", "ảnh TIFF bị hỏng"),
    ),
    BadFile(
        "tiff-2001-frames.tif",
        "2,001 tiny frames (default limit 2,000 pages)",
        make_tiff_too_many_frames,
        Expect("failed", "vượt giới hạn 2000 trang"),
        generated=True,
    ),
    BadFile(
        "tiff-ifd-loop.tif",
        "one frame whose IFD chain points back at itself",
        make_tiff_ifd_loop,
        Expect("done", pages=1),
    ),
    BadFile(
        "tiff-truncated.tif",
        "uncompressed 1000 × 1000 TIFF cut after 1 % of its pixels",
        make_tiff_truncated,
        Expect("failed", "ảnh TIFF bị cắt cụt"),
    ),
    BadFile(
        "tiff-g4.tif",
        "bilevel CCITT Group 4 A4 scan, 200 dpi",
        make_tiff_g4,
        Expect("done", pages=1),
    ),
    # -- JPEG / PNG --
    BadFile(
        "jpeg-truncated.jpg",
        "baseline JPEG cut in the middle of its scan data",
        make_jpeg_truncated,
        Expect("failed", "bị cắt cụt"),
    ),
    BadFile(
        "jpeg-huge-sof.jpg",
        "small JPEG whose SOF0 claims 65,000 × 65,000",
        make_jpeg_huge_sof,
        Expect("failed", "65000×65000"),
    ),
    BadFile(
        "jpeg-sof-lie.jpg",
        "small JPEG whose SOF0 claims 12,000 × 12,000 (under the pixel limit)",
        make_jpeg_sof_lie,
        Expect("failed", "khai báo 12000×12000 điểm ảnh nhưng chỉ có"),
    ),
    BadFile(
        "jpeg-exif-rotated.jpg",
        "phone photo stored sideways with EXIF Orientation 6",
        make_jpeg_exif_rotated,
        Expect("done", pages=1),
    ),
    BadFile(
        "jpeg-cmyk.jpg", "CMYK JPEG (Adobe, inverted)", make_jpeg_cmyk, Expect("done", pages=1)
    ),
    BadFile(
        "png-bomb.png",
        "PNG header claiming 100,000 × 100,000",
        make_png_bomb_header,
        Expect("failed", "100000×100000"),
    ),
    BadFile(
        "png-size-lie.png",
        "valid chunks, header claims 12,000 × 12,000 for 100 bytes",
        make_png_size_lie,
        Expect("failed", "khai báo 12000×12000 điểm ảnh nhưng chỉ có"),
    ),
    BadFile(
        "png-bad-crc.png",
        "PNG with one image-data byte flipped (bad CRC)",
        make_png_bad_crc,
        Expect("failed", "ảnh PNG bị hỏng"),
    ),
    BadFile("png-16bit.png", "16-bit greyscale PNG", make_png_16bit, Expect("done", pages=1)),
    BadFile(
        "png-alpha.png",
        "RGBA PNG: black text on a transparent (hidden black) background",
        make_png_alpha,
        Expect("done", pages=1),
    ),
    BadFile(
        "png-palette-transparent.png",
        "palette PNG with a transparent colour (tRNS)",
        make_png_palette_transparent,
        Expect("done", pages=1),
    ),
    # -- names (the bytes are a good one-page scanned PDF) --
    BadFile(
        "traversal.pdf",
        "good PDF uploaded as `../../etc/passwd.pdf`",
        good_pdf("traversal"),
        Expect("done", pages=1),
        upload_name="../../etc/passwd.pdf",
    ),
    BadFile(
        "nfd-name.pdf",
        "good PDF uploaded as “Đơn xin.pdf” in NFD",
        good_pdf("nfd"),
        Expect("done", pages=1),
        upload_name=NFD_NAME,
    ),
    BadFile(
        "control-name.pdf",
        "good PDF uploaded with NUL/ESC/CR/LF in a 300+ character name",
        good_pdf("control"),
        Expect("done", pages=1),
        upload_name=CONTROL_NAME,
    ),
]

BY_FILE = {b.file: b for b in CORPUS}


README_HEAD = """\
# Hostile and broken uploads (fixtures)

Each file here is written by `tests/badfiles.py` (`python -m tests.badfiles` rewrites them
and this README); `tests/integration/test_hostile_input.py` drives every one through
upload (sniffing, intake) and the pipeline (page count, page images, assembly) and checks
the outcome below, within a time limit. Files marked *generated* are too large to commit
and are written at test time. Messages are the clerk's (Vietnamese); the fragment quoted
is what the tests look for.

Decisions:

- **Nothing in a PDF is ever executed.** JavaScript, /Launch, /OpenAction, /AA and
  attachments are ignored: we only count pages, extract a page's scan image or render
  the page with `pdftoppm`, and the searchable PDF we keep is rebuilt from page images,
  so none of them survives (the tests check it has no /JavaScript, /JS, /Launch,
  /OpenAction, /AA or /EmbeddedFiles).
- **Truncated JPEGs are refused**, not patched with grey: the bottom of the page is
  missing and only the clerk can upload the whole scan again.
- **Born-digital PDFs are rendered** to a page image like any page that is not a plain
  scan. Their words then come from the PDF itself when the pipeline's born-digital path
  (`ocr/born_digital.py`) accepts the page, else from OCR of the rendered image; the
  tests check the words are found, and that real OCR reads the rendered page.
- **Page counts come from the real page tree** (qpdf walks it), never from /Count.
- **Rotated pages** (/Rotate on the page or inherited, or a turn or mirror in the drawing
  matrix, or a /Decode, mask or CMYK image) are rendered by poppler, which draws them as
  a reader would, instead of extracting the embedded image as stored.
- **Images are normalised only when needed**: alpha is laid over white, 16-bit is scaled
  to 8-bit, CMYK becomes RGB, EXIF orientation is applied; plain JPEG/PNG pass through
  byte for byte.

Known limits: an inline image (`BI … ID … EI`) is not size-checked before rendering, and
a content stream that is merely slow to draw (content-bomb.pdf) is stopped only by the
render deadline (`Limits.render_timeout`, 120 s by default): it holds a worker that long.

| file | what it is | expected outcome |
|---|---|---|
"""


def _row(b: BadFile) -> str:
    name = b.file + (" *(generated)*" if b.generated else "")
    what = b.what
    if b.upload_name is not None:
        shown = ascii(b.upload_name)
        what += f" (upload name `{shown if len(shown) < 60 else shown[:56] + '…'}`)"
    return f"| `{name}` | {what.replace('|', '/')} | {b.expect} |"


def write_committed(folder: Path = BAD) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for b in CORPUS:
        if not b.generated:
            b.make(folder / b.file)
    rows = "\n".join(_row(b) for b in CORPUS)
    (folder / "README.md").write_text(README_HEAD + rows + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_committed(Path(sys.argv[1]) if len(sys.argv) > 1 else BAD)
