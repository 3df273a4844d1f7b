"""Civil-status and residence templates: birth registration, residence
confirmation, marriage registration and a generic citizen petition."""

from __future__ import annotations

import random
from datetime import date

from synth import vocab as v
from synth.content import Builder, Document, Template


def _place_date(rng: random.Random, xa: str) -> str:
    prefix = rng.choice(("", "Xã ", "Làm tại: xã "))
    return f"{prefix}{xa}, {v.long_date(v.issue_date(rng))}"


def _id_line(rng: random.Random, p: v.Person) -> str:
    issued = v.fmt_date(v.random_date(rng, date(2021, 1, 1), date(2024, 12, 31)))
    label = rng.choice(("Căn cước công dân số", "Thẻ căn cước số", "Số định danh cá nhân"))
    if label == "Số định danh cá nhân":
        return f"{label}: {p.cid}"
    return f"Giấy tờ tùy thân: {label} {p.cid}, cấp ngày {issued}"


def birth_registration(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    family = rng.choice(v.FAMILY_NAMES)
    father = v.person(rng, male=True, family=family, min_age=22, max_age=40, xa=xa, tinh=tinh)
    mother = v.person(rng, male=False, min_age=20, max_age=38, xa=xa, tinh=tinh)
    child_male = rng.random() < 0.5
    child_name = v.full_name(rng, child_male, family)
    child_born = v.random_date(rng, date(2025, 5, 1), date(2026, 9, 30))
    applicant = rng.choice((father, mother))
    b = Builder().motto()
    b.title("TỜ KHAI ĐĂNG KÝ KHAI SINH")
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}", align="center", gap=0.4)
    b.field("Họ, chữ đệm, tên người yêu cầu", applicant.name, gap=0.6)
    b.field("Nơi cư trú", applicant.address)
    b.para(_id_line(rng, applicant))
    b.field("Quan hệ với người được khai sinh", "Cha" if applicant is father else "Mẹ")
    b.para("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:", gap=0.3)
    upper = rng.random() < 0.6
    b.field("Họ, chữ đệm, tên", child_name.upper() if upper else child_name)
    b.field("Ngày, tháng, năm sinh", v.fmt_date(child_born))
    if rng.random() < 0.5:
        b.para(
            f"Giới tính: {'Nam' if child_male else 'Nữ'}, dân tộc: {father.ethnic}, "
            "quốc tịch: Việt Nam"
        )
    else:
        b.field("Giới tính", "Nam" if child_male else "Nữ")
        b.field("Dân tộc", father.ethnic)
        b.field("Quốc tịch", "Việt Nam")
    b.field(
        "Nơi sinh",
        rng.choice(
            (
                f"Trạm y tế xã {xa}, {v.in_province(tinh)}",
                f"Bệnh viện đa khoa {v.in_province(tinh)}",
                f"Trung tâm y tế khu vực {xa}, {v.in_province(tinh)}",
            )
        ),
    )
    b.field("Quê quán", f"xã {v.commune(rng)}, {v.in_province(v.province(rng))}")
    for role, p in (("mẹ", mother), ("cha", father)):
        b.field(f"Họ, chữ đệm, tên người {role}", p.name, gap=0.3)
        b.para(f"Năm sinh: {p.born.year}; Dân tộc: {p.ethnic}; Quốc tịch: Việt Nam")
        b.field("Nơi cư trú", p.address)
    b.para(
        "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, "
        "được sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật "
        "và chịu trách nhiệm trước pháp luật về cam đoan của mình.",
        gap=0.4,
    )
    b.para(f"Đề nghị cấp bản sao Trích lục khai sinh: Có, số lượng: {rng.randint(1, 3):02d} bản")
    b.signature(
        _place_date(rng, xa), "NGƯỜI YÊU CẦU", "(Ký, ghi rõ họ, chữ đệm, tên)", applicant.name
    )
    return b.build("khai_sinh", "TỜ KHAI ĐĂNG KÝ KHAI SINH")


def residence_confirmation(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    head = v.person(rng, xa=xa, tinh=tinh, min_age=30, max_age=70)
    b = Builder()
    b.add(f"CÔNG AN {v.in_province(tinh).upper()}", "bold")
    b.add(f"CÔNG AN XÃ {xa.upper()}", "bold")
    b.add(v.doc_number(rng, "XNCT"))
    b.motto(gap=0.5)
    b.title("GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ")
    b.para(f"Công an xã {xa} xác nhận thông tin về cư trú của công dân như sau:", gap=0.5)
    b.field("Họ, chữ đệm và tên", head.name.upper() if rng.random() < 0.5 else head.name)
    b.field("Ngày, tháng, năm sinh", head.dob)
    b.field("Giới tính", head.gender)
    b.field("Số định danh cá nhân", head.cid)
    b.field("Nơi thường trú", head.address)
    b.field("Nơi ở hiện tại", head.address if rng.random() < 0.7 else v.address(rng, xa, tinh))
    b.field("Họ, chữ đệm và tên chủ hộ", head.name)
    b.field("Quan hệ với chủ hộ", "Chủ hộ")
    b.para("Thông tin về các thành viên trong hộ gia đình:", gap=0.3)
    family = head.name.split()[0]
    for i in range(rng.randint(2, 4)):
        rel = rng.choice(v.RELATIVES)
        male = rel in ("Chồng", "Cha") or (rel not in ("Vợ", "Mẹ") and rng.random() < 0.5)
        same = rel not in ("Vợ", "Chồng", "Mẹ")
        m = v.person(rng, male=male, family=family if same else None, min_age=1, max_age=80)
        b.para(
            f"{i + 1}. {m.name}, sinh ngày {m.dob}, quan hệ với chủ hộ: {rel}, "
            f"số định danh cá nhân: {m.cid}"
        )
    b.para(
        rng.choice(
            (
                "Giấy xác nhận này có giá trị sử dụng 30 ngày kể từ ngày cấp.",
                "Giấy xác nhận có giá trị 06 tháng kể từ ngày cấp, trừ trường hợp thông tin "
                "về cư trú của công dân có sự thay đổi.",
            )
        ),
        gap=0.4,
    )
    b.signature(
        f"{xa}, {v.long_date(v.issue_date(rng))}",
        "TRƯỞNG CÔNG AN XÃ",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        v.full_name(rng, rng.random() < 0.8),
    )
    return b.build("cu_tru", "GIẤY XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ")


def marriage_registration(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    bride = v.person(rng, male=False, min_age=20, max_age=35, xa=xa, tinh=tinh)
    groom = v.person(rng, male=True, min_age=22, max_age=38)
    b = Builder().motto()
    b.title("TỜ KHAI ĐĂNG KÝ KẾT HÔN")
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}", align="center", gap=0.4)
    for side, p in (("Bên nữ", bride), ("Bên nam", groom)):
        b.add(f"Thông tin {side.lower()}:", "bold", gap=0.5)
        b.field("Họ, chữ đệm, tên", p.name)
        b.field("Ngày, tháng, năm sinh", p.dob)
        b.para(f"Dân tộc: {p.ethnic}; Quốc tịch: Việt Nam")
        b.field("Nơi cư trú", p.address)
        b.field("Số định danh cá nhân", p.cid)
        b.field("Kết hôn lần thứ mấy", rng.choice(("Lần thứ nhất", "Lần thứ nhất", "Lần thứ hai")))
    b.para(
        "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của "
        "chúng tôi là tự nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình "
        "Việt Nam. Chúng tôi chịu trách nhiệm trước pháp luật về cam đoan của mình.",
        gap=0.5,
    )
    b.para(f"Đề nghị Ủy ban nhân dân xã {xa} đăng ký kết hôn cho chúng tôi.")
    b.signature(
        _place_date(rng, xa),
        "NGƯỜI YÊU CẦU",
        "(Ký, ghi rõ họ, chữ đệm, tên)",
        rng.choice((bride, groom)).name,
    )
    return b.build("ket_hon", "TỜ KHAI ĐĂNG KÝ KẾT HÔN")


PETITIONS = (
    (
        "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH",
        "cấp bản sao trích lục khai sinh để bổ sung hồ sơ nhập học cho con",
    ),
    (
        "ĐƠN ĐỀ NGHỊ XÁC NHẬN HOÀN CẢNH GIA ĐÌNH",
        "xác nhận hoàn cảnh gia đình để làm hồ sơ vay vốn ưu đãi tại Ngân hàng Chính sách xã hội",
    ),
    (
        "ĐƠN ĐỀ NGHỊ HỖ TRỢ SỬA CHỮA NHÀ Ở",
        "xem xét hỗ trợ kinh phí sửa chữa nhà ở bị hư hỏng do mưa bão",
    ),
    (
        "ĐƠN ĐỀ NGHỊ CHỨNG THỰC CHỮ KÝ",
        "chứng thực chữ ký của tôi trên giấy tờ, văn bản kèm theo đơn này",
    ),
)

REASONS = (
    "Gia đình tôi hiện có {n} nhân khẩu, thu nhập chủ yếu từ sản xuất nông nghiệp, "
    "đời sống còn nhiều khó khăn.",
    "Trong thời gian qua, do ảnh hưởng của thời tiết bất thường, mùa màng thất thu "
    "nên kinh tế gia đình gặp nhiều khó khăn.",
    "Tôi đã chuẩn bị đầy đủ các giấy tờ có liên quan theo hướng dẫn của bộ phận "
    "tiếp nhận và trả kết quả xã.",
    "Ngôi nhà gia đình tôi đang ở được xây dựng từ năm {y}, đến nay đã xuống cấp nghiêm trọng.",
    "Các thông tin nêu trên đã được trưởng thôn và các hộ liền kề xác nhận là đúng.",
)


def petition(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    p = v.person(rng, xa=xa, tinh=tinh, min_age=25, max_age=75)
    title, request = rng.choice(PETITIONS)
    b = Builder().motto()
    b.title(title)
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}, {v.in_province(tinh)}", align="center", gap=0.4)
    b.field("Tôi tên là", p.name, gap=0.6)
    b.para(f"Sinh ngày: {p.dob}; Giới tính: {p.gender}; Dân tộc: {p.ethnic}")
    b.field("Số định danh cá nhân", p.cid)
    b.field("Nơi cư trú", p.address)
    b.field("Số điện thoại", f"0{rng.choice('389')}{rng.randint(10_000_000, 99_999_999)}")
    reasons = rng.sample(REASONS, 2)
    b.para(
        " ".join(r.format(n=rng.randint(3, 7), y=rng.randint(1985, 2005)) for r in reasons), gap=0.4
    )
    b.para(f"Vì vậy, tôi làm đơn này kính đề nghị Ủy ban nhân dân xã {xa} {request}.")
    b.para(
        rng.choice(
            (
                "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật và xin chịu "
                "trách nhiệm trước pháp luật.",
                "Tôi xin chân thành cảm ơn!",
            )
        )
    )
    b.signature(_place_date(rng, xa), "NGƯỜI LÀM ĐƠN", "(Ký và ghi rõ họ tên)", p.name)
    return b.build("don_de_nghi", title)


TEMPLATES: dict[str, Template] = {
    "khai_sinh": birth_registration,
    "cu_tru": residence_confirmation,
    "ket_hon": marriage_registration,
    "don_de_nghi": petition,
}
