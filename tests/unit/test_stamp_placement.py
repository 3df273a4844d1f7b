"""HOSO_STAMP_POSITIONS entries: parsing, corners, mm from the top-left, never off the page."""

from __future__ import annotations

import pytest

from signing.errors import SigningError
from signing.placement import parse_positions, position_for

A4 = (0.0, 0.0, 595.28, 841.89)
MM = 72 / 25.4


def test_corners_and_measured_positions() -> None:
    pos = parse_positions(
        {
            "quyet_dinh": {"page": "last", "corner": "top-left", "margin": 10},
            "*": {"x": 100, "y": 50, "w": 60, "h": 20},
        }
    )
    decision = position_for(pos, "quyet_dinh")
    assert decision.page == "last"
    m = 10 * MM
    assert decision.box(A4, (250, 84)) == pytest.approx(
        (m, 841.89 - m - 84, 250 + m, 841.89 - m), abs=1
    )
    other = position_for(pos, "giay_khai_sinh")  # falls back to "*"
    assert other.page == "first"
    assert other.box(A4, (250, 84)) == pytest.approx(
        (100 * MM, 841.89 - 70 * MM, 160 * MM, 841.89 - 50 * MM), abs=1
    )
    default = position_for({}, None)  # nothing configured: bottom-right of page 1
    x0, y0, x1, y1 = default.box(A4, (250, 84))
    assert (default.page, x1 - x0, y1 - y0) == ("first", 250, 84)
    assert (x1, y0) == pytest.approx((595.28 - 5 * MM, 5 * MM), abs=1)


def test_a_stamp_never_leaves_the_page() -> None:
    [pos] = parse_positions({"x": {"x": 400, "y": 500, "w": 80, "h": 30}}).values()
    x0, y0, x1, y1 = pos.box(A4, (250, 84))
    assert x0 >= 0 and x1 <= 596 and y0 >= 0 and y1 <= 842
    assert (x1 - x0, y1 - y0) == pytest.approx((80 * MM, 30 * MM), abs=1)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("last", "đối tượng JSON"),
        ({"page": 2}, "first hoặc last"),
        ({"corner": "center"}, "corner phải là"),
        ({"x": 10}, "cần cả x và y"),
        ({"x": 10, "y": 10, "corner": "top-left"}, "không dùng cả hai"),
        ({"w": -3}, "không âm"),
        ({"h": 0}, "lớn hơn 0"),
        ({"colour": "red"}, "không hiểu khoá colour"),
    ],
)
def test_bad_entries_are_named(raw: object, words: str) -> None:
    with pytest.raises(SigningError, match=words) as e:
        parse_positions({"quyet_dinh": raw})
    assert "quyet_dinh" in e.value.message
