"""Vietnamese personal identification numbers (số định danh cá nhân / CCCD).

12 digits: 3 for the province of birth registration (001–096), 1 for century and sex
(0/1 → 1900s male/female, 2/3 → 2000s, 4/5 → 2100s, 6/7 → 2200s, 8/9 → 1800s),
2 for the year of birth, 6 random digits. There is no check digit; we validate the
structure and that the year of birth is not in the future.
"""

from __future__ import annotations

from datetime import date

from records.errors import BadInput

_CENTURY = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 1800,
    9: 1800,
}


def birth_year(number: str) -> int:
    return _CENTURY[int(number[3])] + int(number[4:6])


def validate_cccd(raw: str, *, today: date | None = None) -> str:
    number = "".join(raw.split())
    if len(number) != 12 or not number.isdigit():
        raise BadInput(f"Số định danh cá nhân '{raw}' phải gồm đúng 12 chữ số")
    province = int(number[:3])
    if not 1 <= province <= 96:
        raise BadInput(f"Số định danh '{number}': mã tỉnh {number[:3]} không hợp lệ (001–096)")
    year = birth_year(number)
    if year > (today or date.today()).year:
        raise BadInput(f"Số định danh '{number}': năm sinh {year} ở tương lai")
    return number
