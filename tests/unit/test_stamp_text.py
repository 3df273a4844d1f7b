"""The stamp's text and font: signing time ``hh:mm:ss dd/mm/yyyy +07:00`` (Decree 30/2020)
and a font rescaled to unitsPerEm 1000 (pyHanko's text stamps assume 1000)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signing.stamp import StampSpec, font_1000_upem, format_signing_time, stamp_text

TIME_LINE = re.compile(r"^Thời gian ký: (\d{2}):(\d{2}):(\d{2}) (\d{2})/(\d{2})/(\d{4}) \+07:00$")


def test_signing_time_line_in_stamp_text() -> None:
    spec = StampSpec(signer_name="Nguyễn Văn An", title="Chủ tịch", agency="UBND xã 100% Tân Lập")
    text = stamp_text(spec) % {
        "vn_time": format_signing_time(datetime(2024, 3, 5, 17, 4, 9, tzinfo=UTC))
    }
    last = text.splitlines()[-1]
    m = TIME_LINE.match(last)
    assert m, last
    assert m.groups() == ("00", "04", "09", "06", "03", "2024")  # UTC+7 crosses midnight
    assert "Cơ quan: UBND xã 100% Tân Lập" in text


def test_font_rescaled_to_1000_upem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib import TTFont

    src = next(
        (
            p
            for p in (
                "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            )
            if Path(p).exists()
        ),
        None,
    )
    if src is None:
        pytest.skip("no TrueType font installed")
    assert TTFont(src)["head"].unitsPerEm != 1000
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    font_1000_upem.cache_clear()
    try:
        out = font_1000_upem(src)
    finally:
        font_1000_upem.cache_clear()
    assert Path(out).is_relative_to(tmp_path) and out != src
    scaled = TTFont(out)
    assert scaled["head"].unitsPerEm == 1000
    assert scaled.getBestCmap()[ord("ệ")]  # Vietnamese glyphs still mapped
