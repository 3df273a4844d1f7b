"""Field extraction from noisy OCR text: label patterns per document type on folded text.

``extract(text, doc_type)`` -> ``{key: Field}``; spans are character offsets in the NFC
text.  ``locate(field, words)`` maps a span to OCR word boxes for highlighting.
``ho_ten``/``ngay_sinh``/``gioi_tinh``/``dia_chi`` are of the person the document is about
(child, principal, land user, deceased, person a decision concerns; for the birth
declaration and the clinic birth certificate ``dia_chi`` is the parent's); ``cccd`` is the
requester's / applicant's / principal's 12-digit ID, structure-checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from classify.text import fold, fold_keep_case, nfc

KEYS = (
    "cccd",
    "ho_ten",
    "ngay_sinh",
    "gioi_tinh",
    "dia_chi",
    "so_thua",
    "so_to_ban_do",
    "dien_tich",
    "so_giay_chung_nhan",
)


@dataclass(frozen=True)
class Field:
    key: str
    value: str
    confidence: float
    start: int  # span in the NFC text
    end: int


@dataclass(frozen=True)
class Box:
    """A highlight rectangle in page pixels (one per OCR line the field touches)."""

    left: int
    top: int
    width: int
    height: int
    line: int


# ---------------------------------------------------------------------- CCCD structure
def cccd_valid(number: str) -> bool:
    """12 digits; province of birth registration 001-096; century/gender digit 0-9."""
    return len(number) == 12 and number.isdigit() and 1 <= int(number[:3]) <= 96


def cccd_matches_birth(number: str, born_year: int) -> bool:
    """The century digit and the two year digits agree with a birth year."""
    century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 8: 1800, 9: 1800}
    base = century.get(int(number[3]), -1)
    return base + int(number[4:6]) == born_year


# ---------------------------------------------------------------------- text views
_DIGIT_LIKE = {"O": "0", "o": "0", "Q": "0", "D": "0", "l": "1", "I": "1", "i": "1", "|": "1"}
_DIGIT_LIKE.update({"S": "5", "B": "8"})


_NUMERIC_TOKEN = re.compile(r"(?<![A-Za-z0-9])[0-9OoQDlIi|SB]+(?![A-Za-z0-9])")


def _repair_digits(k: str) -> str:
    """In a token of digits and look-alike letters with at least as many digits as
    letters ("O79O9O123456", "l2"), the letters are read as digits (same length)."""
    out = list(k)
    for m in _NUMERIC_TOKEN.finditer(k):
        token = m.group()
        digits = sum(c.isdigit() for c in token)
        if digits and digits >= len(token) - digits:
            for i, c in enumerate(token, m.start()):
                out[i] = _DIGIT_LIKE.get(c, c)
    return "".join(out)


@dataclass(frozen=True)
class _View:
    text: str  # NFC original
    k: str  # folded, case kept
    f: str  # folded, lower case
    d: str  # k with digit look-alikes repaired

    @classmethod
    def of(cls, text: str) -> _View:
        text = nfc(text)
        k = fold_keep_case(text)
        return cls(text, k, fold(text), _repair_digits(k))


_Hit = tuple[int, int, str, float]  # start, end, value, confidence
_Parser = Callable[[_View, int, int], _Hit | None]

# ---------------------------------------------------------------------- value parsers
_HONORIFIC = re.compile(
    r"[\s:.,;]*(?:(?:Ong|Ba|ong|ba|ONG|BA)(?:\s*/\s*(?:Ba|ba|BA))?\s*[:.]?\s+)?"
)
_TOKEN = re.compile(r"[A-Z][A-Za-z10]*")
_STOP = re.compile(
    r"(?:Ngay|Gioi|Dan|Quoc tich|Noi|S[il1]n[hb]|So|Dia|Que|Can|CCCD|Quan he|Nam sinh|Ma|Full|"
    r"T[il1]nh trang|Ten|Dia|"
    r"NGAY|GIOI|SINH|SO)\b"
)


def _name(v: _View, pos: int, limit: int) -> _Hit | None:
    m = _HONORIFIC.match(v.k, pos)
    i = m.end() if m else pos
    start, end, count = i, i, 0
    while count < 6 and i < limit:
        if _STOP.match(v.k, i):
            break
        t = _TOKEN.match(v.k, i)
        if not t:
            break
        end, count = t.end(), count + 1
        gap = re.match(r" (?! )", v.k[end:limit])  # two spaces separate fields
        if not gap:
            break
        i = end + gap.end()
    if count < 2 or start - pos > 25:
        return None
    raw = v.text[start:end]
    value = raw.title() if raw.isupper() else raw
    return start, end, value, 0.9 if count <= 5 else 0.6


_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_LONG_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")


def _date(v: _View, pos: int, limit: int) -> _Hit | None:
    window_end = min(limit, pos + 70)
    best = None
    for pattern, view in ((_DATE, v.d), (_LONG_DATE, _repair_digits(v.f))):
        m = pattern.search(view, pos, window_end)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    day, month, year = (int(g) for g in best.groups())
    try:
        date(year, month, day)
    except ValueError:
        return None
    conf = 0.92 if v.k[best.start() : best.end()] == v.d[best.start() : best.end()] else 0.75
    return best.start(), best.end(), f"{day:02d}/{month:02d}/{year}", conf


def _gender(v: _View, pos: int, limit: int) -> _Hit | None:
    m = re.compile(r"[\s:.]*(nam|nu)\b").match(v.f, pos, limit)
    if not m:
        return None
    return m.start(1), m.end(1), "Nam" if m.group(1) == "nam" else "Nữ", 0.93


_PROVINCE = re.compile(
    r"(?:tinh|thanh\s*pho)\s+[A-Z][A-Za-z]*(?:[ \t]+(?!(?:Ngay|Gioi|Dan|So|Sinh|Can|Quoc)\b)"
    r"(?!Noi\s+(?:cu|thuong|o|dang|sinh|chet)\b)"
    r"[A-Z][A-Za-z]*)?"
)


#: An address wrapped onto the next line ends there with its province, within this many
#: characters and with no label (no colon) before it.
_WRAPPED_TAIL = 45


def _address(v: _View, pos: int, limit: int) -> _Hit | None:
    m = re.compile(r"[\s:]*").match(v.k, pos)
    start = m.end() if m else pos
    eol = v.k.find("\n", start)
    stop = min(limit, eol if eol >= 0 else len(v.k))
    province = _PROVINCE.search(v.k, start, stop)
    if province is None and stop < limit:  # wrapped: "…, xã Đông\nHưng, tỉnh Vĩnh Long"
        nxt = re.compile(r"\s*").match(v.k, stop).end()  # type: ignore[union-attr]
        after = v.k.find("\n", nxt)
        after = min(limit, after if after >= 0 else len(v.k))
        later = _PROVINCE.search(v.k, start, after)
        if (
            later
            and stop < later.end() <= stop + _WRAPPED_TAIL
            and ":" not in v.k[stop : later.start()]
        ):
            province = later
    if province:
        end, conf = province.end(), 0.88
    else:
        semi = v.k.find(";", start, stop)
        end, conf = (semi if semi >= 0 else stop), 0.6
    raw = v.text[start:end].rstrip(" ,.;")
    if len(raw) < 6:
        return None
    return start, start + len(raw), " ".join(raw.split()), conf


def _integer(v: _View, pos: int, limit: int) -> _Hit | None:
    m = re.compile(r"[\s:.]*(\d{1,5})(?!\d|,\d)").match(v.d, pos, limit)
    if not m:
        return None
    conf = 0.92 if v.k[m.start(1) : m.end(1)] == m.group(1) else 0.75
    return m.start(1), m.end(1), str(int(m.group(1))), conf


_NUMBER = r"(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[,.]\d{1,2})?)(?!\d)"
#: "m²" as OCR reads it: m2, m?, m°, mº, m* (the superscript is small and often misread).
_SQM = r"m\s?[2?°º*]?(?![A-Za-z0-9])"
_AREA = re.compile(_NUMBER + r"(?:\s*(" + _SQM + "))?")


def _area_value(number: str) -> str:
    """'150,5 m²': a decimal point misread for the comma is put back."""
    if re.fullmatch(r"\d+\.\d{1,2}", number):
        number = number.replace(".", ",")
    return f"{number} m²"


def _area(v: _View, pos: int, limit: int) -> _Hit | None:
    m = re.compile(r"[\s:.]*").match(v.d, pos)
    start = m.end() if m else pos
    a = _AREA.match(v.d, start, limit)
    if not a:
        return None
    return a.start(), a.end(), _area_value(a.group(1)), 0.9


def _area_anywhere(v: _View, pos: int, limit: int) -> _Hit | None:
    a = re.compile(_NUMBER + r"\s*" + _SQM).search(v.d, pos, limit)
    return (a.start(), a.end(), _area_value(a.group(1)), 0.7) if a else None


def _serial(v: _View, pos: int, limit: int) -> _Hit | None:
    m = re.compile(r"[\s:.]*([A-Z]{2})\s?(\d{6,8})\b").match(v.d, pos, limit)
    if not m:
        return None
    letters = v.text[m.start(1) : m.end(1)].upper()
    return m.start(1), m.end(2), f"{letters} {m.group(2)}", 0.9


def _serial_anywhere(v: _View, pos: int, limit: int) -> _Hit | None:
    m = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}) ?(\d{6,8})(?![0-9])").search(v.d, pos, limit)
    if not m:
        return None
    return m.start(1), m.end(2), f"{v.text[m.start(1) : m.end(1)].upper()} {m.group(2)}", 0.7


_CCCD = re.compile(r"(?<![0-9])(\d{12})(?![0-9])")
_ID_LABEL = re.compile(r"(can\s*cuoc|cccd|dinh\s*danh|cmnd|so\s*/\s*no|chung\s*minh)")


def _cccd(v: _View, pos: int, limit: int) -> _Hit | None:
    for m in _CCCD.finditer(v.d, pos, limit):
        number = m.group(1)
        if not cccd_valid(number):
            continue
        labelled = _ID_LABEL.search(v.f, max(0, m.start() - 60), m.start()) is not None
        conf = 0.95 if labelled else 0.8
        if v.k[m.start() : m.end()] != number:
            conf -= 0.15
        return m.start(), m.end(), number, conf
    return None


# ---------------------------------------------------------------------- labels per type
_TAIL = r"\s*(?:/\s*[a-z][a-z ,.]*?\s*)?:"  # colon, maybe after an English gloss
NAME = r"ho\s*,?\s*(?:chu\s*dem\s*,?\s*(?:va\s*)?)?(?:va\s*)?ten"
DOB = r"(?:ngay\s*,?\s*thang\s*,?\s*nam\s*sinh|ngay\s*sinh)" + _TAIL + r"|sinh\s*ngay\s*:?"
SEX = r"gioi\s*tinh(?:\s*cua\s*(?:con|tre))?(?:\s*/\s*sex)?\s*:?"
ADDR = (
    r"(?:noi\s*(?:thuong\s*tru|cu\s*tru(?:\s*cuoi\s*cung)?|o|dang\s*ky\s*thuong\s*tru)|dia\s*chi"
    r"(?:\s*(?:thuong\s*tru|cu\s*tru|nguoi\s*su\s*dung\s*dat))?)"
    + _TAIL
    + r"|(?:thuong|cu)\s*tru\s*tai\s*:?"
)
HONOR = r"(?<![a-z])(?=(?:ong|ba)(?:\s*/\s*ba)?\s*:?\s+[a-z])"
THUA = r"(?:thua\s*(?:dat\s*)?so|so\s*thu\s*tu\s*thua(?:\s*dat)?|so\s*thua)\s*:?"
TO = r"(?:to\s*ban\s*do\s*so|so\s*to\s*ban\s*do)\s*:?"
AREA = r"dien\s*tich(?:\s*\(\s*m\s?[2?°º*]?\s*\))?\s*:?"
GCN = r"(?:giay\s*chung\s*nhan\s*so|so\s*phat\s*hanh(?:\s*\(serial\))?|so\s*seri(?:al)?)\s*:?"


@dataclass(frozen=True)
class _Rule:
    key: str
    label: str | None  # None: the parser scans the scope itself
    parser: _Parser
    scope: str = "all"


def _person(name: str, scope: str = "all", addr_scope: str | None = None) -> list[_Rule]:
    return [
        _Rule("ho_ten", name, _name, scope),
        _Rule("ngay_sinh", DOB, _date, scope),
        _Rule("gioi_tinh", SEX, _gender, scope),
        _Rule("dia_chi", ADDR, _address, addr_scope or scope),
        _Rule("cccd", None, _cccd, "applicant"),
    ]


_LAND = [
    _Rule("so_thua", THUA, _integer, "land"),
    _Rule("so_to_ban_do", TO, _integer, "land"),
    _Rule("dien_tich", AREA, _area, "land"),
    _Rule("dien_tich", None, _area_anywhere, "land"),
]

RULES: dict[str, list[_Rule]] = {
    "to_khai_khai_sinh": _person(
        NAME + r"(?:\s*(?:nguoi\s*duoc\s*khai\s*sinh|cua\s*tre|tre))?" + _TAIL, "subject", "all"
    ),
    "giay_chung_sinh": [
        _Rule(
            "ho_ten",
            r"(?:du\s*dinh\s*dat\s*ten(?:\s*(?:cho\s*)?con)?|ten\s*du\s*kien(?:\s*cua\s*(?:tre|con))?)"
            + _TAIL,
            _name,
        ),
        _Rule("ngay_sinh", r"sinh\s*con\s*vao\s*luc|ngay\s*sinh\s*(?:cua\s*)?con", _date),
        _Rule("gioi_tinh", SEX, _gender),
        _Rule("dia_chi", ADDR, _address),
        _Rule("cccd", None, _cccd),
    ],
    "to_khai_xac_nhan_hon_nhan": _person(NAME + _TAIL, "subject"),
    "to_khai_khai_tu": _person(NAME + r"(?:\s*nguoi\s*(?:da\s*)?(?:chet|mat))?" + _TAIL, "subject"),
    "giay_uy_quyen": [*_person(NAME + _TAIL + "|" + HONOR, "subject"), *_LAND],
    "can_cuoc": _person(NAME + r"(?:\s*khai\s*sinh)?" + _TAIL),
    "giay_xac_nhan_cu_tru": _person(NAME + _TAIL + "|" + HONOR),
    "don_dang_ky_dat_dai": [
        _Rule("ho_ten", r"(?<![a-z])ten" + _TAIL + r"|nguoi\s*su\s*dung\s*dat" + _TAIL, _name),
        _Rule("dia_chi", ADDR, _address),
        _Rule("cccd", None, _cccd),
        *_LAND,
    ],
    "giay_chung_nhan_qsdd": [
        _Rule("ho_ten", HONOR, _name, "owner"),
        _Rule("dia_chi", ADDR, _address, "owner"),
        _Rule("cccd", None, _cccd),
        _Rule("so_giay_chung_nhan", GCN, _serial),
        _Rule("so_giay_chung_nhan", None, _serial_anywhere),
        *_LAND,
    ],
    "trich_luc_ban_do": [
        _Rule("ho_ten", r"(?:ten\s*)?nguoi\s*su\s*dung\s*dat" + _TAIL, _name),
        _Rule("dia_chi", r"dia\s*chi\s*(?:thuong\s*tru|nguoi\s*su\s*dung\s*dat)" + _TAIL, _address),
        _Rule("cccd", None, _cccd),
        *_LAND,
    ],
    "quyet_dinh": [
        _Rule(
            "ho_ten",
            r"(?:cho\s*phep|cho|cong\s*nhan|doi\s*voi)\s*(?:ho\s*)?" + HONOR,
            _name,
            "subject",
        ),
        _Rule("ngay_sinh", DOB, _date, "subject"),
        _Rule("dia_chi", ADDR, _address, "subject"),
        _Rule("cccd", None, _cccd, "subject"),
        *[_Rule(r.key, r.label, r.parser, "subject") for r in _LAND],
    ],
    "khac": [_Rule("cccd", None, _cccd)],
}
GENERIC = _person(NAME + _TAIL)  # admin-added types

#: (start, end) regular expressions of the scopes, on folded text, per type.
SCOPES: dict[str, dict[str, tuple[str | None, str | None]]] = {
    "to_khai_khai_sinh": {
        "subject": (
            r"khai\s*sinh\s*cho|nguoi\s*duoc\s*khai\s*sinh\s*$|thong\s*tin\s*(?:cua\s*)?"
            r"(?:nguoi\s*duoc\s*khai\s*sinh|tre)",
            r"(?:" + NAME + r"|ho\s*ten)\s*(?:cua\s*)?nguoi\s*(?:me|cha)|thong\s*tin\s*(?:ve\s*)?"
            r"cha|phan\s*iii|(?<![a-z])me\s*:",
        )
    },
    "to_khai_xac_nhan_hon_nhan": {
        "subject": (
            r"hon\s*nhan\s*cho|thong\s*tin\s*(?:cua\s*)?nguoi\s*(?:can|duoc)",
            r"^\s*(?:\d+\.\s*)?tinh\s*trang\s*hon\s*nhan\s*(?:hien\s*nay\s*)?:|muc\s*dich",
        )
    },
    "to_khai_khai_tu": {
        "subject": (
            r"khai\s*tu\s*cho|thong\s*tin\s*(?:ve\s*)?nguoi\s*(?:da\s*)?(?:chet|mat)|"
            r"ten\s*nguoi\s*(?:da\s*)?(?:chet|mat)",
            r"nguyen\s*nhan|mat\s*ngay|da\s*chet\s*vao",
        )
    },
    "giay_uy_quyen": {
        "subject": (r"(?:ben|nguoi)\s*uy\s*quyen", r"(?:ben|nguoi)\s*(?:duoc|nhan)\s*uy\s*quyen"),
        "applicant": (r"(?:ben|nguoi)\s*uy\s*quyen", r"(?:ben|nguoi)\s*(?:duoc|nhan)\s*uy\s*quyen"),
    },
    "giay_chung_nhan_qsdd": {"owner": (r"nguoi\s*su\s*dung\s*dat", r"thua\s*dat")},
    "quyet_dinh": {"subject": (r"dieu\s*1\b", r"dieu\s*2\b")},
}


def _scope(v: _View, doc_type: str, name: str) -> tuple[int, int]:
    start_re, end_re = SCOPES.get(doc_type, {}).get(name, (None, None))
    start, end = 0, len(v.f)
    if start_re:
        m = re.compile(start_re, re.M).search(v.f)
        if m:
            start = m.start()
    if end_re:
        m = re.compile(end_re, re.M).search(v.f, start + 1)
        if m:
            end = m.start()
    return start, end


def extract(text: str, doc_type: str) -> dict[str, Field]:
    """Fields of one page's text for a document type (unknown types: generic labels)."""
    v = _View.of(text)
    found: dict[str, Field] = {}
    for rule in RULES.get(doc_type, GENERIC):
        if rule.key in found:
            continue
        lo, hi = _scope(v, doc_type, rule.scope)
        if rule.label is None:
            hit = rule.parser(v, lo, hi)
        else:
            hit = None
            for m in re.compile(rule.label, re.M).finditer(v.f, lo, hi):
                hit = rule.parser(v, m.end(), hi)
                if hit:
                    break
        if hit:
            s, e, value, conf = hit
            found[rule.key] = Field(rule.key, value, round(conf, 3), s, e)
    return found


# ---------------------------------------------------------------------- word boxes
def _get(word: Mapping[str, Any] | Any, name: str) -> Any:
    return word[name] if isinstance(word, Mapping) else getattr(word, name)


def align_words(text: str, words: Iterable[Mapping[str, Any] | Any]) -> list[tuple[int, int]]:
    """Character span of each OCR word in ``text`` (in order; (-1, -1) if not found)."""
    text = nfc(text)
    cursor, spans = 0, []
    for w in words:
        token = nfc(str(_get(w, "text")))
        at = text.find(token, cursor, cursor + len(token) + 200) if token else -1
        if at < 0:
            spans.append((-1, -1))
            continue
        spans.append((at, at + len(token)))
        cursor = at + len(token)
    return spans


def locate(
    field: Field, words: Iterable[Mapping[str, Any] | Any], text: str | None = None
) -> list[Box]:
    """Boxes (one per OCR line) of the words under ``field``'s span.

    ``text`` is the page text the span refers to; by default the words joined by spaces
    within a line and newlines between lines (as the OCR step builds it)."""
    items = list(words)
    if text is None:
        parts: list[str] = []
        for i, w in enumerate(items):
            if i:
                parts.append("\n" if _get(w, "line") != _get(items[i - 1], "line") else " ")
            parts.append(str(_get(w, "text")))
        text = "".join(parts)
    boxes: dict[int, list[int]] = {}
    for w, (s, e) in zip(items, align_words(text, items), strict=True):
        if s < 0 or e <= field.start or s >= field.end:
            continue
        left, top = int(_get(w, "left")), int(_get(w, "top"))
        right, bottom = left + int(_get(w, "width")), top + int(_get(w, "height"))
        line = int(_get(w, "line"))
        b = boxes.setdefault(line, [left, top, right, bottom])
        b[:] = [min(b[0], left), min(b[1], top), max(b[2], right), max(b[3], bottom)]
    return [Box(b[0], b[1], b[2] - b[0], b[3] - b[1], line) for line, b in sorted(boxes.items())]
