"""Forms 01–04 of Circular 01/2018/TT-VPCP as A5 PDFs.

The wording follows the circular's templates (labels such as "Nội dung yêu cầu giải
quyết", "Thời gian trả kết quả giải quyết hồ sơ"); times are printed as the domain
notes require (``HH giờ mm phút, ngày DD/MM/YYYY``, Vietnam time).
"""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from forms.layout import (
    WIDTH,
    Signer,
    barcode,
    documents_table,
    field,
    header,
    numbered,
    para,
    qr_code,
    render,
    signatures,
    title,
)
from forms.model import Apology, DossierSlip, Person, Refusal, SupplementRequest
from forms.text import clean, official_time, qr_text, short_date, vnd

RECEIPT = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
SUPPLEMENT = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
REFUSAL = "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ"
APOLOGY = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
QR_SIZE = 72.0  # about 26 mm: 3–4 px per module at 200 dpi for a ~150-character text


def receipt_pdf(slip: DossierSlip) -> bytes:
    """Form 01: receipt and appointment slip, with a QR code top-left and a Code 128 of
    the dossier code."""
    return render(lambda: _receipt(slip), title=RECEIPT, author=slip.agency.name, code=slip.code)


def supplement_request_pdf(request: SupplementRequest) -> bytes:
    """Form 02: request to supplement or complete the dossier."""
    slip = request.slip
    return render(
        lambda: _supplement(request), title=SUPPLEMENT, author=slip.agency.name, code=slip.code
    )


def refusal_pdf(refusal: Refusal) -> bytes:
    """Form 03: refusal to accept or resolve the dossier."""
    slip = refusal.slip
    return render(lambda: _refusal(refusal), title=REFUSAL, author=slip.agency.name, code=slip.code)


def apology_pdf(apology: Apology) -> bytes:
    """Form 04: apology and new appointment date."""
    slip = apology.slip
    return render(lambda: _apology(apology), title=APOLOGY, author=slip.agency.name, code=slip.code)


def _receipt(slip: DossierSlip) -> list[Flowable]:
    heading: list[Flowable] = [
        *title(RECEIPT, slip.code),
        Spacer(1, 3),
        barcode(slip.code),
        para(f"Mã tra cứu: <b>{clean(slip.check_value)}</b>", "center"),
    ]
    top = Table(
        [[qr_code(qr_text(slip), QR_SIZE), heading]],
        colWidths=[QR_SIZE + 2, WIDTH - QR_SIZE - 2],
        style=[
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    agency = slip.agency
    # (label, value, bold); numbered in order, as the template, whatever is printed.
    items: list[tuple[str, str, bool]] = [("Thành phần hồ sơ nộp gồm", "", False)]
    items.append(("Số lượng hồ sơ", "01 (bộ)", False))
    if slip.processing_time:
        items.append(("Thời gian giải quyết hồ sơ theo quy định là", slip.processing_time, False))
    items.append(("Thời gian nhận hồ sơ", official_time(slip.received_at), True))
    items.append(
        ("Thời gian trả kết quả giải quyết hồ sơ", official_time(slip.appointment_at), True)
    )
    if slip.result_place:
        items.append(("Đăng ký nhận kết quả tại", slip.result_place, False))
    if slip.fee_vnd is not None:
        items.append(("Phí, lệ phí", vnd(slip.fee_vnd) if slip.fee_vnd else "không thu", False))

    story: list[Flowable] = [header(agency, slip.received_at), top, Spacer(1, 4)]
    story.extend(_people(slip, "Tiếp nhận hồ sơ của"))
    story.extend(_request(slip, channel=True))
    for n, (label, value, bold) in enumerate(items, start=1):
        story.append(field(label, value, bold=bold, number=n))
        if n == 1:
            story.append(documents_table(slip.documents))
    submitter = slip.authorised or slip.applicant
    signed = signatures(
        [
            Signer(("Người nộp hồ sơ",), submitter.name),
            Signer(("Người tiếp nhận hồ sơ",), slip.officer_name),
        ]
    )
    note = para(
        "<i>Ghi chú: Tra cứu tình trạng hồ sơ: quét mã QR hoặc truy cập "
        f"{clean(slip.lookup_url)}, nhập mã hồ sơ và mã tra cứu. Mang theo Giấy này khi đến "
        f"nhận kết quả.{_contact(agency.phone)}</i>",
        "note",
    )
    story.append(KeepTogether([signed, note]))
    return story


def _supplement(request: SupplementRequest) -> list[Flowable]:
    slip = request.slip
    officer = request.officer_name or slip.officer_name
    return [
        header(slip.agency, request.requested_at),
        *title(SUPPLEMENT, slip.code),
        Spacer(1, 4),
        *_people(slip, "Hồ sơ của"),
        *_request(slip),
        field("Thời gian nhận hồ sơ", official_time(slip.received_at)),
        para("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:"),
        *numbered(request.missing),
        field("Lý do", request.reason),
        para(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với "
            f"{clean(officer or slip.agency.name)}"
            f"{', số điện thoại ' + clean(slip.agency.phone) if slip.agency.phone else ''} "
            "để được hướng dẫn./."
        ),
        signatures([None, Signer(("Người hướng dẫn",), officer)]),
    ]


def _refusal(refusal: Refusal) -> list[Flowable]:
    slip = refusal.slip
    agency = clean(slip.agency.name)
    return [
        header(slip.agency, refusal.refused_at),
        *title(REFUSAL, slip.code),
        Spacer(1, 4),
        *_people(slip, f"{slip.agency.name} tiếp nhận hồ sơ của"),
        *_request(slip),
        field("Thời gian nhận hồ sơ", official_time(slip.received_at)),
        para(
            f"Qua xem xét, {agency} thông báo không tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:"
        ),
        *numbered(refusal.reasons),
        para("Xin thông báo cho Ông/Bà được biết và thực hiện./."),
        signatures(
            [None, Signer(("Người tiếp nhận hồ sơ",), refusal.officer_name or slip.officer_name)]
        ),
    ]


def _apology(apology: Apology) -> list[Flowable]:
    slip = apology.slip
    agency = clean(slip.agency.name)
    name = clean(slip.applicant.name)
    reason = clean(apology.reason.strip().rstrip("."))
    received = short_date(slip.received_at)
    recipients = [
        para("<b><i>Nơi nhận:</i></b>", "cell"),
        para("- Như trên;", "cell"),
        para("- Lưu: VT.", "cell"),
    ]
    signer = Signer(
        tuple(apology.signer_title.split("/")),
        apology.signer_name,
        "(Ký, ghi rõ họ tên và đóng dấu)",
    )
    return [
        header(slip.agency, apology.issued_at),
        *title(APOLOGY, slip.code),
        Spacer(1, 4),
        para(f"Kính gửi: Ông/Bà <b>{name}</b>", "center"),
        Spacer(1, 4),
        para(f"Ngày {received}, {agency} tiếp nhận giải quyết hồ sơ của Ông/Bà {name}."),
        *_request(slip),
        field("Thời gian hẹn trả kết quả giải quyết hồ sơ", official_time(apology.old_appointment)),
        para(
            f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng hạn "
            f"ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, với lý do: {reason}."
        ),
        para(
            f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. {agency} "
            "xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào lúc "
            f"<b>{official_time(apology.new_appointment)}</b>."
        ),
        para("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà./."),
        signatures([None, signer], left=recipients),
    ]


def _contact(phone: str) -> str:
    return f" Nếu có vướng mắc, xin liên hệ số điện thoại {clean(phone)}." if phone else ""


def _people(slip: DossierSlip, label: str) -> list[Flowable]:
    lines: list[Flowable] = [field(label, slip.applicant.name, bold=True)]
    lines.extend(_details(slip.applicant))
    if slip.authorised is not None:
        # One paragraph: the authorised person matters less than the applicant on an A5 slip.
        a = slip.authorised
        more = _joined(
            [
                ("số định danh cá nhân", a.id_number),
                ("số điện thoại", a.phone),
                ("địa chỉ", a.address),
            ]
        )
        lines.append(
            para(f"Người được ủy quyền: <b>{clean(a.name)}</b>{'; ' if more else ''}{more}")
        )
    return lines


def _details(person: Person) -> list[Flowable]:
    """ID, phone and e-mail on one line, the address on the next; what is unknown is left
    out rather than printed as an empty label."""
    ids = _joined(
        [
            ("số định danh cá nhân", person.id_number),
            ("số điện thoại", person.phone),
            ("email", person.email),
        ],
        capital=True,
    )
    lines: list[Flowable] = [para(ids, "plain")] if ids else []
    if person.address:
        lines.append(field("Địa chỉ", person.address))
    return lines


def _joined(parts: list[tuple[str, str]], *, capital: bool = False) -> str:
    """``label: value; label: value`` for the values that are there."""
    text = "; ".join(f"{label}: {clean(value)}" for label, value in parts if value.strip())
    return text[:1].upper() + text[1:] if capital else text


def _request(slip: DossierSlip, *, channel: bool = False) -> list[Flowable]:
    kind = f"Lĩnh vực: {clean(slip.field)}"
    if channel:
        kind += f"; hình thức nộp hồ sơ: {clean(slip.channel_vi)}"
    return [
        field(
            "Nội dung yêu cầu giải quyết",
            f"{slip.procedure_name} (mã thủ tục {slip.procedure_code})",
        ),
        para(kind, "plain"),
    ]
