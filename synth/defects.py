"""Scan defects for synthetic pages.

Each defect is a small pure function on a mode "L" image; :func:`draw_params`
picks a realistic combination and :func:`apply` runs them in the order a
flatbed scanner would produce them.  The defaults are deliberately mild: the
set is used to check OCR accuracy (target CER <= 1 %), so the defects must
exercise deskew/orientation and denoising without destroying glyphs.

Angles follow PIL's convention: positive = counter-clockwise.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from PIL import Image

Edge = Literal["left", "right", "top", "bottom"]
TURNS = (0, 90, 180, 270)
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class DefectParams:
    """One page's defects; a zero/None value disables that defect."""

    paper: int = 255  # grey level of the paper after tone change
    ink: int = 0  # grey level of solid ink after tone change
    shadow_edges: tuple[Edge, ...] = ()
    shadow_mm: float = 0.0  # width of the grey border/shadow band
    shadow_level: int = 255  # darkest grey at the very edge
    blur_sigma_mm: float = 0.0  # Gaussian blur sigma, in mm (dpi independent)
    noise_sigma: float = 0.0  # Gaussian sensor noise, grey levels
    speckle: float = 0.0  # salt-and-pepper density (fraction of pixels)
    jpeg_quality: int | None = None


def draw_params(rng: random.Random) -> DefectParams:
    """Mild, realistic defects; each one is present only on part of the pages."""
    edges: tuple[Edge, ...] = ()
    if rng.random() < 0.4:
        edges = tuple(rng.sample(("left", "right", "top", "bottom"), rng.choice((1, 1, 2))))
    return DefectParams(
        paper=rng.randint(228, 255),
        ink=rng.randint(0, 45),
        shadow_edges=edges,
        shadow_mm=rng.uniform(1.5, 6.0) if edges else 0.0,
        shadow_level=rng.randint(150, 215),
        blur_sigma_mm=rng.uniform(0.02, 0.06) if rng.random() < 0.6 else 0.0,
        noise_sigma=rng.uniform(1.5, 4.5) if rng.random() < 0.7 else 0.0,
        speckle=rng.uniform(2e-6, 3e-5) if rng.random() < 0.5 else 0.0,
        jpeg_quality=rng.randint(60, 85) if rng.random() < 0.5 else None,
    )


def skew(image: Image.Image, angle: float) -> Image.Image:
    """Rotate by ``angle`` degrees around the centre, same size, white fill."""
    if angle == 0:
        return image.copy()
    w, h = image.size
    # cv2's angle is counter-clockwise for a y-down image, like PIL's.
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(
        np.asarray(image),
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return Image.fromarray(out)


def turn(image: Image.Image, degrees: int) -> Image.Image:
    """Exact counter-clockwise rotation by 0/90/180/270 degrees (a page put in turned)."""
    if degrees % 360 not in TURNS:
        raise ValueError(f"turn must be one of {TURNS}, got {degrees}")
    return image.copy() if degrees % 360 == 0 else image.transpose(_TRANSPOSE[degrees % 360])


def tone(pixels: np.ndarray, paper: int, ink: int) -> np.ndarray:
    """Map white->paper and black->ink (brightness/contrast change)."""
    return ink + pixels * ((paper - ink) / 255.0)


def shadow(pixels: np.ndarray, edges: tuple[Edge, ...], width_px: int, level: int) -> np.ndarray:
    """Darken bands along page edges, like a scanner lid shadow or the page border."""
    if not edges or width_px <= 0:
        return pixels
    h, w = pixels.shape
    ramp = np.linspace(0.0, 1.0, width_px, dtype=np.float32) ** 1.5  # 0 at the edge
    for edge in edges:
        length = w if edge in ("left", "right") else h
        span = min(width_px, length)
        weights = ramp[:span]
        if edge in ("right", "bottom"):
            weights = weights[::-1]
        if edge in ("left", "right"):
            sl = np.s_[:, :span] if edge == "left" else np.s_[:, w - span :]
            band = pixels[sl]
            pixels[sl] = np.minimum(band, level + (band - level) * weights[None, :])
        else:
            sl = np.s_[:span, :] if edge == "top" else np.s_[h - span :, :]
            band = pixels[sl]
            pixels[sl] = np.minimum(band, level + (band - level) * weights[:, None])
    return pixels


def blur(pixels: np.ndarray, sigma_px: float) -> np.ndarray:
    if sigma_px <= 0:
        return pixels
    return cv2.GaussianBlur(pixels, (0, 0), sigmaX=sigma_px, sigmaY=sigma_px)


def noise(
    pixels: np.ndarray,
    sigma: float,
    speckle: float,
    gen: np.random.Generator,
    paper: int = 255,
    ink: int = 0,
) -> np.ndarray:
    """Gaussian sensor noise plus sparse single-pixel salt-and-pepper specks."""
    if sigma > 0:
        pixels = pixels + gen.standard_normal(pixels.shape, dtype=np.float32) * sigma
    if speckle > 0:
        count = int(pixels.size * speckle)
        flat = pixels.reshape(-1)
        idx = gen.integers(0, flat.size, size=count)
        flat[idx] = np.where(gen.random(count) < 0.5, ink, paper)
    return pixels


def jpeg(image: Image.Image, quality: int | None) -> Image.Image:
    """Round-trip through JPEG at ``quality`` (a scanner saving JPEG)."""
    if quality is None:
        return image
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as decoded:
        return decoded.convert("L")


def apply(
    image: Image.Image, params: DefectParams, dpi: int, gen: np.random.Generator
) -> Image.Image:
    """Tone, border shadow, blur, noise, then JPEG; returns a new mode "L" image."""
    px_per_mm = dpi / 25.4
    pixels = np.asarray(image, dtype=np.float32)
    pixels = tone(pixels, params.paper, params.ink)
    pixels = shadow(
        pixels, params.shadow_edges, round(params.shadow_mm * px_per_mm), params.shadow_level
    )
    pixels = blur(pixels, params.blur_sigma_mm * px_per_mm)
    pixels = noise(pixels, params.noise_sigma, params.speckle, gen, params.paper, params.ink)
    out = Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))
    return jpeg(out, params.jpeg_quality)
