"""Where a leader's stamp goes on a result, per document type (``HOSO_STAMP_POSITIONS``).

The setting maps a document type (``quyet_dinh``, ``giay_xac_nhan_cu_tru``…; ``*`` for
every other type) to a position::

    {"quyet_dinh": {"page": "last", "corner": "bottom-right"},
     "giay_xac_nhan_cu_tru": {"page": "first", "x": 110, "y": 200, "w": 85, "h": 45}}

``page`` is ``first`` or ``last`` (default ``first``). Either a ``corner``
(``bottom-right`` by default, ``bottom-left``, ``top-right``, ``top-left``) at ``margin``
mm (default 5) from the page edges, or ``x`` and ``y``: the stamp's top-left corner in mm
from the page's left and top edges, as measured with a ruler on the printed page. ``w`` and
``h`` (mm) set the stamp's size; by default it is sized for its content. A stamp never
leaves the page. Nothing here reads PDFs: callers pass the page's box in points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from signing.errors import SigningError

MM = 72 / 25.4  # PDF points per millimetre
CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
PAGES = ("first", "last")
DEFAULT_KEY = "*"

Corner = Literal["bottom-right", "bottom-left", "top-right", "top-left"]


@dataclass(frozen=True)
class StampPosition:
    page: Literal["first", "last"] = "first"
    corner: Corner = "bottom-right"
    x: float | None = None  # mm from the left edge (with y: overrides the corner)
    y: float | None = None  # mm from the top edge to the stamp's top
    w: float | None = None  # mm
    h: float | None = None  # mm
    margin: float | None = None  # mm from the edges in a corner; default 5 (less on small pages)

    def box(
        self, page: tuple[float, float, float, float], default_size: tuple[float, float]
    ) -> tuple[int, int, int, int]:
        """The stamp rectangle (points, bottom-left origin) on a page whose visible box is
        ``page`` = (x0, y0, x1, y1); ``default_size`` (points) when ``w``/``h`` are unset."""
        x0, y0, x1, y1 = page
        pw, ph = x1 - x0, y1 - y0
        # a default-sized stamp shrinks on small pages (it must leave room for the QR code)
        w = min(self.w * MM, pw) if self.w else min(default_size[0], pw * 0.5)
        h = min(self.h * MM, ph) if self.h else min(default_size[1], ph * 0.2)
        if self.x is not None and self.y is not None:
            left = x0 + self.x * MM
            top = y1 - self.y * MM
        else:
            m = self.margin * MM if self.margin is not None else min(5 * MM, pw * 0.03)
            left = x0 + m if self.corner.endswith("left") else x1 - m - w
            top = y1 - m if self.corner.startswith("top") else y0 + m + h
        left = max(x0, min(left, x1 - w))
        top = min(y1, max(top, y0 + h))
        return (round(left), round(top - h), round(left + w), round(top))


def parse_position(doc_type: str, raw: Any) -> StampPosition:
    """One entry of the setting, checked; messages name the entry."""
    where = f"HOSO_STAMP_POSITIONS[{doc_type!r}]"
    if not isinstance(raw, Mapping):
        raise SigningError(f'{where} phải là một đối tượng JSON, ví dụ {{"page": "last"}}.')
    unknown = set(raw) - {"page", "corner", "x", "y", "w", "h", "margin"}
    if unknown:
        raise SigningError(f"{where}: không hiểu khoá {', '.join(sorted(unknown))}.")
    page = raw.get("page", "first")
    if page not in PAGES:
        raise SigningError(f"{where}: page phải là first hoặc last, không phải {page!r}.")
    corner = raw.get("corner", "bottom-right")
    if corner not in CORNERS:
        raise SigningError(f"{where}: corner phải là một trong {', '.join(CORNERS)}.")
    nums: dict[str, float | None] = {}
    for k in ("x", "y", "w", "h", "margin"):
        v = raw.get(k)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
            raise SigningError(f"{where}: {k} phải là một số milimét không âm.")
        nums[k] = float(v) if v is not None else None
    if (nums["x"] is None) != (nums["y"] is None):
        raise SigningError(f"{where}: cần cả x và y (mm từ mép trái và mép trên trang).")
    if "corner" in raw and nums["x"] is not None:
        raise SigningError(f"{where}: chọn corner hoặc x/y, không dùng cả hai.")
    for k in ("w", "h"):
        if nums[k] == 0:
            raise SigningError(f"{where}: {k} phải lớn hơn 0.")
    return StampPosition(
        page=page,
        corner=corner,
        x=nums["x"],
        y=nums["y"],
        w=nums["w"],
        h=nums["h"],
        margin=nums["margin"],
    )


def parse_positions(raw: Mapping[str, Any]) -> dict[str, StampPosition]:
    """The whole setting: {document type or ``*``: position}."""
    return {str(k): parse_position(str(k), v) for k, v in raw.items()}


def position_for(positions: Mapping[str, StampPosition], doc_type: str | None) -> StampPosition:
    """The configured position for ``doc_type``, else ``*``, else bottom-right of page 1."""
    if doc_type and doc_type in positions:
        return positions[doc_type]
    return positions.get(DEFAULT_KEY, StampPosition())
