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
import unicodedata
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from PIL import Image
from pyhanko.pdf_utils import generic, layout
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


_VN_VOWELS = "aăâeêioôơuưy"
_VN_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def _vietnamese_letters() -> str:
    """Every Vietnamese letter, lower and upper case, with and without each tone mark."""
    base = _VN_VOWELS + "đbcdghklmnpqrstvx"
    toned = [unicodedata.normalize("NFC", v + t) for v in _VN_VOWELS for t in _VN_TONES]
    lower = base + "".join(toned)
    return lower + lower.upper()


STAMP_CHARS = frozenset(
    "".join(chr(c) for c in range(0x20, 0x7F))  # ASCII: digits, punctuation, + : / - . , ( )
    + _vietnamese_letters()
    + "".join(chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha())  # Latin-1 letters
    + _VN_TONES  # combining tone marks, for text typed decomposed
    + "\u00a0\u00b0\u00ab\u00bb\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2116"
)
"""Characters the pre-subset stamp font covers (stamp text outside it uses the full font)."""


@functools.lru_cache(maxsize=8)
def stamp_font(font_path: str | None = None) -> str:
    """Path to a copy of the 1000-upem font reduced to :data:`STAMP_CHARS` (~tens of KB).

    pyHanko parses the font and subsets it again for every document it signs; with the
    whole font that costs ~100 ms per stamp, with this copy a few ms. Cached on disk beside
    :func:`font_1000_upem`'s copy, keyed by the source font's hash and the character set."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    full = font_1000_upem(font_path)
    raw = _font_bytes(full)
    chars = "".join(sorted(STAMP_CHARS))
    key = hashlib.sha256(raw + chars.encode()).hexdigest()[:12]
    out = _cache_dir() / f"{Path(full).stem.split('-1000upem')[0]}-stamp-{key}.ttf"
    if not out.exists():
        font = TTFont(io.BytesIO(raw))
        options = subset.Options()
        options.layout_features = ["*"]  # keep shaping (marks, kerning) for these glyphs
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.drop_tables = [*options.drop_tables, "FFTM"]
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        tmp.replace(out)
    _STAMP_FONTS.add(str(out))
    return str(out)


_STAMP_FONTS: set[str] = set()  # paths made by stamp_font in this process


def font_for_text(text: str, font_path: str | None = None) -> str:
    """The pre-subset stamp font when it covers ``text``, else the whole 1000-upem font."""
    if set(text) - {"\n"} <= STAMP_CHARS:
        return stamp_font(font_path)
    return font_1000_upem(font_path)


@functools.lru_cache(maxsize=8)
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


@functools.lru_cache(maxsize=8)
def _compressed_font(path: str) -> bytes:
    return zlib.compress(_font_bytes(path))


class _PresubsetFont(GlyphAccumulator):
    """A font engine for the pre-subset stamp font (:func:`stamp_font`): embedded as it
    is (glyph ids unchanged, so the CIDs pyHanko wrote stay right), from bytes compressed
    once per process, instead of being subset and re-serialised by fontTools per document."""

    font_path: str = ""

    def prepare_write(self) -> None:
        if not self._write_prepared:
            self._subset_created = True  # already a subset: skip fontTools' subsetter
            cidfont = self.cidfont_obj
            path = self.font_path

            def set_font_file(writer: Any) -> generic.IndirectObject:
                stream = generic.StreamObject(
                    {generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")},
                    encoded_data=_compressed_font(path),
                )
                ref: generic.IndirectObject = writer.add_object(stream)
                cidfont._font_descriptor[generic.pdf_name("/FontFile2")] = ref
                return ref

            cidfont.set_font_file = set_font_file  # type: ignore[method-assign]
        super().prepare_write()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class _InMemoryFont(GlyphAccumulatorFactory):
    """pyHanko's factory leaves its font file open; read the (cached) bytes instead."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        presubset = self.font_file in _STAMP_FONTS
        engine = (_PresubsetFont if presubset else GlyphAccumulator)(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )
        if isinstance(engine, _PresubsetFont):
            engine.font_path = self.font_file
        return engine


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


def _encoded_planes(picture: Image.Image) -> tuple[int, int, bytes, bytes]:
    """The picture's RGB and alpha planes, Flate-compressed once (width, height, rgb, alpha)."""
    rgba = picture.convert("RGBA")
    return (
        rgba.width,
        rgba.height,
        zlib.compress(rgba.convert("RGB").tobytes()),
        zlib.compress(rgba.getchannel("A").tobytes()),
    )


class _EncodedImage(PdfImage):
    """A :class:`PdfImage` whose compressed pixel data is made once and reused: each
    document still gets its own image XObject (and soft mask), but the bytes are not
    converted and compressed again for every document of a batch."""

    def __init__(self, image: Image.Image, planes: tuple[int, int, bytes, bytes]) -> None:
        super().__init__(image)
        self.planes = planes

    @property
    def image_ref(self) -> generic.IndirectObject:
        assert self.writer is not None
        ref = self._image_ref
        if ref is None or cast(Any, ref).get_pdf_handler() is not self.writer:
            width, height, rgb, alpha = self.planes
            num = cast(Any, generic.NumberObject)

            def stream(data: bytes, space: str, **extra: Any) -> generic.StreamObject:
                d = {
                    generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
                    generic.pdf_name("/Subtype"): generic.pdf_name("/Image"),
                    generic.pdf_name("/Width"): num(width),
                    generic.pdf_name("/Height"): num(height),
                    generic.pdf_name("/ColorSpace"): generic.pdf_name(space),
                    generic.pdf_name("/BitsPerComponent"): num(8),
                    generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode"),
                    **{generic.pdf_name(k): v for k, v in extra.items()},
                }
                return generic.StreamObject(d, encoded_data=data)

            smask = self.writer.add_object(stream(alpha, "/DeviceGray"))
            ref = self.writer.add_object(stream(rgb, "/DeviceRGB", **{"/SMask": smask}))
            self._image_ref = ref
        return ref


@functools.lru_cache(maxsize=16)
def _placed_picture(
    signature: bytes | None, seal: bytes | None, spec: StampSpec
) -> tuple[Image.Image, tuple[int, int, bytes, bytes]] | None:
    """Composed, placed and compressed once per distinct pictures and stamp geometry (a
    batch shares it)."""
    picture = compose_signature_and_seal(signature, seal)
    if picture is None:
        return None
    placed = place_picture(picture, spec)
    return placed, _encoded_planes(placed)


def stamp_style(spec: StampSpec) -> TextStampStyle:
    """The pyHanko stamp style for ``spec`` (signing time passed later as ``vn_time``).

    Without pictures the text fills the box from the left; with a signature and/or seal
    image the pictures take the upper part of the box and the text is centred below."""
    text = stamp_text(spec)
    font = _InMemoryFont(
        font_for_text(text, spec.font_path), font_size=spec.font_size, bcp47_lang_code="vi"
    )
    geometry = replace(spec, signature_image=None, seal_image=None)  # cheap cache key
    picture = _placed_picture(spec.signature_image, spec.seal_image, geometry)
    text_layout = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID if picture else layout.AxisAlignment.ALIGN_MIN,
        y_align=layout.AxisAlignment.ALIGN_MIN if picture else layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins(left=4, right=4, top=4, bottom=4),
    )
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=font, font_size=spec.font_size, text_color=(0, 0, 0)),
        inner_content_layout=text_layout,
        background=_EncodedImage(*picture) if picture is not None else None,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=2, right=2, top=2, bottom=2),
        ),
        background_opacity=1.0,
        border_width=0,
    )
