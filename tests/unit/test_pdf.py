"""Searchable PDFs: page images embedded as they are, an invisible text layer on top."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

import ocr.pdf
from ocr.engine import Word
from ocr.pdf import PdfPage, build_searchable_pdf, text_layer

W, H, DPI = 1240, 1754, 150  # A4 at 150 dpi

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

PAGE_1 = [["Ủy", "ban", "nhân", "dân"], ["Ông", "Nguyễn", "Văn", "Bình"], ["số", "12/QĐ-UBND"]]
PAGE_2 = [["Giấy", "chứng", "nhận"], ["quyền", "sử", "dụng", "đất", "đai"]]


def draw_page(path: Path, lines: list[list[str]], *, fmt: str) -> list[Word]:
    """Draw the words on a white page, save it, and return their boxes as OCR would."""
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=36)
    words = []
    for n, line in enumerate(lines):
        x, y = 120, 150 + n * 80
        for text in line:
            left, top, right, bottom = (round(v) for v in draw.textbbox((x, y), text, font=font))
            draw.text((x, y), text, fill=0, font=font)
            words.append(Word(text, left, top, right - left, bottom - top, 90.0, n))
            x = right + 20
    if fmt == "JPEG":
        img.save(path, format="JPEG", quality=85)
    else:
        img.save(path, format="PNG")
    return words


def pdftotext(pdf: Path, *args: str) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8"))


def collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def two_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, int]:
    d = tmp_path_factory.mktemp("pdf")
    jpeg, png = d / "trang-1.jpg", d / "trang-2.png"
    pages = [
        PdfPage(jpeg, DPI, draw_page(jpeg, PAGE_1, fmt="JPEG")),
        PdfPage(png, DPI, draw_page(png, PAGE_2, fmt="PNG")),
    ]
    out = d / "out" / "ho-so.pdf"
    out.parent.mkdir()
    count = build_searchable_pdf(iter(pages), out)
    return out, jpeg, png, count


def test_two_pages(two_pages: tuple[Path, Path, Path, int]) -> None:
    out, _, _, count = two_pages
    assert count == 2
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 2


def test_no_temporary_files_are_left_next_to_the_output(
    two_pages: tuple[Path, Path, Path, int],
) -> None:
    out = two_pages[0]
    assert sorted(p.name for p in out.parent.iterdir()) == ["ho-so.pdf"]


def test_pdftotext_reads_the_words_in_order_with_diacritics(
    two_pages: tuple[Path, Path, Path, int],
) -> None:
    text = pdftotext(two_pages[0])
    page1, page2 = text.split("\f")[:2]
    assert collapse(page1) == "Ủy ban nhân dân Ông Nguyễn Văn Bình số 12/QĐ-UBND"
    assert collapse(page2) == "Giấy chứng nhận quyền sử dụng đất đai"
    assert "Nguyễn Văn Bình" in text
    assert "đất đai" in text


def test_the_jpeg_is_embedded_byte_for_byte(two_pages: tuple[Path, Path, Path, int]) -> None:
    out, jpeg, _, _ = two_pages
    with pikepdf.open(out) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1
        assert images[0].get("/Filter") == pikepdf.Name.DCTDecode
        assert images[0].read_raw_bytes() == jpeg.read_bytes()


def test_the_png_is_embedded_losslessly(two_pages: tuple[Path, Path, Path, int]) -> None:
    out, _, png, _ = two_pages
    with pikepdf.open(out) as pdf:
        (image,) = pdf.pages[1].get_images().values()
        assert isinstance(image, pikepdf.Stream)
        pil = pikepdf.PdfImage(image).as_pil_image()
    assert pil.size == (W, H)
    assert pil.convert("L").tobytes() == Image.open(png).convert("L").tobytes()


@pytest.mark.parametrize("index", [0, 1])
def test_page_size_is_pixels_at_the_dpi(
    two_pages: tuple[Path, Path, Path, int], index: int
) -> None:
    with pikepdf.open(two_pages[0]) as pdf:
        box = [float(v) for v in pdf.pages[index].mediabox]
    assert box[0] == box[1] == 0
    assert box[2] == pytest.approx(W / DPI * 72)  # 595.2 pt
    assert box[3] == pytest.approx(H / DPI * 72)  # 841.92 pt
    assert box[2] == pytest.approx(595.2)


@pytest.mark.parametrize("index", [0, 1])
def test_the_text_is_invisible(two_pages: tuple[Path, Path, Path, int], index: int) -> None:
    with pikepdf.open(two_pages[0]) as pdf:
        page = pdf.pages[index]
        page.contents_coalesce()
        content = page.obj.Contents.read_bytes()
        assert b"3 Tr" in content
        assert b"/FHoso" in content
        font = page.obj.Resources.Font.get("/FHoso")
        assert font is not None
        assert font.Subtype == pikepdf.Name.Type0
        ops = [instruction.operator for instruction in pikepdf.parse_content_stream(page)]
        # The image is painted before the text layer, which starts in render mode 3.
        assert ops.index(pikepdf.Operator("Do")) < ops.index(pikepdf.Operator("BT"))
        assert ops.index(pikepdf.Operator("Tr")) < ops.index(pikepdf.Operator("Tj"))


def test_words_land_on_their_boxes(two_pages: tuple[Path, Path, Path, int]) -> None:
    """pdftotext -bbox gives each word's box in points; it must sit on the drawn word."""
    out = two_pages[0]
    words = draw_page(out.parent / "again.png", PAGE_1, fmt="PNG")
    (out.parent / "again.png").unlink()
    html = pdftotext(out, "-bbox", "-f", "1", "-l", "1")
    nguyen = next(w for w in words if w.text == "Nguyễn")
    scale = 72 / DPI
    line = next(x for x in html.splitlines() if ">Nguyễn<" in x)
    attrs = dict(part.split("=") for part in line.split("<word ")[1].split(">")[0].split())
    x_min = float(attrs["xMin"].strip('"'))
    x_max = float(attrs["xMax"].strip('"'))
    assert x_min == pytest.approx(nguyen.left * scale, abs=1.0)
    assert x_max == pytest.approx((nguyen.left + nguyen.width) * scale, abs=6.0)


def test_many_pages_are_built_in_parts_and_kept_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr.pdf, "PART_PAGES", 2)
    pages = []
    for n in range(1, 6):
        image = tmp_path / f"p{n}.png"
        words = [] if n == 4 else draw_page(image, [[f"Trang{n}", "hồ", "sơ"]], fmt="PNG")
        if n == 4:  # a blank page: no text layer at all
            Image.new("L", (W, H), 255).save(image)
        pages.append(PdfPage(image, DPI, words))
    out = tmp_path / "dai.pdf"
    assert build_searchable_pdf(pages, out) == 5
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 5
    texts = [collapse(t) for t in pdftotext(out).split("\f")[:5]]
    assert texts == ["Trang1 hồ sơ", "Trang2 hồ sơ", "Trang3 hồ sơ", "", "Trang5 hồ sơ"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == ["dai.pdf"]
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == []


def test_no_pages_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one page"):
        build_searchable_pdf([], tmp_path / "empty.pdf")
    assert not (tmp_path / "empty.pdf").exists()


def test_text_layer_scales_pixels_to_points() -> None:
    words = [Word("Hà", 150, 300, 60, 30, 90.0, 0), Word("Nội", 230, 300, 70, 30, 90.0, 0)]
    stream = text_layer(words, dpi=150, page_height_pt=841.92).decode("ascii")
    assert stream.startswith("BT\n3 Tr\n")
    assert stream.rstrip().endswith("ET")
    # left 150 px → 72 pt; bottom 330 px → 158.4 pt from the top → y 683.52; size 30 px → 14.4
    assert "/FHoso 14.40 Tf" in stream
    assert "1 0 0 1 72.00 683.52 Tm" in stream
    assert "<" + "Hà ".encode("utf-16-be").hex().upper() + "> Tj" in stream  # space joins words
    assert "<" + "Nội".encode("utf-16-be").hex().upper() + "> Tj" in stream
