"""Word lists and small random helpers for synthetic Vietnamese administrative text.

Everything here is plain data plus pure functions of a ``random.Random`` so the
generated content is reproducible from a seed.  Strings are written in NFC.
Only characters that a commune form really contains are used; typographic
quotes and long dashes are avoided on purpose (scanned forms use ASCII hyphens
and the OCR check compares characters exactly).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta


def _words(text: str) -> tuple[str, ...]:
    """Space-separated items (none contains a space); compact on purpose."""
    return tuple(text.split())


def _names(text: str) -> tuple[str, ...]:
    """Comma-separated multi-syllable names."""
    return tuple(text.split(", "))


FAMILY_NAMES = _words(
    "Nguyễn Nguyễn Nguyễn Trần Trần Lê Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý"
)
MALE_MIDDLE = _words("Văn Văn Hữu Đức Minh Thanh Quốc Công Xuân Đình")
FEMALE_MIDDLE = _words("Thị Thị Thị Ngọc Thanh Minh Thu Kim Hồng Bích")
MALE_GIVEN = _words(
    "An Bảo Bình Cường Dũng Duy Đạt Giang Hải Hiếu Hoàng Hùng Huy Khánh Khoa Long Lộc "
    "Minh Nam Nghĩa Phong Phúc Quân Quang Sơn Tài Thắng Thành Toàn Trung Tuấn Tùng "
    "Việt Vinh"
)
FEMALE_GIVEN = _words(
    "Anh Châu Chi Diệp Dung Giang Hà Hằng Hạnh Hiền Hoa Hồng Hương Hường Lan Liên "
    "Linh Loan Mai My Nga Ngân Ngọc Nhung Oanh Phương Quyên Thảo Thủy Trang Tuyết "
    "Uyên Vân Yến"
)
ETHNIC_GROUPS = _words("Kinh Kinh Kinh Kinh Kinh Tày Thái Mường Khmer Nùng")
# Province codes used in the first three digits of a 12-digit citizen ID.
PROVINCE_CODES = _words(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
    "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
    "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
    "094 095 096"
)
# Names after the 2025 merger of provinces (34 units); a sample is enough here.
PROVINCES = _names(
    "Hà Nội, Hải Phòng, Thanh Hóa, Nghệ An, Hà Tĩnh, Quảng Trị, Huế, Đà Nẵng, "
    "Quảng Ngãi, Gia Lai, Đắk Lắk, Khánh Hòa, Lâm Đồng, Đồng Nai, Tây Ninh, Vĩnh Long, "
    "Đồng Tháp, An Giang, Cần Thơ, Cà Mau, Tuyên Quang, Lào Cai, Thái Nguyên, Phú Thọ, "
    "Bắc Ninh, Hưng Yên, Ninh Bình, Lạng Sơn, Sơn La, Điện Biên, Lai Châu, Cao Bằng"
)
COMMUNES = _names(
    "Tân Phú, Hòa Bình, Yên Lạc, Phú Lộc, Đông Hưng, Quảng Điền, Thạch Hà, Cẩm Xuyên, "
    "Nghĩa Đàn, Triệu Phong, Hải Lăng, Đức Thọ, Vĩnh Tường, Kim Sơn, Tiên Lãng, "
    "Bình Minh, Long Hưng, Mỹ Hòa, Phước Sơn, Tam Nông, Hưng Nguyên, Lộc Ninh, "
    "Thanh Sơn, Xuân Trường, An Khánh, Đại Lộc, Tịnh Biên, Cư Kuin, Ea Kar, "
    "Mường Khương"
)
HAMLET_KINDS = _names("Thôn, Thôn, Xóm, Ấp, Bản, Tổ dân phố")
HAMLET_NAMES = _names(
    "Đông, Tây, Nam, Bắc, Trung, Thượng, Hạ, Phú Xuân, An Lạc, Đồng Tâm, Tân Lập, "
    "Hòa Hiệp, Bến Đò, Cầu Đá, Làng Mới, Yên Thịnh, Minh Khai, Quyết Thắng, "
    "Thống Nhất, Hợp Nhất, Gò Sặt, Bãi Sậy"
)
NUMBERED_HAMLET = _words("1 2 3 4 5 6 7 8 9 10 11 12")
CITIES = _names("Hà Nội, Hải Phòng, Huế, Đà Nẵng, Cần Thơ")
RELATIVES = _words("Vợ Chồng Con Con Con Mẹ Cha Cháu Em")
# Documents are dated after the 1 July 2025 reform (two-level xã/tỉnh addresses).
PERIOD = (date(2025, 7, 1), date(2026, 10, 31))


@dataclass(frozen=True)
class Person:
    """A fictitious citizen; fields are already formatted for printing."""

    name: str
    male: bool
    born: date
    cid: str
    ethnic: str
    address: str

    @property
    def dob(self) -> str:
        return fmt_date(self.born)

    @property
    def honorific(self) -> str:
        return "Ông" if self.male else "Bà"

    @property
    def gender(self) -> str:
        return "Nam" if self.male else "Nữ"


def full_name(rng: random.Random, male: bool, family: str | None = None) -> str:
    family = family or rng.choice(FAMILY_NAMES)
    middle = rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)
    given = rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
    if rng.random() < 0.2:  # some names carry two middle names, e.g. "Nguyễn Thị Thu Hà"
        extra = rng.choice(MALE_MIDDLE[2:] if male else FEMALE_MIDDLE[3:])
        if extra != middle:
            middle = f"{middle} {extra}"
    return f"{family} {middle} {given}"


def citizen_id(rng: random.Random, born: date, male: bool) -> str:
    """12 digits: province code, century/gender digit, 2-digit birth year, 6 random digits."""
    century = 0 if born.year < 2000 else 2
    digit = century + (0 if male else 1)
    serial = "".join(rng.choice("0123456789") for _ in range(6))
    return f"{rng.choice(PROVINCE_CODES)}{digit}{born.year % 100:02d}{serial}"


def fmt_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def long_date(d: date) -> str:
    """The 'ngày 05 tháng 03 năm 2024' form used in the place-and-date line."""
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def birth_date(rng: random.Random, min_age: int = 18, max_age: int = 80) -> date:
    year = PERIOD[1].year - rng.randint(min_age, max_age)
    return random_date(rng, date(year, 1, 1), date(year, 12, 31))


def issue_date(rng: random.Random) -> date:
    return random_date(rng, *PERIOD)


def commune(rng: random.Random) -> str:
    return rng.choice(COMMUNES)


def province(rng: random.Random) -> str:
    return rng.choice(PROVINCES)


def in_province(tinh: str) -> str:
    """'tỉnh Nghệ An' or 'thành phố Hà Nội' for the centrally-run cities."""
    return f"{'thành phố' if tinh in CITIES else 'tỉnh'} {tinh}"


def hamlet(rng: random.Random) -> str:
    kind = rng.choice(HAMLET_KINDS)
    pool = NUMBERED_HAMLET if kind == "Tổ dân phố" or rng.random() < 0.3 else HAMLET_NAMES
    return f"{kind} {rng.choice(pool)}"


def address(rng: random.Random, xa: str | None = None, tinh: str | None = None) -> str:
    """'Thôn Đông, xã Tân Phú, tỉnh Nghệ An' (the two-level commune/province system)."""
    xa = xa or commune(rng)
    tinh = tinh or province(rng)
    prefix = f"Số nhà {rng.randint(1, 199)}, " if rng.random() < 0.15 else ""
    return f"{prefix}{hamlet(rng)}, xã {xa}, {in_province(tinh)}"


def person(
    rng: random.Random,
    *,
    male: bool | None = None,
    family: str | None = None,
    min_age: int = 18,
    max_age: int = 80,
    xa: str | None = None,
    tinh: str | None = None,
) -> Person:
    male = rng.random() < 0.5 if male is None else male
    born = birth_date(rng, min_age, max_age)
    return Person(
        name=full_name(rng, male, family),
        male=male,
        born=born,
        cid=citizen_id(rng, born, male),
        ethnic=rng.choice(ETHNIC_GROUPS),
        address=address(rng, xa, tinh),
    )


def area(rng: random.Random, low: float = 60.0, high: float = 900.0) -> str:
    """Area with a decimal comma, as printed on Vietnamese land documents."""
    value = rng.uniform(low, high)
    return f"{value:.1f}".replace(".", ",")


def doc_number(rng: random.Random, suffix: str) -> str:
    return f"Số: {rng.randint(1, 350)}/{suffix}"
