"""Visible signature stamp in the style of Decree 30/2020/NĐ-CP.

Signer name, title and agency, signing time ``hh:mm:ss dd/mm/yyyy +07:00``, and optionally
the handwritten-signature image with the red agency seal overlapping its left third.
Text is set in Liberation Serif (Times New Roman metrics), rescaled to 1000 units per em
because pyHanko spaces glyphs wrongly with other unitsPerEm values (infra.md).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from signing.errors import NotSignable

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
_FONT_CANDIDATES = (
    DEFAULT_FONT,
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)


@dataclass(frozen=True)
class StampSpec:
    """What the visible stamp shows and where it goes."""

    signer_name: str
    """Full name of the signer, as printed under the signature."""
    title: str = ""
    """Signer's title (e.g. "Chủ tịch")."""
    agency: str = ""
    """Issuing agency (e.g. "UBND xã Tân Lập")."""
    page: int = 0
    """0-based page index; -1 for the last page."""
    box: tuple[int, int, int, int] = (300, 40, 560, 150)
    """Stamp rectangle in PDF points: x1, y1, x2, y2 from the bottom-left corner."""
    signature_image: bytes | None = None
    """PNG of the handwritten signature (blue, transparent background)."""
    seal_image: bytes | None = None
    """PNG of the red agency seal (transparent); overlaps the signature's left third."""
    font_path: str | None = None
    """TrueType font to use; default Liberation Serif. Rescaled to 1000 upem if needed."""
    font_size: int = 10
    """Font size of the signing information (Decree 30: 10 pt)."""
    heading: tuple[str, ...] = ()
    """Lines printed above the signer's name (e.g. the digitised-copy mark)."""
    extra: tuple[str, ...] = ()
    """Lines printed after the agency, before the signing time (e.g. the scan time)."""


def format_signing_time(t: datetime) -> str:
    """``hh:mm:ss dd/mm/yyyy +07:00`` in Vietnam's time zone."""
    local = t.astimezone(VN_TZ)
    off = local.strftime("%z")
    return local.strftime("%H:%M:%S %d/%m/%Y ") + f"{off[:3]}:{off[3:]}"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hoso" / "fonts"


@functools.lru_cache(maxsize=8)
def font_1000_upem(font_path: str | None = None) -> str:
    """Path to a copy of the font with unitsPerEm = 1000 (the font itself if it already is)."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    path = font_path or next((p for p in _FONT_CANDIDATES if Path(p).exists()), None)
    if path is None or not Path(path).exists():
        raise NotSignable("Không tìm thấy phông chữ cho dấu chữ ký (Liberation Serif).")
    raw = Path(path).read_bytes()
    font = TTFont(io.BytesIO(raw))
    if font["head"].unitsPerEm == 1000:
        return path
    out = _cache_dir() / f"{Path(path).stem}-1000upem-{hashlib.sha256(raw).hexdigest()[:12]}.ttf"
    if not out.exists():
        scale_upem(font, 1000)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        tmp.replace(out)
    return str(out)


@functools.lru_cache(maxsize=8)
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


@dataclass(frozen=True)
class _InMemoryFont(GlyphAccumulatorFactory):
    """pyHanko's factory leaves its font file open; read the (cached) bytes instead."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


def compose_signature_and_seal(signature: bytes | None, seal: bytes | None) -> Image.Image | None:
    """One RGBA image: the seal drawn over the left third of the signature."""
    height = 240
    imgs: list[Image.Image | None] = []
    for data in (signature, seal):
        if data is None:
            imgs.append(None)
            continue
        try:
            im = Image.open(io.BytesIO(data)).convert("RGBA")
        except OSError as e:
            raise NotSignable("Ảnh chữ ký hoặc ảnh con dấu không phải PNG hợp lệ.") from e
        w = max(1, round(im.width * height / im.height))
        imgs.append(im.resize((w, height)))
    sig, seal_im = imgs
    if sig is None:
        return seal_im
    if seal_im is None:
        return sig
    x_sig = max(0, seal_im.width - sig.width // 3)
    canvas = Image.new("RGBA", (x_sig + sig.width, height), (255, 255, 255, 0))
    canvas.alpha_composite(sig, (x_sig, 0))
    canvas.alpha_composite(seal_im, (0, 0))
    return canvas


def stamp_text(spec: StampSpec) -> str:
    """The stamp's text; ``%(vn_time)s`` is filled in by pyHanko at signing time, so any
    other ``%`` is doubled."""
    lines = [*spec.heading, f"Người ký: {spec.signer_name}"]
    if spec.title:
        lines.append(f"Chức vụ: {spec.title}")
    if spec.agency:
        lines.append(f"Cơ quan: {spec.agency}")
    lines.extend(spec.extra)
    text = "\n".join(line.replace("%", "%%") for line in lines)
    return text + "\nThời gian ký: %(vn_time)s"


def _text_height(spec: StampSpec) -> float:
    lines = stamp_text(spec).count("\n") + 1
    return lines * spec.font_size * 1.2 + 10


def place_picture(picture: Image.Image, spec: StampSpec) -> Image.Image:
    """The picture on a transparent canvas shaped like the stamp box, in the part of the
    box above the text (Decree 30: signature and seal above the signer's name)."""
    x1, y1, x2, y2 = spec.box
    box_w, box_h = max(1.0, float(x2 - x1 - 4)), max(1.0, float(y2 - y1 - 4))
    area_h = max(box_h * 0.25, box_h - _text_height(spec))
    scale = min(box_w / picture.width, area_h / picture.height)  # points per pixel
    px = 1 / scale  # pixels per point at the picture's own resolution
    canvas = Image.new("RGBA", (round(box_w * px), round(box_h * px)), (255, 255, 255, 0))
    x = round((canvas.width - picture.width) / 2)
    y = round((area_h * px - picture.height) / 2)
    canvas.alpha_composite(picture, (max(0, x), max(0, y)))
    return canvas


def stamp_style(spec: StampSpec) -> TextStampStyle:
    """The pyHanko stamp style for ``spec`` (signing time passed later as ``vn_time``).

    Without pictures the text fills the box from the left; with a signature and/or seal
    image the pictures take the upper part of the box and the text is centred below."""
    font = _InMemoryFont(
        font_1000_upem(spec.font_path), font_size=spec.font_size, bcp47_lang_code="vi"
    )
    picture = compose_signature_and_seal(spec.signature_image, spec.seal_image)
    if picture is not None:
        picture = place_picture(picture, spec)
    text_layout = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID if picture else layout.AxisAlignment.ALIGN_MIN,
        y_align=layout.AxisAlignment.ALIGN_MIN if picture else layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins(left=4, right=4, top=4, bottom=4),
    )
    return TextStampStyle(
        stamp_text=stamp_text(spec),
        text_box_style=TextBoxStyle(font=font, font_size=spec.font_size, text_color=(0, 0, 0)),
        inner_content_layout=text_layout,
        background=PdfImage(picture) if picture is not None else None,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=2, right=2, top=2, bottom=2),
        ),
        background_opacity=1.0,
        border_width=0,
    )
