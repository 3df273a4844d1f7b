"""The verification QR drawn next to the stamp: ``signing.overlay.qr_modules`` scores the
eight mask patterns with numpy and must choose the same symbol as reportlab's widget."""

from __future__ import annotations

import random
import string

import pytest
from reportlab.graphics.barcode.qr import QrCodeWidget

from signing.overlay import qr_modules

rng = random.Random(6)
URLS = [
    "https://hoso.example.gov.vn/v/AB12CD34",
    "http://127.0.0.1:8000/v/x",
    *(
        "https://"
        + "".join(rng.choice(string.ascii_lowercase + ".-/") for _ in range(n))
        + "/v/"
        + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        for n in (3, 17, 29, 41, 64, 97, 140, 230)
    ),
]


@pytest.mark.parametrize("url", URLS)
def test_same_symbol_as_reportlab(url: str) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    widget.qr.make()
    expected = [[bool(m) for m in row] for row in widget.qr.modules]
    assert qr_modules(url) == expected
