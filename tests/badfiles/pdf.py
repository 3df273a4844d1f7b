"""Hostile and broken PDF files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pikepdf
from PIL import Image, TiffImagePlugin

from tests.badfiles.common import (
    FONT,
    TEXT_CONTENT,
    image_page,
    pdf_stream,
    raw_pdf,
    save_pdf,
    scan_image,
    scanned_pdf,
    vector_pdf_bytes,
)


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
    save_pdf(pdf, path)


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
    save_pdf(pdf, path)


def _text_page_objects(n_pages: int, count: int, first: int = 3) -> list[bytes]:
    """Objects 2… of a raw PDF: a /Pages node claiming ``count`` pages, then n text pages."""
    kids = b" ".join(b"%d 0 R" % (first + 2 * i) for i in range(n_pages))
    objects = [b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)]
    for i in range(n_pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (first + 2 * i + 1, 3 + 2 * n_pages)
        )
        objects.append(pdf_stream(TEXT_CONTENT))
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
        pdf_stream(TEXT_CONTENT),
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
        pdf_stream(TEXT_CONTENT),
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
        pdf_stream(TEXT_CONTENT),
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
        pdf_stream(TEXT_CONTENT + b" /Fm0 Do"),
        pdf_stream(
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
            pdf_stream(content),
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
                pdf_stream(TEXT_CONTENT),
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
        pdf_stream(zlib.compress(ops, 9), b"/Filter /FlateDecode "),
    ]
    path.write_bytes(raw_pdf(objects))


def make_zero_pages_pdf(path: Path) -> None:
    save_pdf(pikepdf.new(), path)


def make_image_bomb_pdf(path: Path) -> None:
    """A page whose (vector) content also paints an image XObject claiming 100,000 ×
    100,000 pixels, backed by a few bytes of Flate data."""
    data = zlib.compress(b"\xff" * 4096)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> /XObject << /Im0 6 0 R /Im1 7 0 R >> >> >>",
        pdf_stream(TEXT_CONTENT + b" q 100 0 0 100 72 72 cm /Im0 Do Q"),
        FONT,
        pdf_stream(
            data,
            b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000"
            b" /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ",
        ),
        pdf_stream(
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
    save_pdf(pdf, path)


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
    save_pdf(pdf, path)


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
    image_page(pdf, jpeg, (w_px, h_px))
    page = pdf.pages[0]
    w_pt, h_pt = w_px * 72 / 100, h_px * 72 / 100  # stored landscape: 576 × 432 pt
    page.obj.MediaBox = [0, 0, h_pt, w_pt]
    # Turn 90° clockwise: x' = y, y' = w - x (image space scaled to the page).
    page.obj.Contents = pikepdf.Stream(
        pdf, f"q 0 -{w_pt:.2f} {h_pt:.2f} 0 0 {w_pt:.2f} cm /Im0 Do Q".encode()
    )
    save_pdf(pdf, path)


def make_ctm_turned_180_pdf(path: Path) -> None:
    """An upside-down scan put upright by a first `cm` (a half turn); the second `cm`,
    the one right before `Do`, is a plain scale to the page."""
    pdf = pikepdf.new()
    buf = io.BytesIO()
    scan_image((600, 800)).rotate(180).save(buf, format="JPEG", quality=40)
    image_page(pdf, buf.getvalue(), (600, 800))
    w, h = 432, 576
    pdf.pages[0].obj.Contents = pikepdf.Stream(
        pdf, f"q -1 0 0 -1 {w} {h} cm {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()
    )
    save_pdf(pdf, path)


def make_decode_inverted_pdf(path: Path) -> None:
    """A scan stored as a negative with /Decode [1 0] (the reader inverts it back)."""
    pdf = pikepdf.new()
    buf = io.BytesIO()
    Image.eval(scan_image((600, 800)), lambda v: 255 - v).save(buf, format="JPEG", quality=40)
    image_page(pdf, buf.getvalue(), (600, 800))
    next(iter(pdf.pages[0].get_images().values())).Decode = [1, 0]
    save_pdf(pdf, path)


def make_rotate90_pdf(path: Path) -> None:
    pdf = pikepdf.new()
    jpeg, size = rotated_scan()
    image_page(pdf, jpeg, size, rotate=90)
    save_pdf(pdf, path)


def make_rotate_inherited_pdf(path: Path) -> None:
    """/Rotate 90 set on the /Pages node and inherited by the page (not on the page)."""
    pdf = pikepdf.new()
    jpeg, size = rotated_scan()
    image_page(pdf, jpeg, size)
    pdf.Root.Pages.Rotate = 90
    save_pdf(pdf, path)
