"""Files that are not scans (archives, programs, web pages, …) and good PDFs under odd names."""

from __future__ import annotations

import struct
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.badfiles.common import save_pdf, scan_image, scanned_pdf


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
        save_pdf(pdf, path)

    return make
