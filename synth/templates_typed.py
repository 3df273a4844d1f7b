"""Training-side templates for document types that the page generator does not draw.

Used only by ``classify.training`` (not registered in :mod:`synth.content`, so the
scanned-page generator is unchanged).  Each template returns the document and the
ground truth of its fields (canonical keys of ``classify.fields``).  The held-out
templates with different wording and layout live in :mod:`synth.templates_holdout`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from synth import vocab as v
from synth.content import Builder, Document

Fields = dict[str, str]
Labelled = tuple[Document, Fields]
TypedTemplate = Callable[[random.Random], Labelled]

SERIES = ("AĐ", "BX", "CS", "DĐ", "CH", "AK", "BT")


def place_date(rng: random.Random, xa: str) -> str:
    return f"{rng.choice(('', 'Xã '))}{xa}, {v.long_date(v.issue_date(rng))}"


def plot(rng: random.Random) -> tuple[str, str, str]:
    """(plot number, map sheet number, area with unit)."""
    return str(rng.randint(1, 1200)), str(rng.randint(1, 80)), f"{v.area(rng)} m²"


def gcn_serial(rng: random.Random) -> str:
    return f"{rng.choice(SERIES)} {rng.randint(0, 999_999):06d}"


def birth_certificate(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    mother = v.person(rng, male=False, min_age=20, max_age=40, xa=xa, tinh=tinh)
    male = rng.random() < 0.5
    child = v.full_name(rng, male)
    born = v.random_date(rng, date(2025, 5, 1), date(2026, 9, 30))
    b = Builder()
    b.add(rng.choice((f"TRẠM Y TẾ XÃ {xa.upper()}", f"BỆNH VIỆN ĐA KHOA {tinh.upper()}")), "bold")
    b.add(f"Số: {rng.randint(1, 900)}/GCS")
    b.motto(gap=0.3)
    b.title("GIẤY CHỨNG SINH")
    b.field("Họ và tên mẹ/Người nuôi dưỡng", mother.name, gap=0.5)
    b.field("Năm sinh", str(mother.born.year))
    b.field(rng.choice(("Số CCCD/Hộ chiếu", "Số định danh cá nhân")), mother.cid)
    b.field(rng.choice(("Nơi đăng ký thường trú", "Nơi cư trú")), mother.address)
    b.field("Dân tộc", mother.ethnic)
    hour = f"{rng.randint(0, 23):02d} giờ {rng.randint(0, 59):02d} phút"
    b.field("Đã sinh con vào lúc", f"{hour}, {v.long_date(born)}")
    b.field("Tại", f"Trạm y tế xã {xa}, {v.in_province(tinh)}")
    b.field("Số con trong lần sinh này", "01")
    b.field("Giới tính của con", "Nam" if male else "Nữ")
    b.field("Cân nặng", f"{rng.randint(26, 40) * 100} gram")
    b.field("Dự định đặt tên con", child)
    b.signature(place_date(rng, xa), "NGƯỜI ĐỠ ĐẺ", "(Ký, ghi rõ họ tên)", v.full_name(rng, False))
    truth = {
        "ho_ten": child,
        "ngay_sinh": v.fmt_date(born),
        "gioi_tinh": "Nam" if male else "Nữ",
        "cccd": mother.cid,
        "dia_chi": mother.address,
    }
    return b.build("giay_chung_sinh", "GIẤY CHỨNG SINH"), truth


def marital_status(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    who = v.person(rng, min_age=20, max_age=60, xa=xa, tinh=tinh)
    requester = who if rng.random() < 0.5 else v.person(rng, min_age=25, max_age=70)
    title = "TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    b = Builder().motto()
    b.title(title)
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}", align="center", gap=0.4)
    b.field("Họ, chữ đệm, tên người yêu cầu", requester.name, gap=0.5)
    b.field("Nơi cư trú", requester.address)
    b.field("Giấy tờ tùy thân", f"Căn cước công dân số {requester.cid}")
    rel = "Bản thân" if requester is who else rng.choice(("Cha", "Mẹ", "Anh", "Chị"))
    b.field("Quan hệ với người được cấp Giấy xác nhận tình trạng hôn nhân", rel)
    b.para("Đề nghị cấp Giấy xác nhận tình trạng hôn nhân cho người có tên dưới đây:", gap=0.3)
    b.field("Họ, chữ đệm, tên", who.name.upper() if rng.random() < 0.5 else who.name)
    b.field("Ngày, tháng, năm sinh", who.dob)
    b.field("Giới tính", who.gender)
    b.para(f"Dân tộc: {who.ethnic}; Quốc tịch: Việt Nam")
    b.field("Nơi cư trú", who.address)
    b.field("Số định danh cá nhân", who.cid)
    b.field("Tình trạng hôn nhân", rng.choice(("Chưa kết hôn với ai", "Đã ly hôn")))
    b.field(
        "Mục đích sử dụng Giấy xác nhận tình trạng hôn nhân",
        rng.choice(("Để đăng ký kết hôn", "Để bổ sung hồ sơ vay vốn", "Để làm thủ tục xuất cảnh")),
    )
    b.para("Tôi cam đoan những nội dung khai trên đây là đúng sự thật.", gap=0.3)
    b.signature(place_date(rng, xa), "NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ tên)", requester.name)
    truth = {
        "ho_ten": who.name,
        "ngay_sinh": who.dob,
        "gioi_tinh": who.gender,
        "cccd": requester.cid,
        "dia_chi": who.address,
    }
    return b.build("to_khai_xac_nhan_hon_nhan", title), truth


def death_registration(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    dead = v.person(rng, min_age=50, max_age=95, xa=xa, tinh=tinh)
    req = v.person(rng, min_age=25, max_age=65, xa=xa, tinh=tinh)
    b = Builder().motto()
    b.title("TỜ KHAI ĐĂNG KÝ KHAI TỬ")
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}", align="center", gap=0.4)
    b.field("Họ, chữ đệm, tên người yêu cầu", req.name, gap=0.5)
    b.field("Nơi cư trú", req.address)
    b.para(f"Giấy tờ tùy thân: Căn cước công dân số {req.cid}")
    b.field("Quan hệ với người đã chết", rng.choice(("Con", "Vợ", "Chồng", "Cháu")))
    b.para("Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:", gap=0.3)
    b.field("Họ, chữ đệm, tên", dead.name)
    b.field("Ngày, tháng, năm sinh", dead.dob)
    b.field("Giới tính", dead.gender)
    b.para(f"Dân tộc: {dead.ethnic}; Quốc tịch: Việt Nam")
    b.field("Nơi cư trú cuối cùng", dead.address)
    b.field("Số định danh cá nhân", dead.cid)
    died = v.issue_date(rng)
    b.field("Đã chết vào lúc", f"{rng.randint(0, 23):02d} giờ, {v.long_date(died)}")
    b.field("Nơi chết", rng.choice(("Tại nhà riêng", f"Trạm y tế xã {xa}")))
    b.field("Nguyên nhân chết", rng.choice(("Bệnh già", "Bệnh hiểm nghèo", "Tai nạn")))
    b.signature(place_date(rng, xa), "NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ tên)", req.name)
    truth = {
        "ho_ten": dead.name,
        "ngay_sinh": dead.dob,
        "gioi_tinh": dead.gender,
        "cccd": req.cid,
        "dia_chi": dead.address,
    }
    return b.build("to_khai_khai_tu", "TỜ KHAI ĐĂNG KÝ KHAI TỬ"), truth


def id_card(rng: random.Random) -> Labelled:
    p = v.person(rng, min_age=16, max_age=80)
    b = Builder()
    b.add("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", "center")
    b.add("SOCIALIST REPUBLIC OF VIET NAM", align="center")
    b.add("Độc lập - Tự do - Hạnh phúc", align="center")
    b.add("Independence - Freedom - Happiness", align="center")
    b.title("CĂN CƯỚC CÔNG DÂN", gap=0.4)
    b.add("Citizen Identity Card", align="center")
    b.field("Số / No.", p.cid, gap=0.4)
    b.field("Họ và tên / Full name", p.name.upper())
    b.field("Ngày sinh / Date of birth", p.dob)
    b.para(f"Giới tính / Sex: {p.gender}   Quốc tịch / Nationality: Việt Nam")
    b.field("Quê quán / Place of origin", f"xã {v.commune(rng)}, {v.in_province(v.province(rng))}")
    b.field("Nơi thường trú / Place of residence", p.address)
    b.field("Có giá trị đến / Date of expiry", f"{p.dob[:6]}{p.born.year + 40}")
    b.field("Đặc điểm nhân dạng / Personal identification", "Nốt ruồi cách 2cm trên đầu mày phải")
    b.para(f"Ngày, tháng, năm / Date, month, year: {v.fmt_date(v.issue_date(rng))}", gap=0.4)
    b.add("CỤC TRƯỞNG CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "bold")
    b.add("DIRECTOR GENERAL OF THE POLICE DEPARTMENT FOR ADMINISTRATIVE MANAGEMENT")
    truth = {
        "ho_ten": p.name,
        "ngay_sinh": p.dob,
        "gioi_tinh": p.gender,
        "cccd": p.cid,
        "dia_chi": p.address,
    }
    return b.build("can_cuoc", "CĂN CƯỚC CÔNG DÂN"), truth


def land_certificate(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=30, max_age=80, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    serial = gcn_serial(rng)
    title = "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT"
    b = Builder().motto()
    b.title(title)
    b.add(
        "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất", "bold", gap=0.5
    )
    b.para(f"{owner.honorific} {owner.name}, sinh năm {owner.born.year}")
    b.para(f"CCCD số: {owner.cid}")
    b.field("Địa chỉ thường trú", owner.address)
    b.add("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "bold", gap=0.4)
    b.para(f"1. Thửa đất: a) Thửa đất số: {thua}, tờ bản đồ số: {to}")
    b.para(f"b) Địa chỉ: {v.address(rng, xa, tinh)}")
    b.para(f"c) Diện tích: {dt} (bằng chữ: {rng.choice(('một', 'hai', 'ba'))} trăm mét vuông)")
    b.para("d) Hình thức sử dụng: Sử dụng riêng")
    b.para(f"đ) Mục đích sử dụng: {rng.choice(('Đất ở tại nông thôn', 'Đất trồng lúa'))}")
    b.para("e) Thời hạn sử dụng: Lâu dài")
    b.para(f"Giấy chứng nhận số: {serial}", gap=0.4)
    b.para(f"Số vào sổ cấp GCN: CS {rng.randint(1, 9999):05d}")
    b.signature(
        f"{tinh}, {v.long_date(v.issue_date(rng))}",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        v.full_name(rng, True),
    )
    truth = {
        "ho_ten": owner.name,
        "cccd": owner.cid,
        "dia_chi": owner.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
        "so_giay_chung_nhan": serial,
    }
    return b.build("giay_chung_nhan_qsdd", title), truth


def cadastral_extract(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=30, max_age=80, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    b = Builder()
    b.add(f"VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI {v.in_province(tinh).upper()}", "bold")
    b.add(f"Số: {rng.randint(1, 900)}/TL")
    b.motto(gap=0.3)
    b.title("TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH")
    b.para(f"1. Số thứ tự thửa đất: {thua}; Tờ bản đồ số: {to}", gap=0.5)
    b.para(f"Địa chỉ thửa đất: {v.address(rng, xa, tinh)}")
    b.para(f"2. Diện tích: {dt}")
    b.para(f"3. Mục đích sử dụng đất: {rng.choice(('Đất ở tại nông thôn', 'Đất trồng lúa'))}")
    b.para("4. Thời hạn sử dụng đất: Lâu dài")
    b.para(f"5. Tên người sử dụng đất: {owner.honorific} {owner.name}")
    b.para(f"Địa chỉ thường trú: {owner.address}")
    b.para("6. Các thay đổi của thửa đất so với giấy tờ pháp lý về quyền sử dụng đất: Không")
    b.para("7. Bản vẽ thửa đất: (sơ đồ kèm theo, tỷ lệ 1/1000)")
    b.signature(
        f"{xa}, {v.long_date(v.issue_date(rng))}",
        "GIÁM ĐỐC",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        v.full_name(rng, True),
    )
    truth = {
        "ho_ten": owner.name,
        "dia_chi": owner.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
    }
    return b.build("trich_luc_ban_do", "TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH"), truth


def invitation(rng: random.Random) -> Labelled:
    """Something else: an invitation to a hamlet meeting (type ``khac``)."""
    xa = v.commune(rng)
    b = Builder()
    b.add(f"ỦY BAN NHÂN DÂN XÃ {xa.upper()}", "bold")
    b.add(v.doc_number(rng, "GM-UBND"))
    b.motto(gap=0.3)
    b.title("GIẤY MỜI")
    b.para(f"Ủy ban nhân dân xã {xa} trân trọng kính mời:", gap=0.4)
    b.para(f"{rng.choice(('Ông', 'Bà'))} {v.full_name(rng, rng.random() < 0.5)}")
    b.para(
        rng.choice(
            (
                "Đến dự hội nghị tuyên truyền phổ biến pháp luật về đất đai năm {y}.",
                "Đến dự buổi đối thoại giữa lãnh đạo xã với nhân dân năm {y}.",
                "Đến dự hội nghị tổng kết phong trào toàn dân đoàn kết xây dựng đời sống "
                "văn hóa {y}.",
            )
        ).format(y=v.issue_date(rng).year)
    )
    b.para(f"Thời gian: 08 giờ 00 phút, {v.long_date(v.issue_date(rng))}")
    b.para(f"Địa điểm: Hội trường Ủy ban nhân dân xã {xa}")
    b.para("Rất mong được sự quan tâm tham dự.")
    b.signature(place_date(rng, xa), "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", v.full_name(rng, True))
    return b.build("khac", "GIẤY MỜI"), {}


#: Type code -> templates with ground truth (training side only).
TEMPLATES: dict[str, tuple[TypedTemplate, ...]] = {
    "giay_chung_sinh": (birth_certificate,),
    "to_khai_xac_nhan_hon_nhan": (marital_status,),
    "to_khai_khai_tu": (death_registration,),
    "can_cuoc": (id_card,),
    "giay_chung_nhan_qsdd": (land_certificate,),
    "trich_luc_ban_do": (cadastral_extract,),
    "khac": (invitation,),
}
