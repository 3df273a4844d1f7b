"""Land, authorisation and decision templates: land registration application,
power of attorney and a commune People's Committee decision."""

from __future__ import annotations

import random
from datetime import timedelta

from synth import vocab as v
from synth.content import Builder, Document, Template

LAND_USES = (
    "Đất ở tại nông thôn",
    "Đất trồng cây hằng năm khác",
    "Đất trồng lúa",
    "Đất trồng cây lâu năm",
    "Đất nuôi trồng thủy sản",
)
LAND_ORIGINS = (
    "Nhận chuyển nhượng quyền sử dụng đất",
    "Được Nhà nước giao đất không thu tiền sử dụng đất",
    "Nhận thừa kế quyền sử dụng đất",
    "Được tặng cho quyền sử dụng đất",
    "Sử dụng ổn định trước ngày 01/07/2004, không có tranh chấp",
)

STRUCTURES = ("bê tông cốt thép", "tường gạch, mái ngói", "khung thép, mái tôn")


def plot_line(rng: random.Random) -> str:
    """'Thửa đất số: 123, Tờ bản đồ số: 45, Diện tích: 150,5 m²'."""
    return (
        f"Thửa đất số: {rng.randint(1, 1200)}, Tờ bản đồ số: {rng.randint(1, 80)}, "
        f"Diện tích: {v.area(rng)} m²"
    )


def land_registration(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    owner = v.person(rng, xa=xa, tinh=tinh, min_age=30, max_age=75)
    age = v.PERIOD[1].year - owner.born.year
    spouse = v.person(
        rng, male=not owner.male, xa=xa, tinh=tinh, min_age=max(20, age - 8), max_age=age + 6
    )
    title = "ĐƠN ĐĂNG KÝ ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT"
    b = Builder().motto()
    b.title(title)
    b.add(f"Kính gửi: Ủy ban nhân dân xã {xa}", align="center", gap=0.4)
    b.add("1. Người sử dụng đất, chủ sở hữu tài sản gắn liền với đất", "bold", gap=0.6)
    b.para(
        f"1.1. Tên: {owner.honorific} {owner.name}, sinh năm {owner.born.year}; "
        f"{spouse.honorific.lower()} {spouse.name}, sinh năm {spouse.born.year}"
    )
    b.para(f"1.2. Giấy tờ nhân thân: Căn cước công dân số {owner.cid}")
    b.para(f"1.3. Địa chỉ thường trú: {owner.address}")
    b.add("2. Thửa đất đăng ký", "bold", gap=0.3)
    b.para(plot_line(rng))
    b.field("Địa chỉ thửa đất", v.address(rng, xa, tinh))
    b.field("Mục đích sử dụng", rng.choice(LAND_USES))
    until = f"Đến ngày 31/12/{rng.randint(2040, 2070)}"
    b.field("Thời hạn sử dụng", rng.choice(("Lâu dài", until)))
    b.field("Nguồn gốc sử dụng", rng.choice(LAND_ORIGINS))
    section = 3
    if rng.random() < 0.6:
        floors = rng.randint(1, 3)
        b.add(f"{section}. Tài sản gắn liền với đất", "bold", gap=0.3)
        section += 1
        b.para(
            f"Nhà ở riêng lẻ, diện tích xây dựng: {v.area(rng, 40, 150)} m², "
            f"số tầng: {floors:02d}, kết cấu: {rng.choice(STRUCTURES)}, "
            f"năm hoàn thành xây dựng: {rng.randint(1990, 2022)}"
        )
    b.add(f"{section}. Những giấy tờ nộp kèm theo", "bold", gap=0.3)
    b.para(
        rng.choice(
            (
                "Bản sao giấy tờ về quyền sử dụng đất; sơ đồ nhà ở; bản sao chứng từ thực hiện "
                "nghĩa vụ tài chính.",
                "Hợp đồng chuyển nhượng quyền sử dụng đất đã được chứng thực; trích lục bản đồ địa "
                "chính thửa đất.",
            )
        )
    )
    b.para(
        "Tôi xin cam đoan nội dung kê khai trên đơn là đúng sự thật, nếu sai tôi hoàn "
        "toàn chịu trách nhiệm trước pháp luật.",
        gap=0.4,
    )
    b.signature(
        f"{xa}, {v.long_date(v.issue_date(rng))}",
        "NGƯỜI VIẾT ĐƠN",
        "(Ký, ghi rõ họ tên)",
        owner.name,
    )
    return b.build("dat_dai", title)


MANDATES = (
    "thay mặt tôi liên hệ với Ủy ban nhân dân xã {xa} để nộp hồ sơ, nhận kết quả giải "
    "quyết thủ tục đăng ký biến động đất đai đối với thửa đất nêu trên",
    "thay mặt tôi làm thủ tục đề nghị cấp bản sao trích lục hộ tịch và ký các giấy tờ "
    "có liên quan tại Ủy ban nhân dân xã {xa}",
    "thay mặt tôi nhận tiền hỗ trợ, bồi thường khi Nhà nước thu hồi đất và ký nhận các "
    "giấy tờ có liên quan",
)


def power_of_attorney(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    a = v.person(rng, xa=xa, tinh=tinh, min_age=30, max_age=80)
    c = v.person(rng, min_age=20, max_age=60)
    start = v.issue_date(rng)
    end = start + timedelta(days=rng.choice((90, 180, 365)))
    b = Builder().motto()
    b.title("GIẤY ỦY QUYỀN")
    b.add(rng.choice(("(Dùng cho cá nhân)", "(V/v thực hiện thủ tục hành chính)")), align="center")
    b.para("Căn cứ Bộ luật Dân sự năm 2015 và các văn bản pháp luật có liên quan.", gap=0.6)
    b.para(f"Hôm nay, {v.long_date(start)}, tại Ủy ban nhân dân xã {xa}, chúng tôi gồm:")
    for head, p in (("I. BÊN ỦY QUYỀN (Bên A):", a), ("II. BÊN ĐƯỢC ỦY QUYỀN (Bên B):", c)):
        b.add(head, "bold", gap=0.4)
        b.field("Họ và tên", f"{p.honorific} {p.name}")
        b.field("Ngày sinh", p.dob)
        b.field("Số căn cước công dân", p.cid)
        b.field("Nơi cư trú", p.address)
    b.add("III. NỘI DUNG ỦY QUYỀN:", "bold", gap=0.4)
    b.para(f"Bên A ủy quyền cho Bên B {rng.choice(MANDATES).format(xa=xa)}.")
    if rng.random() < 0.6:
        b.para(plot_line(rng))
    b.para(f"Thời hạn ủy quyền: kể từ ngày {v.fmt_date(start)} đến ngày {v.fmt_date(end)}.")
    b.para(
        "Bên A chịu trách nhiệm về nội dung ủy quyền; Bên B thực hiện đúng phạm vi "
        "được ủy quyền và không được ủy quyền lại cho người khác."
    )
    b.signature(f"{xa}, {v.long_date(start)}", "BÊN ỦY QUYỀN", "(Ký, ghi rõ họ tên)", a.name)
    return b.build("uy_quyen", "GIẤY ỦY QUYỀN")


# (subject, article 1, minimum age of the beneficiary, amount range in units of 100.000 đ)
SUBJECTS = (
    (
        "hỗ trợ kinh phí sửa chữa nhà ở cho hộ nghèo năm {y}",
        "Hỗ trợ kinh phí sửa chữa nhà ở cho hộ {honor} {name}, số định danh cá nhân {cid}, "
        "cư trú tại {addr}, với số tiền {money} đồng.",
        30,
        (100, 400),
    ),
    (
        "công nhận hộ gia đình thoát nghèo năm {y}",
        "Công nhận hộ {honor} {name}, số định danh cá nhân {cid}, cư trú tại {addr}, "
        "là hộ thoát nghèo năm {y}.",
        30,
        (0, 0),
    ),
    (
        "cấp Giấy chứng nhận quyền sử dụng đất",
        "Cấp Giấy chứng nhận quyền sử dụng đất cho hộ {honor} {name}, căn cước công dân số "
        "{cid}, cư trú tại {addr}; {plot}.",
        30,
        (0, 0),
    ),
    (
        "trợ cấp xã hội hằng tháng đối với người cao tuổi",
        "Trợ cấp xã hội hằng tháng cho {honor} {name}, sinh ngày {dob}, số định danh cá nhân "
        "{cid}, cư trú tại {addr}, mức trợ cấp {money} đồng/tháng.",
        75,
        (5, 9),
    ),
)


def decision(rng: random.Random) -> Document:
    xa, tinh = v.commune(rng), v.province(rng)
    day = v.issue_date(rng)
    year = day.year
    subject, article, min_age, (low, high) = rng.choice(SUBJECTS)
    p = v.person(rng, xa=xa, tinh=tinh, min_age=min_age, max_age=min_age + 25)
    money = f"{rng.randint(low, high) * 100_000:,}".replace(",", ".")
    b = Builder()
    b.add(f"ỦY BAN NHÂN DÂN XÃ {xa.upper()}", "bold", rng.choice(("left", "center")))
    b.add(v.doc_number(rng, "QĐ-UBND"), align="left")
    b.motto(gap=0.5)
    b.add(f"{xa}, {v.long_date(day)}", align="right_half", gap=0.3)
    b.title("QUYẾT ĐỊNH", gap=0.8)
    b.add(f"Về việc {subject.format(y=year)}", "bold", "center")
    b.add(f"CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ {xa.upper()}", "bold", "center", gap=0.6)
    b.para("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;", gap=0.4)
    b.para(
        rng.choice(
            (
                "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định "
                "chính sách trợ giúp xã hội đối với đối tượng bảo trợ xã hội;",
                "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;",
                f"Căn cứ Kế hoạch số {rng.randint(10, 200)}/KH-UBND của Ủy ban nhân dân xã {xa};",
            )
        )
    )
    b.para(
        f"Xét đề nghị của công chức {rng.choice(('Văn hóa - Xã hội', 'Địa chính - Xây dựng'))}"
        f" xã {xa}."
    )
    b.add("QUYẾT ĐỊNH:", "bold", "center", gap=0.4)
    body = article.format(
        honor=p.honorific.lower(),
        name=p.name,
        addr=p.address,
        y=year,
        money=money,
        dob=p.dob,
        cid=p.cid,
        plot=plot_line(rng).replace("Thửa", "thửa"),
    )
    b.para(f"Điều 1. {body}", gap=0.3)
    b.para(f"Điều 2. Quyết định này có hiệu lực kể từ ngày {rng.choice(('ký', 'ký ban hành'))}.")
    b.para(
        f"Điều 3. Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã, các bộ phận có liên "
        f"quan và {p.honorific.lower()} {p.name} chịu trách nhiệm thi hành Quyết định này."
    )
    b.add("Nơi nhận:", "bold", gap=0.6)
    b.add("- Như Điều 3;")
    b.add("- Lưu: VT.")
    b.add("CHỦ TỊCH", "bold", "right_half", gap=0.4)
    b.add(v.full_name(rng, rng.random() < 0.7), "bold", "right_half", gap=2.2)
    return b.build("quyet_dinh", "QUYẾT ĐỊNH")


TEMPLATES: dict[str, Template] = {
    "dat_dai": land_registration,
    "uy_quyen": power_of_attorney,
    "quyet_dinh": decision,
}
