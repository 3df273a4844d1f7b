"""HOLD-OUT templates: other wording and layout for every document type.

Used only to *evaluate* classification and field extraction (tests, ``bench.classify``),
never to train.  Each returns the document and its field ground truth.
"""

from __future__ import annotations

import random
from datetime import date

from synth import vocab as v
from synth.content import Builder, Document
from synth.templates_typed import Labelled, TypedTemplate, gcn_serial, place_date, plot


def _tail(b: Builder, rng: random.Random, xa: str, role: str, name: str) -> None:
    b.signature(place_date(rng, xa), role, "(Ký và ghi rõ họ tên)", name)


def birth_declaration(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    req = v.person(rng, min_age=22, max_age=40, xa=xa, tinh=tinh)
    male = rng.random() < 0.5
    child = v.full_name(rng, male, req.name.split()[0])
    born = v.random_date(rng, date(2025, 5, 1), date(2026, 9, 30))
    b = Builder().motto()
    b.add("Mẫu TP/HT-2020-KS.1", align="right_half")
    b.title("TỜ KHAI ĐĂNG KÝ KHAI SINH", gap=0.3)
    b.add(f"Kính gửi: UBND xã {xa}, {v.in_province(tinh)}", align="center")
    b.add("PHẦN I. THÔNG TIN NGƯỜI YÊU CẦU", "bold", gap=0.5)
    b.field("Họ và tên", req.name)
    b.field("Số CCCD", req.cid)
    b.field("Địa chỉ cư trú", req.address)
    b.field("Số điện thoại", f"09{rng.randint(10_000_000, 99_999_999)}")
    b.add("PHẦN II. THÔNG TIN NGƯỜI ĐƯỢC KHAI SINH", "bold", gap=0.4)
    b.field("Họ và tên", child.upper())
    b.para(f"Giới tính: {'Nam' if male else 'Nữ'}    Ngày sinh: {v.fmt_date(born)}")
    b.field("Nơi sinh", f"Bệnh viện đa khoa {v.in_province(tinh)}")
    b.field("Dân tộc", req.ethnic)
    b.add("PHẦN III. THÔNG TIN CHA, MẸ", "bold", gap=0.4)
    b.para(f"Mẹ: {v.full_name(rng, False)}, năm sinh {req.born.year - rng.randint(0, 3)}")
    b.para(f"Cha: {v.full_name(rng, True, req.name.split()[0])}, năm sinh {req.born.year}")
    b.para("Tôi xin cam đoan những thông tin trên là đúng sự thật.", gap=0.3)
    _tail(b, rng, xa, "NGƯỜI KHAI", req.name)
    truth = {
        "ho_ten": child,
        "ngay_sinh": v.fmt_date(born),
        "gioi_tinh": "Nam" if male else "Nữ",
        "cccd": req.cid,
        "dia_chi": req.address,
    }
    return b.build("to_khai_khai_sinh", "TỜ KHAI ĐĂNG KÝ KHAI SINH"), truth


def birth_certificate(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    mother = v.person(rng, male=False, min_age=20, max_age=40, xa=xa, tinh=tinh)
    male = rng.random() < 0.5
    child = v.full_name(rng, male)
    born = v.random_date(rng, date(2025, 5, 1), date(2026, 9, 30))
    b = Builder()
    b.add(f"SỞ Y TẾ {v.in_province(tinh).upper()}", "bold")
    b.add(f"TRUNG TÂM Y TẾ KHU VỰC {xa.upper()}", "bold")
    b.motto(gap=0.3)
    b.title("GIẤY CHỨNG SINH", gap=0.5)
    b.add(f"Số: {rng.randint(1, 900)}/{rng.randint(2025, 2026)}", align="center")
    b.para(f"Mẹ: {mother.name}, sinh ngày {mother.dob}", gap=0.4)
    b.para(f"Số định danh cá nhân của mẹ: {mother.cid}")
    b.field("Nơi cư trú", mother.address)
    b.field("Ngày sinh của con", v.fmt_date(born))
    b.para(f"Giới tính: {'Nam' if male else 'Nữ'}; Cân nặng: {rng.randint(26, 40) / 10:.1f} kg")
    b.field("Tên dự kiến của trẻ", child)
    b.para("Tình trạng sức khỏe của trẻ khi sinh: Bình thường")
    _tail(b, rng, xa, "GIÁM ĐỐC", v.full_name(rng, True))
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
    title = "TỜ KHAI ĐỀ NGHỊ CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"
    b = Builder().motto()
    b.title(title)
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}", align="center", gap=0.3)
    b.add("Thông tin người cần xác nhận tình trạng hôn nhân:", "bold", gap=0.4)
    b.field("1. Họ và tên", who.name)
    b.field("2. Ngày sinh", who.dob)
    b.field("3. Giới tính", who.gender)
    b.field("4. Số định danh cá nhân", who.cid)
    b.field("5. Nơi thường trú", who.address)
    b.field("6. Tình trạng hôn nhân hiện nay", rng.choice(("Độc thân", "Đã ly hôn", "Góa")))
    b.field("7. Mục đích sử dụng", rng.choice(("Kết hôn", "Mua bán nhà đất", "Vay vốn")))
    b.para("Người yêu cầu đồng thời là người cần xác nhận.", gap=0.3)
    _tail(b, rng, xa, "NGƯỜI ĐỀ NGHỊ", who.name)
    truth = {
        "ho_ten": who.name,
        "ngay_sinh": who.dob,
        "gioi_tinh": who.gender,
        "cccd": who.cid,
        "dia_chi": who.address,
    }
    return b.build("to_khai_xac_nhan_hon_nhan", title), truth


def death_registration(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    dead = v.person(rng, min_age=50, max_age=95, xa=xa, tinh=tinh)
    req = v.person(rng, min_age=25, max_age=65, xa=xa, tinh=tinh)
    b = Builder().motto()
    b.title("TỜ KHAI ĐĂNG KÝ KHAI TỬ")
    b.add(f"Kính gửi: UBND xã {xa}", align="center", gap=0.3)
    b.add("A. Người đi khai tử", "bold", gap=0.4)
    b.para(f"Họ và tên: {req.name}; CCCD: {req.cid}")
    b.field("Nơi ở", req.address)
    b.add("B. Thông tin người đã mất", "bold", gap=0.4)
    b.field("Họ và tên người mất", dead.name.upper())
    b.para(f"Sinh ngày: {dead.dob}; Giới tính: {dead.gender}; Dân tộc: {dead.ethnic}")
    b.field("Nơi thường trú", dead.address)
    b.para(f"Mất ngày {v.fmt_date(v.issue_date(rng))} tại nhà riêng, do bệnh.")
    _tail(b, rng, xa, "NGƯỜI ĐI KHAI", req.name)
    truth = {
        "ho_ten": dead.name,
        "ngay_sinh": dead.dob,
        "gioi_tinh": dead.gender,
        "cccd": req.cid,
        "dia_chi": dead.address,
    }
    return b.build("to_khai_khai_tu", "TỜ KHAI ĐĂNG KÝ KHAI TỬ"), truth


def power_of_attorney(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    a = v.person(rng, min_age=30, max_age=80, xa=xa, tinh=tinh)
    c = v.person(rng, min_age=20, max_age=60)
    b = Builder().motto()
    b.title("GIẤY ỦY QUYỀN")
    b.para(f"Hôm nay, {v.long_date(v.issue_date(rng))}, chúng tôi gồm có:", gap=0.5)
    for head, p in (("Người ủy quyền", a), ("Người được ủy quyền", c)):
        b.add(f"{head}:", "bold", gap=0.3)
        b.para(f"{p.honorific}: {p.name}    Sinh ngày: {p.dob}")
        b.para(f"CCCD số: {p.cid}")
        b.field("Địa chỉ", p.address)
    b.para(
        "Nội dung ủy quyền: người được ủy quyền thay mặt người ủy quyền nộp hồ sơ và nhận "
        f"kết quả thủ tục hành chính tại Trung tâm Phục vụ hành chính công xã {xa}.",
        gap=0.3,
    )
    b.para("Thời hạn ủy quyền: 06 tháng kể từ ngày ký.")
    _tail(b, rng, xa, "NGƯỜI ỦY QUYỀN", a.name)
    truth = {
        "ho_ten": a.name,
        "ngay_sinh": a.dob,
        "cccd": a.cid,
        "dia_chi": a.address,
    }
    return b.build("giay_uy_quyen", "GIẤY ỦY QUYỀN"), truth


def id_card(rng: random.Random) -> Labelled:
    p = v.person(rng, min_age=14, max_age=80)
    b = Builder()
    b.add("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", "center")
    b.add("Độc lập - Tự do - Hạnh phúc", align="center")
    b.title("CĂN CƯỚC", gap=0.3)
    b.add("IDENTITY CARD", align="center")
    b.field("Số định danh cá nhân/Personal identification number", p.cid, gap=0.3)
    b.field("Họ, chữ đệm và tên khai sinh/Full name", p.name.upper())
    b.field("Ngày, tháng, năm sinh/Date of birth", p.dob)
    b.para(f"Giới tính/Sex: {p.gender}    Quốc tịch/Nationality: Việt Nam")
    b.field("Nơi cư trú/Place of residence", p.address, gap=0.6)
    b.field("Nơi đăng ký khai sinh/Place of birth", f"{v.in_province(v.province(rng))}")
    b.field("Ngày cấp/Date of issue", v.fmt_date(v.issue_date(rng)))
    b.add("BỘ CÔNG AN", "bold")
    b.add("MINISTRY OF PUBLIC SECURITY")
    truth = {
        "ho_ten": p.name,
        "ngay_sinh": p.dob,
        "gioi_tinh": p.gender,
        "cccd": p.cid,
        "dia_chi": p.address,
    }
    return b.build("can_cuoc", "CĂN CƯỚC"), truth


def residence(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    p = v.person(rng, min_age=18, max_age=80, xa=xa, tinh=tinh)
    b = Builder()
    b.add(f"CÔNG AN XÃ {xa.upper()}", "bold")
    b.add(f"Số: {rng.randint(1, 900)}/XN", gap=0.2)
    b.motto(gap=0.3)
    b.title("XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ")
    b.para("Căn cứ Luật Cư trú năm 2020; xét đề nghị của công dân,", gap=0.4)
    b.para(f"Công an xã {xa} xác nhận:")
    b.para(f"Ông/Bà: {p.name}")
    b.para(f"Sinh ngày: {p.dob}    Giới tính: {p.gender}")
    b.para(f"Số định danh cá nhân: {p.cid}")
    b.para(f"Hiện đang thường trú tại: {p.address}")
    b.para("Thông tin về chủ hộ: Bản thân là chủ hộ.")
    b.para("Văn bản này có giá trị 30 ngày kể từ ngày ký.", gap=0.3)
    _tail(b, rng, xa, "TRƯỞNG CÔNG AN XÃ", v.full_name(rng, True))
    truth = {
        "ho_ten": p.name,
        "ngay_sinh": p.dob,
        "gioi_tinh": p.gender,
        "cccd": p.cid,
        "dia_chi": p.address,
    }
    return b.build("giay_xac_nhan_cu_tru", "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ"), truth


def land_registration(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=30, max_age=75, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    title = "ĐƠN ĐĂNG KÝ, CẤP GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"
    b = Builder().motto()
    b.add("Mẫu số 04/ĐK", align="right_half")
    b.title(title, gap=0.3)
    b.add(f"Kính gửi: Văn phòng đăng ký đất đai {v.in_province(tinh)}", align="center")
    b.add("PHẦN KÊ KHAI CỦA NGƯỜI ĐĂNG KÝ", "bold", gap=0.4)
    b.para(f"Người sử dụng đất: {owner.honorific} {owner.name}; năm sinh: {owner.born.year}")
    b.field("Số CCCD", owner.cid)
    b.field("Nơi thường trú", owner.address)
    b.add("Thông tin thửa đất", "bold", gap=0.3)
    b.para(f"Thửa số: {thua}; Tờ bản đồ số: {to}; Diện tích (m²): {dt.removesuffix(' m²')}")
    b.para(f"Vị trí thửa đất: {v.address(rng, xa, tinh)}")
    b.para("Nguồn gốc: Nhận thừa kế từ cha mẹ, sử dụng ổn định, không tranh chấp.")
    b.para("Đề nghị được cấp Giấy chứng nhận quyền sử dụng đất đối với thửa đất trên.", gap=0.3)
    _tail(b, rng, xa, "NGƯỜI ĐĂNG KÝ", owner.name)
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
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, min_age=30, max_age=80, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    serial = gcn_serial(rng)
    title = "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU TÀI SẢN GẮN LIỀN VỚI ĐẤT"
    b = Builder()
    b.add("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", "center")
    b.title(title, gap=0.3)
    b.field("Số phát hành (Serial)", serial, gap=0.3)
    b.add("1. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất:", "bold", gap=0.3)
    b.para(f"{owner.honorific}: {owner.name.upper()}; năm sinh: {owner.born.year}")
    b.para(f"Số định danh cá nhân: {owner.cid}")
    b.field("Địa chỉ", owner.address)
    b.add("2. Thông tin thửa đất:", "bold", gap=0.3)
    b.para(f"Thửa đất số {thua}, tờ bản đồ số {to}, diện tích {dt}")
    b.para(f"Loại đất: {rng.choice(('ONT', 'LUC', 'CLN'))}; thời hạn sử dụng: lâu dài")
    b.para("3. Tài sản gắn liền với đất: không")
    b.signature(
        f"{tinh}, {v.long_date(v.issue_date(rng))}",
        "TM. ỦY BAN NHÂN DÂN TỈNH",
        "KT. CHỦ TỊCH - PHÓ CHỦ TỊCH",
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
    b.add(f"CHI NHÁNH VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI KHU VỰC {xa.upper()}", "bold")
    b.motto(gap=0.3)
    b.title("TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH THỬA ĐẤT")
    b.add(f"(Số trích lục: {rng.randint(1, 900)}/{rng.randint(2025, 2026)})", align="center")
    b.para(f"Thửa đất số: {thua}    Tờ bản đồ số: {to}", gap=0.4)
    b.para(f"Diện tích: {dt}    Loại đất: ONT")
    b.para(f"Người sử dụng đất: {owner.honorific} {owner.name}")
    b.field("Địa chỉ người sử dụng đất", owner.address)
    b.para(f"Địa chỉ thửa đất: {v.address(rng, xa, tinh)}")
    b.para("Trích lục này chỉ có giá trị khi có dấu của cơ quan cung cấp.", gap=0.3)
    _tail(b, rng, xa, "NGƯỜI TRÍCH LỤC", v.full_name(rng, rng.random() < 0.5))
    truth = {
        "ho_ten": owner.name,
        "dia_chi": owner.address,
        "so_thua": thua,
        "so_to_ban_do": to,
        "dien_tich": dt,
    }
    return b.build("trich_luc_ban_do", "TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH THỬA ĐẤT"), truth


def decision(rng: random.Random) -> Labelled:
    xa, tinh = v.commune(rng), v.province(rng)
    p = v.person(rng, min_age=30, max_age=70, xa=xa, tinh=tinh)
    thua, to, dt = plot(rng)
    b = Builder()
    b.add(f"UBND XÃ {xa.upper()}", "bold")
    b.add(v.doc_number(rng, "QĐ-UBND"))
    b.motto(gap=0.3)
    b.title("QUYẾT ĐỊNH", gap=0.5)
    b.add("Về việc cho phép chuyển mục đích sử dụng đất", "bold", "center")
    b.add(f"ỦY BAN NHÂN DÂN XÃ {xa.upper()}", "bold", "center", gap=0.4)
    b.para("Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;", gap=0.3)
    b.para(f"Xét đơn đề nghị của {p.honorific.lower()} {p.name} và hồ sơ kèm theo,")
    b.add("QUYẾT ĐỊNH:", "bold", "center", gap=0.3)
    b.para(
        f"Điều 1. Cho phép {p.honorific.lower()} {p.name}, sinh ngày {p.dob}, căn cước số "
        f"{p.cid}, thường trú tại {p.address}, được chuyển mục đích sử dụng {dt} đất trồng "
        f"cây lâu năm sang đất ở tại thửa đất số {thua}, tờ bản đồ số {to}.",
        gap=0.3,
    )
    b.para("Điều 2. Người sử dụng đất có trách nhiệm nộp tiền sử dụng đất theo quy định.")
    b.para("Điều 3. Quyết định này có hiệu lực kể từ ngày ký.")
    b.add("CHỦ TỊCH", "bold", "right_half", gap=0.4)
    b.add(v.full_name(rng, True), "bold", "right_half", gap=2.0)
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


def other(rng: random.Random) -> Labelled:
    xa = v.commune(rng)
    title = rng.choice(("THÔNG BÁO", "BIÊN BẢN HỌP THÔN"))
    b = Builder()
    b.add(f"ỦY BAN NHÂN DÂN XÃ {xa.upper()}", "bold")
    b.motto(gap=0.3)
    b.title(title)
    b.para(
        rng.choice(
            (
                f"Về việc lịch tiếp công dân tháng {rng.randint(1, 12)} của lãnh đạo xã {xa}.",
                f"Hôm nay tại nhà văn hóa {v.hamlet(rng)}, xã {xa}, tiến hành họp thôn.",
            )
        ),
        gap=0.4,
    )
    b.para(
        "Thành phần gồm đại diện chi bộ, ban công tác mặt trận và các hộ gia đình trong thôn. "
        "Nội dung: triển khai kế hoạch vệ sinh môi trường, phòng chống dịch bệnh và thu các "
        "khoản đóng góp tự nguyện của nhân dân."
    )
    b.para(f"Người chủ trì: {v.full_name(rng, True)}; thư ký: {v.full_name(rng, False)}.")
    _tail(b, rng, xa, "CHỦ TRÌ", v.full_name(rng, True))
    return b.build("khac", title), {}


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
    "khac": (other,),
}

__all__ = ["TEMPLATES", "Document"]
