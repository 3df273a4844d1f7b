"""Every hostile file with the outcome hoso must give it."""

from __future__ import annotations

from tests.badfiles.common import BadFile, Expect
from tests.badfiles.images import (
    make_jpeg_cmyk,
    make_jpeg_exif_rotated,
    make_jpeg_huge_sof,
    make_jpeg_sof_lie,
    make_jpeg_truncated,
    make_png_16bit,
    make_png_alpha,
    make_png_bad_crc,
    make_png_bomb_header,
    make_png_palette_transparent,
    make_png_size_lie,
)
from tests.badfiles.other import (
    CONTROL_NAME,
    EXE,
    HEIC,
    HTML,
    NFD_NAME,
    SVG,
    TEXT,
    good_pdf,
    make_bytes,
    make_docx,
    make_image,
    make_zip,
)
from tests.badfiles.pdf import (
    make_attachment_pdf,
    make_bad_mediabox_pdf,
    make_broken_xref_pdf,
    make_content_bomb_pdf,
    make_count_lie_pdf,
    make_ctm_rotated_pdf,
    make_ctm_turned_180_pdf,
    make_decode_inverted_pdf,
    make_deep_nesting_info_pdf,
    make_deep_nesting_page_pdf,
    make_encrypted_open_pdf,
    make_encrypted_owner_pdf,
    make_form_loop_pdf,
    make_huge_mediabox_pdf,
    make_image_bomb_pdf,
    make_javascript_pdf,
    make_jbig2_pdf,
    make_launch_pdf,
    make_page_tree_loop_pdf,
    make_rotate90_pdf,
    make_rotate_inherited_pdf,
    make_truncated_half_pdf,
    make_truncated_pdf,
    make_vector_text_pdf,
    make_weird_types_pdf,
    make_zero_mediabox_pdf,
    make_zero_pages_pdf,
)
from tests.badfiles.tiff import (
    make_tiff_bomb,
    make_tiff_bomb_frame2,
    make_tiff_g4,
    make_tiff_ifd_loop,
    make_tiff_ifd_past_end,
    make_tiff_no_ifd,
    make_tiff_too_many_frames,
    make_tiff_truncated,
)

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
