"""Second training templates: other wording and layout for the types that had one.

Used only by ``classify.training`` (not registered in :mod:`synth.content`), so every type
is learnt from at least two templates: other field order and labels ("Họ, chữ đệm và tên"
vs "Họ và tên"), numbered vs labelled fields, other issuing bodies and headers, optional
lines present or missing.  They are modelled on other real forms of the same procedures
(older or newer editions, printouts, certified copies), not on the HOLD-OUT templates of
:mod:`synth.templates_holdout`, which stay for evaluation only.  Each returns the document
and the ground truth of its fields (canonical keys of ``classify.fields``).
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from synth import vocab as v
from synth.content import Builder
from synth.templates_typed import Labelled, TypedTemplate, gcn_serial, place_date, plot

LAND_USES = ("Đất ở tại nông thôn", "Đất trồng cây lâu năm", "Đất trồng lúa", "Đất ở tại đô thị")
ORIGINS = (
    "Nhà nước giao đất có thu tiền sử dụng đất",
    "Nhận chuyển nhượng quyền sử dụng đất",
    "Nhận thừa kế quyền sử dụng đất",
    "Công nhận quyền sử dụng đất như giao đất không thu tiền sử dụng đất",
)


def _maybe(rng: random.Random, p: float = 0.5) -> bool:
    return rng.random() < p


def _ascii_upper(text: str) -> str:
    """'Nguyễn Văn Đức' -> 'NGUYEN VAN DUC' (as on the machine-readable zone)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).upper()


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice('3789')}{rng.randint(10_000_000, 99_999_999)}"


def birth_declaration(rng: random.Random) -> Labelled:
    """The declaration as printed from the public-service portal: requester first with
    "Họ, chữ đệm và tên", the child's data numbered, parents on one line each."""
    xa, tinh = v.commune(rng), v.province(rng)
    mother = v.person(rng, male=False, min_age=20, max_age=38, xa=xa, tinh=tinh)
    father = v.person(rng, male=True, min_age=22, max_age=42, xa=xa, tinh=tinh)
    req = rng.choice((mother, father))
    male = _maybe(rng)
    child = v.full_name(rng, male, father.name.split()[0])
    born = v.random_date(rng, date(2025, 5, 1), date(2026, 9, 30))
    b = Builder()
    if _maybe(rng, 0.4):
        b.add("Mẫu số 01/KS", align="right_half")
    b.motto()
    b.title("TỜ KHAI ĐĂNG KÝ KHAI SINH", gap=0.6)
    if _maybe(rng):
        b.add("(Dùng cho trường hợp đăng ký khai sinh đúng hạn)", align="center")
    b.para(f"Kính gửi: Ủy ban nhân dân xã {xa}, {v.in_province(tinh)}", gap=0.4)
    b.field("Họ, chữ đệm và tên người yêu cầu", req.name, gap=0.4)
    b.field(rng.choice(("Số định danh cá nhân", "Số CCCD/Căn cước")), req.cid)
    b.field(rng.choice(("Nơi cư trú", "Nơi thường trú")), req.address)
    if _maybe(rng):
        b.field("Số điện thoại liên hệ", _phone(rng))
    b.field("Quan hệ với người được đăng ký khai sinh", "Mẹ" if req is mother else "Cha")
    b.para("Đề nghị đăng ký khai sinh cho trẻ em có thông tin như sau:", gap=0.3)
    b.field("1. Họ, chữ đệm và tên", child.upper() if _maybe(rng, 0.7) else child)
    b.field("2. Ngày, tháng, năm sinh", v.fmt_date(born))
    b.field("3. Giới tính", "Nam" if male else "Nữ")
    b.field("4. Nơi sinh", rng.choice((f"Bệnh viện đa khoa {v.in_province(tinh)}", "Tại nhà")))
    b.para(f"5. Dân tộc: {father.ethnic}    6. Quốc tịch: Việt Nam")
    if _maybe(rng, 0.6):
        b.field("7. Quê quán", f"xã {v.commune(rng)}, {v.in_province(v.province(rng))}")
    b.add("Thông tin về cha, mẹ:", "bold", gap=0.3)
    b.para(f"Họ, chữ đệm và tên mẹ: {mother.name}; năm sinh: {mother.born.year}; dân tộc: Kinh")
    if _maybe(rng, 0.85):
        b.para(f"Họ, chữ đệm và tên cha: {father.name}; năm sinh: {father.born.year}")
    else:
        b.para("Họ, chữ đệm và tên cha: (chưa xác định)")
    b.para(
        "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm "
        "trước pháp luật về lời khai của mình.",
        gap=0.3,
    )
    if _maybe(rng):
        b.para(f"Đề nghị cấp bản sao Trích lục khai sinh: {rng.randint(1, 3):02d} bản")
    b.signature(place_date(rng, xa), "NGƯỜI ĐI ĐĂNG KÝ", "(Ký, ghi rõ họ, chữ đệm, tên)", req.name)
    truth = {
        "ho_ten": child,
        "ngay_sinh": v.fmt_date(born),
        "gioi_tinh": "Nam" if male else "Nữ",
        "cccd": req.cid,
        "dia_chi": req.address,
    }
    return b.build("to_khai_khai_sinh", "TỜ KHAI ĐĂNG KÝ KHAI SINH"), truth


def birth_certificate(rng: random.Random) -> Labelled:
    """A hospital's form: the birth first, then the mother, two signatures."""
    xa, tinh = v.commune(rng), v.province(rng)
    mother = v.person(rng, male=False, min_age=18, max_age=42, xa=xa, tinh=tinh)
    male = _maybe(rng)
    child = v.full_name(rng, male)
    born = v.random_date(rng, date(2025, 5, 1), date(2026, 9, 30))
    hospital = rng.choice((f"Bệnh viện Sản Nhi {tinh}", f"Trung tâm Y tế khu vực {xa}"))
    b = Builder()
    b.add(f"SỞ Y TẾ {tinh.upper()}" if _maybe(rng, 0.6) else "BỘ Y TẾ", "bold")
    b.add(hospital.upper(), "bold")
    b.add(f"Quyển số: {rng.randint(1, 30):02d}    Số: {rng.randint(1, 3000)}")
    b.motto(gap=0.3)
    b.title("GIẤY CHỨNG SINH", gap=0.6)
    b.para(
        f"Sinh con lúc: {rng.randint(0, 23):02d} giờ {rng.randint(0, 59):02d} phút, "
        f"ngày {v.fmt_date(born)}",
        gap=0.4,
    )
    b.field("Nơi sinh", f"Khoa Sản, {hospital}")
    b.para(f"Số con trong lần sinh: 01    Giới tính của con: {'Nam' if male else 'Nữ'}")
    b.field("Cân nặng khi sinh", f"{rng.randint(25, 42) * 100} gam")
    if _maybe(rng, 0.6):
        b.field("Tình trạng trẻ", "Khỏe mạnh")
    b.field("Tên dự định đặt cho con", child)
    b.add("Thông tin người mẹ", "bold", gap=0.3)
    b.field("Họ, chữ đệm và tên mẹ", mother.name.upper() if _maybe(rng) else mother.name)
    b.field("Ngày, tháng, năm sinh", mother.dob)
    b.field(rng.choice(("Số định danh cá nhân", "Số CCCD")), mother.cid)
    b.field("Nơi thường trú", mother.address)
    b.field("Dân tộc", mother.ethnic)
    if _maybe(rng, 0.4):
        b.para("Ghi chú: Giấy chứng sinh dùng để làm thủ tục đăng ký khai sinh cho trẻ.")
    b.add(f"{tinh}, {v.long_date(born)}", align="right_half", gap=0.5)
    b.add("NGƯỜI ĐỠ ĐẺ              THỦ TRƯỞNG CƠ SỞ Y TẾ", "bold", "center")
    b.add("(Ký, ghi rõ họ tên)          (Ký, đóng dấu)", align="center")
    b.add(f"{v.full_name(rng, False)}          {v.full_name(rng, True)}", "bold", "center", 2.0)
    truth = {
        "ho_ten": child,
        "ngay_sinh": v.fmt_date(born),
        "gioi_tinh": "Nam" if male else "Nữ",
        "cccd": mother.cid,
        "dia_chi": mother.address,
    }
    return b.build("giay_chung_sinh", "GIẤY CHỨNG SINH"), truth


def marital_status(rng: random.Random) -> Labelled:
    """The requester asks for themself: one block of personal data, the period of
    residence, the current status in words."""
    xa, tinh = v.commune(rng), v.province(rng)
    who = v.person(rng, min_age=19, max_age=65, xa=xa, tinh=tinh)
    title = "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    b = Builder().motto()
    b.title(title, gap=0.6)
    b.para(f"Kính gửi: Ủy ban nhân dân xã {xa}, {v.in_province(tinh)}", gap=0.4)
    b.field("Họ, chữ đệm và tên người yêu cầu", who.name, gap=0.3)
    b.field("Ngày, tháng, năm sinh", who.dob)
    b.para(f"Giới tính: {who.gender}; Dân tộc: {who.ethnic}; Quốc tịch: Việt Nam")
    b.field("Số định danh cá nhân", who.cid)
    b.field("Nơi cư trú", who.address)
    if _maybe(rng):
        b.field("Nghề nghiệp", rng.choice(("Làm ruộng", "Công nhân", "Giáo viên", "Tự do")))
    since = v.random_date(rng, date(1995, 1, 1), date(2015, 12, 31))
    b.para(
        f"Trong thời gian cư trú tại xã {xa} từ ngày {v.fmt_date(since)} đến nay, "
        "tình trạng hôn nhân của tôi như sau:",
        gap=0.3,
    )
    b.para(
        rng.choice(
            (
                "Chưa đăng ký kết hôn với ai.",
                "Đã đăng ký kết hôn, nhưng đã ly hôn theo bản án của Tòa án nhân dân.",
                "Có vợ/chồng đã chết.",
            )
        )
    )
    b.field(
        "Mục đích sử dụng",
        rng.choice(("Đăng ký kết hôn", "Làm hồ sơ vay vốn ngân hàng", "Mua bán, chuyển nhượng")),
    )
    b.field("Số lượng Giấy xác nhận đề nghị cấp", f"{rng.randint(1, 2):02d} bản")
    b.para("Tôi cam đoan những nội dung khai trên đây là đúng sự thật.", gap=0.3)
    b.signature(place_date(rng, xa), "NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ, chữ đệm, tên)", who.name)
    truth = {
        "ho_ten": who.name,
        "ngay_sinh": who.dob,
        "gioi_tinh": who.gender,
        "cccd": who.cid,
        "dia_chi": who.address,
    }
    return b.build("to_khai_xac_nhan_hon_nhan", title), truth


def death_registration(rng: random.Random) -> Labelled:
    """The deceased first (numbered), the death notice, then whoever registers it."""
    xa, tinh = v.commune(rng), v.province(rng)
    dead = v.person(rng, min_age=45, max_age=98, xa=xa, tinh=tinh)
    req = v.person(rng, min_age=22, max_age=70, xa=xa, tinh=tinh)
    died = v.issue_date(rng)
    b = Builder()
    if _maybe(rng, 0.4):
        b.add("Mẫu số 03/KT", align="right_half")
    b.motto()
    b.title("TỜ KHAI ĐĂNG KÝ KHAI TỬ", gap=0.6)
    b.para(f"Kính gửi: Ủy ban nhân dân xã {xa}", gap=0.4)
    b.add("Thông tin người đã chết:", "bold", gap=0.3)
    b.field("1. Họ, chữ đệm và tên", dead.name.upper() if _maybe(rng) else dead.name)
    b.field("2. Ngày, tháng, năm sinh", dead.dob)
    b.para(f"3. Giới tính: {dead.gender}    4. Dân tộc: {dead.ethnic}    5. Quốc tịch: Việt Nam")
    b.field("6. Số định danh cá nhân", dead.cid)
    b.field("7. Nơi cư trú cuối cùng", dead.address)
    b.field(
        "8. Thời gian chết",
        f"{rng.randint(0, 23):02d} giờ {rng.randint(0, 59):02d} phút, ngày {v.fmt_date(died)}",
    )
    b.field("9. Nơi chết", rng.choice(("Tại nhà", f"Bệnh viện đa khoa {v.in_province(tinh)}")))
    b.field("10. Nguyên nhân chết", rng.choice(("Già yếu", "Bệnh", "Tai nạn giao thông")))
    if _maybe(rng, 0.7):
        b.para(
            f"Giấy báo tử số {rng.randint(1, 300)}/GBT do "
            f"{rng.choice(('Trưởng Công an xã', 'Bệnh viện'))} cấp ngày {v.fmt_date(died)}"
        )
    b.add("Người đi đăng ký khai tử:", "bold", gap=0.3)
    b.field("Họ và tên", req.name)
    b.field(rng.choice(("Số CCCD", "Số định danh cá nhân")), req.cid)
    b.field("Nơi cư trú", req.address)
    b.field("Quan hệ với người chết", rng.choice(("Con đẻ", "Vợ", "Chồng", "Cháu nội")))
    b.para("Tôi cam đoan những nội dung khai trên đây là đúng sự thật.", gap=0.3)
    b.signature(place_date(rng, xa), "NGƯỜI ĐI ĐĂNG KÝ", "(Ký, ghi rõ họ, chữ đệm, tên)", req.name)
    truth = {
        "ho_ten": dead.name,
        "ngay_sinh": dead.dob,
        "gioi_tinh": dead.gender,
        "cccd": req.cid,
        "dia_chi": dead.address,
    }
    return b.build("to_khai_khai_tu", "TỜ KHAI ĐĂNG KÝ KHAI TỬ"), truth


def power_of_attorney(rng: random.Random) -> Labelled:
    """A personal power of attorney in the first person ("Tôi là ..."), with an
    optional signature certification by the commune."""
    xa, tinh = v.commune(rng), v.province(rng)
    a = v.person(rng, min_age=30, max_age=85, xa=xa, tinh=tinh)
    c = v.person(rng, min_age=20, max_age=60, family=a.name.split()[0])
    start = v.issue_date(rng)
    b = Builder().motto()
    b.title("GIẤY ỦY QUYỀN", gap=0.6)
    if _maybe(rng):
        b.add("(Về việc nộp hồ sơ và nhận kết quả thủ tục hành chính)", align="center")
    b.para(f"Tôi là: {a.name.upper()}    Giới tính: {a.gender}", gap=0.4)
    b.field("Sinh ngày", a.dob)
    issued = v.fmt_date(v.random_date(rng, date(2021, 1, 1), date(2024, 12, 31)))
    b.para(f"Số định danh cá nhân: {a.cid}, cấp ngày {issued}")
    b.field("Thường trú tại", a.address)
    b.para("Bằng giấy này, tôi ủy quyền cho:", gap=0.3)
    b.para(f"{c.honorific}: {c.name}, sinh ngày {c.dob}, CCCD số {c.cid}")
    b.field("Thường trú tại", c.address)
    relation = rng.choice(("con", "cháu", "em"))
    b.para(f"(là {relation} của tôi)")
    b.add("Nội dung ủy quyền:", "bold", gap=0.3)
    b.para(
        rng.choice(
            (
                "Thay tôi nộp hồ sơ, ký các giấy tờ liên quan và nhận Giấy chứng nhận quyền sử "
                "dụng đất tại bộ phận một cửa.",
                "Thay tôi làm thủ tục đăng ký khai tử, nhận trích lục và các giấy tờ kèm theo.",
                "Thay tôi nhận lương hưu, trợ cấp bảo hiểm xã hội hằng tháng.",
            )
        )
    )
    end = start + timedelta(days=rng.choice((30, 180, 365)))
    b.field("Thời hạn ủy quyền", f"từ ngày {v.fmt_date(start)} đến ngày {v.fmt_date(end)}")
    b.para(
        "Người được ủy quyền chỉ thực hiện trong phạm vi ủy quyền nêu trên. Tôi chịu "
        "trách nhiệm trước pháp luật về việc ủy quyền này."
    )
    b.add(f"{xa}, {v.long_date(start)}", align="right_half", gap=0.5)
    b.add("NGƯỜI ĐƯỢC ỦY QUYỀN          NGƯỜI ỦY QUYỀN", "bold", "center")
    b.add(f"{c.name}          {a.name}", "bold", "center", gap=2.0)
    if _maybe(rng, 0.6):
        b.add("CHỨNG THỰC CHỮ KÝ", "bold", "center", gap=0.5)
        b.para(
            f"Ngày {start.day:02d}/{start.month:02d}/{start.year}, tại Ủy ban nhân dân xã {xa}, "
            f"chứng thực ông/bà {a.name} đã ký vào giấy ủy quyền này trước mặt tôi."
        )
        b.para(f"Số chứng thực: {rng.randint(1, 900)}, quyển số {rng.randint(1, 9):02d}/SCT/CK")
    truth = {
        "ho_ten": a.name,
        "ngay_sinh": a.dob,
        "cccd": a.cid,
        "dia_chi": a.address,
    }
    return b.build("giay_uy_quyen", "GIẤY ỦY QUYỀN"), truth


def id_card(rng: random.Random) -> Labelled:
    """A certified photocopy of both sides of a citizen ID card with Vietnamese-only
    labels (2016 edition) or a chip card's back with its machine-readable zone."""
    p = v.person(rng, min_age=14, max_age=80)
    b = Builder()
    b.add("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", "center")
    b.add("Độc lập - Tự do - Hạnh phúc", "bold", "center")
    b.title("CĂN CƯỚC CÔNG DÂN", gap=0.3)
    b.field("Số", p.cid, gap=0.3)
    b.field("Họ và tên", p.name.upper())
    b.field("Ngày, tháng, năm sinh", p.dob)
    b.para(f"Giới tính: {p.gender}    Quốc tịch: Việt Nam")
    b.field("Quê quán", f"{v.hamlet(rng)}, {v.in_province(v.province(rng))}")
    b.field("Nơi thường trú", p.address)
    issued = v.random_date(rng, date(2016, 1, 1), date(2024, 6, 30))
    ages = [a for a in (25, 40, 60) if p.born.year + a > issued.year]
    expiry = f"{p.dob[:6]}{p.born.year + ages[0]}" if ages else "Không thời hạn"
    b.field("Có giá trị đến", expiry)
    b.field("Đặc điểm nhân dạng", rng.choice(("Sẹo chấm cách 1cm dưới mép trái", "Nốt ruồi")))
    b.para(f"Ngày {v.fmt_date(issued)}")
    b.add("CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "bold")
    if _maybe(rng):  # chip card: the machine-readable zone on the back
        born = p.born.strftime("%y%m%d")
        b.add(f"IDVNM{p.cid[3:]}{rng.randint(0, 9)}{p.cid}<<{rng.randint(0, 9)}", gap=0.3)
        b.add(f"{born}{rng.randint(0, 9)}{'M' if p.male else 'F'}{born}{rng.randint(0, 9)}VNM")
        family, *rest = _ascii_upper(p.name).split()
        b.add(f"{family}<<{'<'.join(rest)}<<<<<<<<")
    if _maybe(rng, 0.7):
        b.add("CHỨNG THỰC BẢN SAO ĐÚNG VỚI BẢN CHÍNH", "bold", gap=0.4)
        b.para(f"Số chứng thực: {rng.randint(1, 3000)}, quyển số {rng.randint(1, 9):02d}/SCT/BS")
        b.para(f"Ngày {v.fmt_date(v.issue_date(rng))}, Ủy ban nhân dân xã {v.commune(rng)}")
    truth = {
        "ho_ten": p.name,
        "ngay_sinh": p.dob,
        "gioi_tinh": p.gender,
        "cccd": p.cid,
        "dia_chi": p.address,
    }
    return b.build("can_cuoc", "CĂN CƯỚC CÔNG DÂN"), truth


def residence(rng: random.Random) -> Labelled:
    """The police form with numbered items (personal data, places of residence, head
    of household), issued at a citizen's request."""
    xa, tinh = v.commune(rng), v.province(rng)
    p = v.person(rng, min_age=16, max_age=85, xa=xa, tinh=tinh)
    head = p if _maybe(rng) else v.person(rng, min_age=35, max_age=85, xa=xa, tinh=tinh)
    b = Builder()
    b.add(f"CÔNG AN {v.in_province(tinh).upper()}", "bold")
    b.add(f"CÔNG AN XÃ {xa.upper()}", "bold")
    b.add(f"Số: {rng.randint(1, 2000)}/CT07" if _maybe(rng) else v.doc_number(rng, "XN-CAX"))
    b.motto(gap=0.3)
    b.title(
        rng.choice(("GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ")), gap=0.5
    )
    b.para(
        f"Theo đề nghị của công dân {p.name}, Công an xã {xa} xác nhận thông tin về cư "
        "trú như sau:",
        gap=0.4,
    )
    b.field("1. Họ, chữ đệm và tên", p.name.upper() if _maybe(rng) else p.name)
    b.field("2. Ngày, tháng, năm sinh", p.dob)
    b.field("3. Giới tính", p.gender)
    b.field("4. Số định danh cá nhân", p.cid)
    b.para(f"5. Dân tộc: {p.ethnic}    6. Tôn giáo: Không    7. Quốc tịch: Việt Nam")
    b.field("8. Nơi thường trú", p.address)
    n = 9
    if _maybe(rng):
        b.field(f"{n}. Nơi tạm trú", "Không")
        n += 1
    b.field(f"{n}. Nơi ở hiện tại", p.address)
    b.field(f"{n + 1}. Họ, chữ đệm và tên chủ hộ", head.name)
    relation = "Chủ hộ" if head is p else rng.choice(("Con", "Vợ", "Cháu"))
    b.field(f"{n + 2}. Quan hệ với chủ hộ", relation)
    if _maybe(rng, 0.6):
        b.para(
            "Thông tin trên được khai thác từ Cơ sở dữ liệu quốc gia về dân cư và Cơ sở dữ "
            "liệu về cư trú.",
            gap=0.3,
        )
    b.para(f"Giấy xác nhận có giá trị đến ngày {v.fmt_date(v.issue_date(rng))}.")
    b.signature(
        place_date(rng, xa),
        "TRƯỞNG CÔNG AN XÃ",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        v.full_name(rng, True),
    )
    truth = {
        "ho_ten": p.name,
        "ngay_sinh": p.dob,
        "gioi_tinh": p.gender,
        "cccd": p.cid,
        "dia_chi": p.address,
    }
    return b.build("giay_xac_nhan_cu_tru", "GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ"), truth


def land_registration(rng: random.Random) -> Labelled:
    """Form 04/ĐK as filled in at a land registration office: items numbered 1, 2, 3.1,
    3.2, ..., with a request box and a financial-obligation line."""
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=28, max_age=80, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    title = "ĐƠN ĐĂNG KÝ ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT"
    b = Builder()
    b.add("PHẦN GHI CỦA NGƯỜI NHẬN HỒ SƠ", "bold", align="right_half")
    b.add(f"Vào sổ tiếp nhận hồ sơ số: {rng.randint(1, 999)}", align="right_half")
    b.motto(gap=0.3)
    b.title(title, gap=0.5)
    b.para(
        rng.choice(
            (
                f"Kính gửi: Chi nhánh Văn phòng đăng ký đất đai khu vực {xa}",
                f"Kính gửi: Ủy ban nhân dân xã {xa}, {v.in_province(tinh)}",
            )
        ),
        gap=0.3,
    )
    b.add("1. Người sử dụng đất:", "bold", gap=0.3)
    b.field("Họ, chữ đệm và tên", owner.name.upper() if _maybe(rng) else owner.name)
    b.field("Năm sinh", str(owner.born.year))
    b.field("Số định danh cá nhân", owner.cid)
    b.field("Địa chỉ thường trú", owner.address)
    b.para("2. Đề nghị: Đăng ký quyền sử dụng đất [x]; Cấp Giấy chứng nhận [x]", gap=0.3)
    b.add("3. Thửa đất đăng ký:", "bold", gap=0.3)
    b.para(f"3.1. Thửa đất số: {thua}; 3.2. Tờ bản đồ số: {to};")
    b.para(f"3.3. Địa chỉ tại: {v.address(rng, xa, tinh)}")
    b.para(f"3.4. Diện tích: {dt}; sử dụng riêng: {dt}; sử dụng chung: không")
    b.para(f"3.5. Sử dụng vào mục đích: {rng.choice(LAND_USES)}")
    b.para(f"3.6. Thời hạn sử dụng: {rng.choice(('Lâu dài', 'Đến ngày 01/07/2064'))}")
    b.para(f"3.7. Nguồn gốc sử dụng: {rng.choice(ORIGINS)}")
    n = 4
    if _maybe(rng, 0.5):
        b.para(f"{n}. Nhà ở: nhà cấp 4, diện tích xây dựng {v.area(rng, 40, 120)} m²")
        n += 1
    b.para(f"{n}. Có nhu cầu ghi nợ nghĩa vụ tài chính: Không")
    b.para(
        "Tôi cam đoan nội dung kê khai trên đơn là đúng sự thật, nếu sai tôi hoàn toàn chịu "
        "trách nhiệm trước pháp luật.",
        gap=0.3,
    )
    b.signature(place_date(rng, xa), "NGƯỜI VIẾT ĐƠN", "(Ký, ghi rõ họ tên)", owner.name)
    truth = {
        "ho_ten": owner.name,
        "cccd": owner.cid,
        "dia_chi": owner.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
    }
    return b.build("don_dang_ky_dat_dai", title), truth


def land_certificate(rng: random.Random) -> Labelled:
    """The older one-plot certificate issued by a district: "CHỨNG NHẬN" a household,
    the plot in numbered items, the serial and register number at the foot."""
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=35, max_age=85, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    serial = gcn_serial(rng)
    b = Builder()
    b.add("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", "center")
    b.title("GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT", gap=0.5)
    b.add(f"ỦY BAN NHÂN DÂN {v.in_province(tinh).upper()}", "bold", "center", gap=0.3)
    b.add("CHỨNG NHẬN", "bold", "center")
    b.para(f"Hộ {owner.honorific.lower()}: {owner.name}, sinh năm {owner.born.year}", gap=0.3)
    b.para(f"Căn cước công dân số: {owner.cid}")
    b.field("Địa chỉ thường trú", owner.address)
    b.para("được quyền sử dụng thửa đất sau:", gap=0.2)
    b.para(f"1. Thửa đất số: {thua}    2. Tờ bản đồ số: {to}")
    b.para(f"3. Địa chỉ thửa đất: {v.address(rng, xa, tinh)}")
    b.para(f"4. Diện tích: {dt}")
    b.para("5. Hình thức sử dụng: Riêng")
    b.para(f"6. Mục đích sử dụng: {rng.choice(LAND_USES)}")
    b.para(f"7. Thời hạn sử dụng: {rng.choice(('Lâu dài', 'Đến năm 2063'))}")
    b.para(f"8. Nguồn gốc sử dụng: {rng.choice(ORIGINS)}")
    if _maybe(rng, 0.4):
        b.para("Ghi chú: Thửa đất có 100 m² đất ở, phần còn lại là đất trồng cây lâu năm.")
    b.signature(
        f"{tinh}, {v.long_date(v.issue_date(rng))}",
        "TM. ỦY BAN NHÂN DÂN",
        rng.choice(("CHỦ TỊCH", "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH")),
        v.full_name(rng, True),
    )
    b.para(f"Số vào sổ cấp giấy chứng nhận: H {rng.randint(1, 99999):05d}", gap=0.3)
    b.para(f"Số phát hành: {serial}")
    truth = {
        "ho_ten": owner.name,
        "cccd": owner.cid,
        "dia_chi": owner.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
        "so_giay_chung_nhan": serial,
    }
    return b.build("giay_chung_nhan_qsdd", "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"), truth


def cadastral_extract(rng: random.Random) -> Labelled:
    """An extract with its scale, a one-row plot table, boundary coordinates and edge
    lengths, signed by who drew it, who checked it and the director."""
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=30, max_age=85, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    b = Builder()
    b.add(f"SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG {tinh.upper()}", "bold")
    b.add("VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI", "bold")
    b.motto(gap=0.3)
    b.title("TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH", gap=0.5)
    b.add(
        f"Số: {rng.randint(1, 2000)}/TLBĐ    Tỷ lệ 1:{rng.choice((500, 1000, 2000))}",
        align="center",
    )
    b.para(f"Tờ bản đồ số: {to}    Thửa đất số: {thua}    Diện tích: {dt}", gap=0.4)
    b.para(f"Mục đích sử dụng: {rng.choice(('ONT', 'CLN', 'LUC', 'ODT'))}")
    b.field("Vị trí thửa đất", v.address(rng, xa, tinh))
    b.para(f"Tên người sử dụng đất: {owner.honorific} {owner.name.upper()}")
    b.field("Địa chỉ", owner.address)
    b.add("Bảng kê tọa độ góc thửa (hệ VN-2000):", "bold", gap=0.3)
    x0, y0 = rng.randint(1_100_000, 2_500_000), rng.randint(400_000, 650_000)
    for k in range(1, rng.randint(4, 6)):
        x = f"{x0 + rng.uniform(-40, 40):.2f}".replace(".", ",")
        y = f"{y0 + rng.uniform(-40, 40):.2f}".replace(".", ",")
        b.para(f"Điểm {k}: X = {x}; Y = {y}")
    edges = "; ".join(
        f"{k}-{k + 1}: {rng.uniform(5, 40):.2f} m".replace(".", ",") for k in range(1, 4)
    )
    b.para(f"Chiều dài cạnh thửa: {edges}")
    if _maybe(rng, 0.5):
        b.para("Thửa đất không có biến động so với hồ sơ địa chính đang lưu.")
    b.add(f"{xa}, {v.long_date(v.issue_date(rng))}", align="right_half", gap=0.5)
    b.add("NGƯỜI LẬP      NGƯỜI KIỂM TRA      GIÁM ĐỐC", "bold", "center")
    b.add(
        f"{v.full_name(rng, False)}   {v.full_name(rng, True)}   {v.full_name(rng, True)}",
        "bold",
        "center",
        gap=2.0,
    )
    truth = {
        "ho_ten": owner.name,
        "dia_chi": owner.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
    }
    return b.build("trich_luc_ban_do", "TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH"), truth


DECISIONS = (
    (
        "thu hồi đất để thực hiện dự án nâng cấp, mở rộng đường giao thông liên xã",
        "Thu hồi {dt} đất của {honor} {name}, sinh ngày {dob}, số định danh cá nhân {cid}, "
        "thường trú tại {addr}, tại thửa đất số {thua}, tờ bản đồ số {to}.",
    ),
    (
        "giao đất ở không thông qua đấu giá quyền sử dụng đất",
        "Giao cho {honor} {name}, sinh ngày {dob}, căn cước công dân số {cid}, cư trú tại "
        "{addr}, được sử dụng {dt} đất ở tại thửa đất số {thua}, tờ bản đồ số {to}.",
    ),
    (
        "xử phạt vi phạm hành chính trong lĩnh vực đất đai",
        "Xử phạt vi phạm hành chính đối với {honor} {name}, sinh ngày {dob}, số định danh cá "
        "nhân {cid}, nơi cư trú: {addr}, vì đã tự ý chuyển mục đích {dt} đất trồng lúa tại "
        "thửa đất số {thua}, tờ bản đồ số {to}.",
    ),
)


def decision(rng: random.Random) -> Labelled:
    """A provincial decision on land, "TM. ỦY BAN NHÂN DÂN" signature, recipients."""
    xa, tinh = v.commune(rng), v.province(rng)
    p = v.person(rng, min_age=28, max_age=80, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    subject, article = rng.choice(DECISIONS)
    day = v.issue_date(rng)
    issuer = rng.choice((f"ỦY BAN NHÂN DÂN {v.in_province(tinh).upper()}", f"UBND XÃ {xa.upper()}"))
    b = Builder()
    b.add(issuer, "bold")
    b.add(v.doc_number(rng, rng.choice(("QĐ-UBND", "QĐ-XPHC"))))
    b.motto(gap=0.3)
    if _maybe(rng):
        b.add(f"{tinh}, {v.long_date(day)}", align="right_half")
    b.title("QUYẾT ĐỊNH", gap=0.6)
    b.add(f"Về việc {subject}", "bold", "center")
    b.add(issuer, "bold", "center", gap=0.4)
    b.para("Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;", gap=0.3)
    b.para("Căn cứ Luật Đất đai năm 2024 và các văn bản hướng dẫn thi hành;")
    b.para(
        f"Theo đề nghị của {rng.choice(('Trưởng phòng Kinh tế', 'Công chức Địa chính - Xây dựng'))}"
        f" tại Tờ trình số {rng.randint(1, 500)}/TTr ngày {v.fmt_date(day - timedelta(days=7))}."
    )
    b.add("QUYẾT ĐỊNH:", "bold", "center", gap=0.3)
    body = article.format(
        honor=p.honorific.lower(),
        name=p.name,
        dob=p.dob,
        cid=p.cid,
        addr=p.address,
        dt=dt,
        thua=thua,
        to=to,
    )
    b.para(f"Điều 1. {body}", gap=0.2)
    b.para("Điều 2. Giao các cơ quan, đơn vị có liên quan tổ chức thực hiện Quyết định này.")
    b.para(f"Điều 3. Quyết định này có hiệu lực kể từ ngày {v.fmt_date(day)}.")
    if _maybe(rng, 0.6):
        b.add("Nơi nhận:", "bold", gap=0.4)
        b.add(f"- {p.honorific} {p.name};")
        b.add("- Lưu: VT, ĐC.")
    b.add("TM. ỦY BAN NHÂN DÂN", "bold", "right_half", gap=0.4)
    b.add(rng.choice(("CHỦ TỊCH", "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH")), "bold", "right_half")
    b.add(v.full_name(rng, _maybe(rng, 0.7)), "bold", "right_half", gap=2.0)
    truth = {
        "ho_ten": p.name,
        "ngay_sinh": p.dob,
        "cccd": p.cid,
        "dia_chi": p.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
    }
    return b.build("quyet_dinh", "QUYẾT ĐỊNH"), truth


#: Type code -> second training templates (training side only).
TEMPLATES: dict[str, tuple[TypedTemplate, ...]] = {
    "to_khai_khai_sinh": (birth_declaration,),
    "giay_chung_sinh": (birth_certificate,),
    "to_khai_xac_nhan_hon_nhan": (marital_status,),
    "to_khai_khai_tu": (death_registration,),
    "giay_uy_quyen": (power_of_attorney,),
    "can_cuoc": (id_card,),
    "giay_xac_nhan_cu_tru": (residence,),
    "don_dang_ky_dat_dai": (land_registration,),
    "giay_chung_nhan_qsdd": (land_certificate,),
    "trich_luc_ban_do": (cadastral_extract,),
    "quyet_dinh": (decision,),
}
