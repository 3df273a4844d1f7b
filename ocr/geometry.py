"""Turning pages upright and straight, on greyscale numpy images.

Skew is found by the projection-profile method: text lines make the row sums of a
binarised page peaky when the page is straight. A coarse search on a quarter-size image
then a fine one on a half-size image finds the angle to ~0.05° in a few tens of ms.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]

MAX_SKEW = 5.0  # degrees; larger angles are not scanner skew
MIN_CORRECTION = 0.1  # degrees; below this the page is left as it is (lossless)
BLANK_STD = 12.0  # grey levels; a page with text varies far more than scanner noise
MAX_INK = 0.35  # text covers well under a third of a page


def turn(image: Image, degrees: int) -> Image:
    """Rotate by a multiple of 90° clockwise, exactly (no resampling)."""
    k = (degrees // 90) % 4
    return np.ascontiguousarray(np.rot90(image, -k)) if k else image


def _ink(image: Image, scale: float) -> Image:
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return np.asarray(binary, dtype=np.uint8)


def _score(binary: Image, angle: float) -> float:
    h, w = binary.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(binary, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = rotated.sum(axis=1, dtype=np.float64)
    return float(np.sum(np.diff(rows) ** 2))


def _best(binary: Image, angles: NDArray[np.float64]) -> float:
    """The angle with the highest score; the middle of a tied plateau (at low resolution
    small rotations move no pixel, and a straight page must come out as exactly 0)."""
    scores = np.array([_score(binary, float(a)) for a in angles])
    top = np.flatnonzero(scores >= scores.max() * (1 - 1e-9))
    return float(angles[top[len(top) // 2]])


def detect_skew(image: Image) -> float:
    """Angle in degrees (counter-clockwise positive) that straightens the page."""
    if float(image.std()) < BLANK_STD:  # blank (or uniformly noisy) page: nothing to measure
        return 0.0
    coarse_img = _ink(image, 0.25)
    ink = float(coarse_img.mean()) / 255.0
    if ink < 0.002 or ink > MAX_INK:  # no text lines, or Otsu split noise into "ink"
        return 0.0
    coarse = _best(coarse_img, np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5))
    fine_img = _ink(image, 0.5)
    mid = _best(fine_img, np.arange(coarse - 0.5, coarse + 0.51, 0.1))
    return round(_best(fine_img, np.arange(mid - 0.1, mid + 0.101, 0.025)), 3)


def rotate(image: Image, angle: float) -> Image:
    """Rotate by ``angle`` degrees counter-clockwise about the centre, white fill."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(
        image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    return np.asarray(rotated, dtype=np.uint8)
