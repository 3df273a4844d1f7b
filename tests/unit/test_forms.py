"""Forms 01–04 of Circular 01/2018/TT-VPCP: A5 PDFs whose Vietnamese text extracts, whose
receipt carries a readable QR code (top-left) and Code 128, and whose bytes are stable."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from forms import (
    Agency,
    Apology,
    DossierSlip,
    Person,
    ReceivedDocument,
    Refusal,
    SupplementRequest,
    apology_pdf,
    lookup_link,
    receipt_pdf,
    refusal_pdf,
    supplement_request_pdf,
)
from forms.text import official_time, place_date, vnd

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="needs poppler (pdftotext, pdftoppm)",
)

CODE = "000.00.12.H56-251014-0007"
AGENCY = Agency(
    name="Trung tâm Phục vụ hành chính công xã An Bình",
    unit_code="000.00.12.H56",
    address="Số 1 đường Lê Lợi, xã An Bình, tỉnh Đồng Nai",
    phone="0251 3822 123",
    province="Đồng Nai",
    parent="Ủy ban nhân dân xã An Bình",
    place="An Bình",
)
APPLICANT = Person("Nguyễn Thị Ngọc Ánh", "075185001234", "Ấp Bình Hòa, xã An Bình", "0912345678")
AUTHORISED = Person("Trần Văn Đức", "075090005678", "Khu phố 3, phường Trảng Dài", "0987654321")
DOCUMENTS = (
    ReceivedDocument("Đơn đăng ký biến động đất đai (Mẫu số 11/ĐK)", "bản chính", 1),
    ReceivedDocument("Giấy chứng nhận quyền sử dụng đất đã cấp", "bản chính", 1),
    ReceivedDocument("Hợp đồng chuyển nhượng quyền sử dụng đất", "bản sao chứng thực", 2),
)
SLIP = DossierSlip(
    code=CODE,
    procedure_code="1.004227",
    procedure_name="Đăng ký biến động quyền sử dụng đất",
    field="Đất đai",
    agency=AGENCY,
    applicant=APPLICANT,
    authorised=AUTHORISED,
    channel_vi="Trực tiếp",
    received_at=datetime(2025, 10, 14, 1, 5, tzinfo=UTC),  # 08:05 in Vietnam
    appointment_at=datetime(2025, 11, 11, 16, 30),  # naive: Vietnam time already
    documents=DOCUMENTS,
    officer_name="Lê Thị Hồng Nhung",
    lookup_url="https://dvc.anbinh.gov.vn/tra-cuu",
    check_value="7K3Q9X",
    fee_vnd=50000,
    processing_time="20 ngày làm việc",
)
SUPPLEMENT = SupplementRequest(
    SLIP,
    missing=["Bản sao Giấy khai sinh của người nhận chuyển nhượng", "Sơ đồ thửa đất"],
    reason="Hồ sơ chưa đủ thành phần theo quy định.",
    requested_at=datetime(2025, 10, 16, 9, 0),
)
REFUSAL = Refusal(
    SLIP,
    reasons=["Thửa đất đang có tranh chấp.", "Thửa đất đang bị kê biên để thi hành án."],
    refused_at=datetime(2025, 1, 7, 10, 0),
)
APOLOGY = Apology(
    SLIP,
    reason="Cần xác minh nguồn gốc sử dụng đất",
    old_appointment=datetime(2025, 11, 11, 16, 30),
    new_appointment=datetime(2025, 11, 18, 9, 15),
    issued_at=datetime(2025, 11, 10, 8, 0),
    signer_title="Chủ tịch",
    signer_name="Phạm Minh Quang",
)

RECEIVED = "08 giờ 05 phút, ngày 14/10/2025"
APPOINTED = "16 giờ 30 phút, ngày 11/11/2025"


def pdftotext(pdf: bytes, folder: Path) -> str:
    path = folder / "form.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return " ".join(unicodedata.normalize("NFC", done.stdout.decode("utf-8")).split())


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {
        "01": receipt_pdf(SLIP),
        "02": supplement_request_pdf(SUPPLEMENT),
        "03": refusal_pdf(REFUSAL),
        "04": apology_pdf(APOLOGY),
    }


EXPECTED = {
    "01": [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Ngọc Ánh",
        "Người được ủy quyền: Trần Văn Đức",
        "Số định danh cá nhân: 075185001234",
        "Nội dung yêu cầu giải quyết: Đăng ký biến động quyền sử dụng đất",
        f"Thời gian nhận hồ sơ: {RECEIVED}",
        f"Thời gian trả kết quả giải quyết hồ sơ: {APPOINTED}",
        "Thời gian giải quyết hồ sơ theo quy định là: 20 ngày làm việc",
        *(d.name for d in DOCUMENTS),
        "bản sao chứng thực",
        "Phí, lệ phí: 50.000 đồng",
        "Mã tra cứu: 7K3Q9X",
        "https://dvc.anbinh.gov.vn/tra-cuu",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Lê Thị Hồng Nhung",
        "An Bình, ngày 14 tháng 10 năm 2025",
    ],
    "02": [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Hồ sơ của: Nguyễn Thị Ngọc Ánh",
        f"Thời gian nhận hồ sơ: {RECEIVED}",
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
        "1. Bản sao Giấy khai sinh của người nhận chuyển nhượng",
        "2. Sơ đồ thửa đất",
        "Lý do: Hồ sơ chưa đủ thành phần theo quy định.",
        "NGƯỜI HƯỚNG DẪN",
        "Lê Thị Hồng Nhung",
        "An Bình, ngày 16 tháng 10 năm 2025",
    ],
    "03": [
        "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
        "tiếp nhận hồ sơ của: Nguyễn Thị Ngọc Ánh",
        f"Thời gian nhận hồ sơ: {RECEIVED}",
        "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
        "1. Thửa đất đang có tranh chấp.",
        "2. Thửa đất đang bị kê biên để thi hành án.",
        "Lê Thị Hồng Nhung",
        "An Bình, ngày 07 tháng 01 năm 2025",  # Decree 30: zero before months 1 and 2
    ],
    "04": [
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Ông/Bà Nguyễn Thị Ngọc Ánh",
        f"Thời gian hẹn trả kết quả giải quyết hồ sơ: {APPOINTED}",
        "với lý do: Cần xác minh nguồn gốc sử dụng đất.",
        "vào lúc 09 giờ 15 phút, ngày 18/11/2025",
        "CHỦ TỊCH",
        "Phạm Minh Quang",
        "An Bình, ngày 10 tháng 11 năm 2025",
    ],
}


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_text_extracts_in_vietnamese(pdfs: dict[str, bytes], form: str, tmp_path: Path) -> None:
    text = pdftotext(pdfs[form], tmp_path)
    common = [
        f"Mã hồ sơ: {CODE}",
        "ỦY BAN NHÂN DÂN XÃ AN BÌNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    for expected in common + EXPECTED[form]:
        assert expected in text, expected


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_pages_are_a5_portrait(pdfs: dict[str, bytes], form: str, tmp_path: Path) -> None:
    (tmp_path / "f.pdf").write_bytes(pdfs[form])
    with pikepdf.open(tmp_path / "f.pdf") as pdf:
        assert len(pdf.pages) == 1
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            assert (round(x1 - x0, 1), round(y1 - y0, 1)) == (419.5, 595.3)


def test_receipt_codes_scan(pdfs: dict[str, bytes], tmp_path: Path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    (tmp_path / "r.pdf").write_bytes(pdfs["01"])
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "r.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
        timeout=60,
    )
    image = Image.open(next(tmp_path.glob("p*.png")))
    found = zxingcpp.read_barcodes(image)
    qrs = [b for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]
    bars = [b for b in found if b.format == zxingcpp.BarcodeFormat.Code128]
    assert len(qrs) == 1 and len(bars) == 1, [(b.format, b.text) for b in found]

    qr = qrs[0]
    link = "https://dvc.anbinh.gov.vn/tra-cuu?ma=000.00.12.H56-251014-0007&tc=7K3Q9X"
    assert link == lookup_link(SLIP.lookup_url, CODE, SLIP.check_value)
    for part in (CODE, "1.004227", "075185001234", link):
        assert part in qr.text, part
    corners = (
        qr.position.top_left,
        qr.position.top_right,
        qr.position.bottom_left,
        qr.position.bottom_right,
    )
    assert all(p.x < image.width / 2 and p.y < image.height / 2 for p in corners)

    assert bars[0].text == CODE


def test_forty_documents_flow_onto_more_pages(tmp_path: Path) -> None:
    many = [
        ReceivedDocument(f"Trích lục bản đồ địa chính thửa đất số {n}", "bản sao", n % 3 + 1)
        for n in range(1, 41)
    ]
    pdf = receipt_pdf(dataclasses.replace(SLIP, documents=many))
    (tmp_path / "m.pdf").write_bytes(pdf)
    with pikepdf.open(tmp_path / "m.pdf") as doc:
        pages = len(doc.pages)
    assert pages >= 2
    text = pdftotext(pdf, tmp_path)
    for document in many:
        assert f"{document.name} " in text, document.name
    assert f"Trang {pages}/{pages}" in text
    assert "Lê Thị Hồng Nhung" in text and APPOINTED in text


@pytest.mark.parametrize(
    "render",
    [
        lambda: receipt_pdf(SLIP),
        lambda: supplement_request_pdf(SUPPLEMENT),
        lambda: refusal_pdf(REFUSAL),
        lambda: apology_pdf(APOLOGY),
    ],
    ids=["01", "02", "03", "04"],
)
def test_same_input_same_bytes(pdfs: dict[str, bytes], render: Callable[[], bytes]) -> None:
    assert render() == render()


def test_same_bytes_in_a_fresh_process(pdfs: dict[str, bytes]) -> None:
    script = (
        "import sys; from tests.unit.test_forms import SLIP; from forms import receipt_pdf; "
        "sys.stdout.buffer.write(receipt_pdf(SLIP))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, cwd=root, timeout=60
    )
    assert done.stdout == pdfs["01"]
    assert receipt_pdf(dataclasses.replace(SLIP, check_value="8K3Q9X")) != pdfs["01"]


def test_markup_characters_in_data_print_as_text(tmp_path: Path) -> None:
    odd = dataclasses.replace(SLIP, procedure_name="Chứng thực bản sao <từ bản chính> & chữ ký")
    assert "Chứng thực bản sao <từ bản chính> & chữ ký" in pdftotext(receipt_pdf(odd), tmp_path)


def test_wording_of_times_dates_and_money() -> None:
    assert (
        official_time(datetime(2025, 10, 14, 17, 59, tzinfo=UTC))
        == "00 giờ 59 phút, ngày 15/10/2025"
    )
    assert official_time(datetime(2025, 3, 4, 7, 0)) == "07 giờ 00 phút, ngày 04/03/2025"
    assert place_date("An Bình", datetime(2025, 2, 3, 9)) == "An Bình, ngày 03 tháng 02 năm 2025"
    assert place_date("An Bình", datetime(2025, 3, 4, 9)) == "An Bình, ngày 04 tháng 3 năm 2025"
    assert vnd(1250000) == "1.250.000 đồng" and vnd(2000) == "2.000 đồng"
    assert (
        lookup_link("https://x.vn/tc?lang=vi", "A-1", "Z9")
        == "https://x.vn/tc?lang=vi&ma=A-1&tc=Z9"
    )
    assert lookup_link("https://x.vn/h/A-1/Z9", "A-1", "Z9") == "https://x.vn/h/A-1/Z9"


def test_unknown_details_are_left_out_not_printed_empty(tmp_path: Path) -> None:
    sparse = dataclasses.replace(
        SLIP,
        agency=dataclasses.replace(AGENCY, phone="", parent="", place=""),
        applicant=Person("Hoàng Văn Bảy", "", "", ""),
        authorised=Person("Đinh Thị Tám", "001190001234", "", ""),
        officer_name="",
        fee_vnd=None,
    )
    receipt = pdftotext(receipt_pdf(sparse), tmp_path)
    assert "Người được ủy quyền: Đinh Thị Tám; số định danh cá nhân: 001190001234 " in receipt
    assert "Địa chỉ:" not in receipt and "điện thoại:" not in receipt
    assert "Phí, lệ phí" not in receipt
    assert "Đồng Nai, ngày 14 tháng 10 năm 2025" in receipt  # place falls back to province
    request = pdftotext(
        supplement_request_pdf(dataclasses.replace(SUPPLEMENT, slip=sparse)), tmp_path
    )
    assert (
        "liên hệ với Trung tâm Phục vụ hành chính công xã An Bình để được hướng dẫn./." in request
    )
