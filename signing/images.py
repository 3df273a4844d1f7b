"""Pictures in a leader's stamp: the handwritten-signature image (one per user) and the
agency seal (one per deployment), checked and normalised when uploaded.

Only PNG and JPEG are accepted, within byte and pixel limits checked *before* the pixels
are decoded (no decompression bombs). What is kept is a PNG with a transparent
background: a white background (a scanned signature, any JPEG) is made transparent so
the seal over the signature's left third does not hide it, the empty border is trimmed,
and the picture is scaled down to at most :data:`KEPT_HEIGHT` pixels high.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from records.errors import BadInput, FileTooLarge, UnsupportedFile

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_PIXELS = 16_000_000
MAX_IMAGE_SIDE = 6000
MIN_IMAGE_SIDE = 40
KEPT_HEIGHT = 480
WHITE = 235  # R, G and B at least this: background made transparent

StampImageKind = Literal["signature", "seal"]
_WHAT = {"signature": "Ảnh chữ ký", "seal": "Ảnh con dấu"}


@dataclass(frozen=True)
class StampPicture:
    """A checked picture, ready for the stamp: PNG bytes with transparency."""

    png: bytes
    width: int
    height: int


def normalise_stamp_image(data: bytes, kind: StampImageKind) -> StampPicture:
    """Check an uploaded signature or seal image and return it as a transparent PNG."""
    what = _WHAT[kind]
    if not data:
        raise BadInput(f"Chưa chọn tệp {what.lower()} (PNG hoặc JPEG)")
    if len(data) > MAX_IMAGE_BYTES:
        raise FileTooLarge(
            f"{what} quá lớn ({len(data) / 1048576:.1f} MB; tối đa "
            f"{MAX_IMAGE_BYTES // 1048576} MB). Hãy lưu lại ảnh ở độ phân giải thấp hơn."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=("PNG", "JPEG"))
    except (OSError, Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UnsupportedFile(
            f"{what} phải là tệp PNG hoặc JPEG (nên dùng PNG nền trong suốt)."
        ) from e
    width, height = im.size
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        raise FileTooLarge(
            f"{what} có kích thước {width}×{height} điểm ảnh, quá lớn (tối đa "
            f"{MAX_IMAGE_SIDE} điểm mỗi chiều và {MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh)."
        )
    if min(width, height) < MIN_IMAGE_SIDE:
        raise BadInput(
            f"{what} quá nhỏ ({width}×{height} điểm ảnh; cần ít nhất "
            f"{MIN_IMAGE_SIDE}×{MIN_IMAGE_SIDE}) nên sẽ bị mờ khi in."
        )
    try:
        im.load()
    except (OSError, ValueError) as e:
        raise UnsupportedFile(f"{what} bị hỏng, không đọc được: {e}.") from e
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    rgba = im.convert("RGBA")
    if not has_alpha or rgba.getchannel("A").getextrema()[0] == 255:
        rgba = _white_to_transparent(rgba)
    bbox = rgba.getchannel("A").getbbox()
    if bbox is None:
        raise BadInput(f"{what} trống (toàn nền trắng hoặc trong suốt).")
    rgba = rgba.crop(bbox)
    if rgba.height > KEPT_HEIGHT:
        w = max(1, round(rgba.width * KEPT_HEIGHT / rgba.height))
        rgba = rgba.resize((w, KEPT_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    rgba.save(out, "PNG", optimize=True)
    return StampPicture(out.getvalue(), rgba.width, rgba.height)


def _white_to_transparent(im: Image.Image) -> Image.Image:
    """Near-white pixels become transparent (a signature scanned on white paper)."""
    r, g, b, a = im.split()
    # a pixel is kept if any channel is darker than WHITE (a red seal has a bright red channel)
    dark = [Image.eval(c, lambda v: 255 if v < WHITE else 0) for c in (r, g, b)]
    keep = Image.eval(Image.merge("RGB", dark).convert("L"), lambda v: 255 if v > 0 else 0)
    out = im.copy()
    out.putalpha(Image.composite(a, Image.new("L", im.size, 0), keep))
    return out
