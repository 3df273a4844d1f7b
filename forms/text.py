"""The words and numbers the forms print: times, dates, money, the lookup link, the QR text."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from forms.model import DossierSlip

# Vietnam has kept UTC+07:00 without daylight saving since 1975, so a fixed offset is exact
# for every date the product handles and needs no tz database on the host.
VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def local(when: datetime) -> datetime:
    """``when`` in Vietnam time; a naive time is taken as Vietnam time already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=VIETNAM)
    return when.astimezone(VIETNAM)


def official_time(when: datetime) -> str:
    """The receipt's wording of a time: ``08 giờ 05 phút, ngày 14/10/2025``."""
    t = local(when)
    return f"{t:%H} giờ {t:%M} phút, ngày {t:%d/%m/%Y}"


def short_date(when: datetime) -> str:
    """A date in the body of a form: ``14/10/2025``."""
    return f"{local(when):%d/%m/%Y}"


def place_date(place: str, when: datetime) -> str:
    """The place and date line: ``An Bình, ngày 04 tháng 3 năm 2025``.

    Decree 30/2020/NĐ-CP (Appendix I): a zero is written before days under 10 and before
    months 1 and 2 only (so "tháng 01", "tháng 02", but "tháng 3" … "tháng 12").
    """
    t = local(when)
    month = f"{t.month:02d}" if t.month < 3 else str(t.month)
    return f"{place}, ngày {t.day:02d} tháng {month} năm {t.year}"


def vnd(amount: int) -> str:
    """``50000`` → ``50.000 đồng`` (Vietnamese groups thousands with dots)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def lookup_link(url: str, code: str, check_value: str) -> str:
    """The status-page link printed on the receipt and held in its QR code.

    Opening it must show this dossier without typing anything, so it carries the dossier
    code (``ma``) and the check value (``tc``, mã tra cứu). A URL that already holds the
    check value is taken as the product built it and left alone.
    """
    if check_value and check_value in url:
        return url
    parts = urlsplit(url)
    query = urlencode({"ma": code, "tc": check_value})
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))


def qr_text(slip: DossierSlip) -> str:
    """What the receipt's QR code holds: ``key=value`` lines, ASCII only.

    At least the dossier code, procedure code and applicant identifier (Circular
    01/2023/TT-VPCP), plus the lookup link; keys follow the names of the national portal's
    dossier fields (MaHoSo, MaTTHC). Phone cameras offer to open the link in the text.
    """
    lines = {
        "MaHoSo": slip.code,
        "MaTTHC": slip.procedure_code,
        "SoDinhDanh": slip.applicant.id_number,
        "TraCuu": lookup_link(slip.lookup_url, slip.code, slip.check_value),
    }
    return "\n".join(f"{k}={v}" for k, v in lines.items())


def clean(text: str) -> str:
    """NFC (one code point per accented letter, as the font's glyphs are), XML-escaped
    for reportlab's paragraph markup."""
    return escape(unicodedata.normalize("NFC", text))


def upper(text: str) -> str:
    """Capitals for headings; Python upper-cases every Vietnamese letter (ơ → Ơ, đ → Đ)."""
    return unicodedata.normalize("NFC", text).upper()
