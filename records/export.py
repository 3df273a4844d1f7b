"""Form II.06a as files: CSV (UTF-8 with BOM, so Excel shows Vietnamese) and XLSX.

Rows, in order: for each field (lĩnh vực, sorted by key) a subtotal row (STT I, II, …)
followed by its procedures (STT 1, 2, … sorted by code), then the grand total "Tổng cộng".
The CSV is a plain table (one header row, unique headers, no title) so programs can read it;
the XLSX adds a title, the period and a two-level header with merged group cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from records.statistics import Figures, Report, local_date

TITLE = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
TOTAL_LABEL = "Tổng cộng"
LEAD_HEADERS = ("STT", "Mã", "Lĩnh vực, thủ tục hành chính")


@dataclass(frozen=True)
class Column:
    key: str  # Figures field
    group: str | None  # upper header cell (merged over the group); None: spans both rows
    label: str  # lower header cell in XLSX
    flat: str  # the unique CSV header


RECEIVED = "Số hồ sơ tiếp nhận"
RESOLVED = "Số hồ sơ đã giải quyết"
IN_PROGRESS = "Số hồ sơ đang giải quyết"
RATING = "Mức độ hài lòng"

COLUMNS: tuple[Column, ...] = (
    Column("received_total", RECEIVED, "Tổng số", "Tổng số hồ sơ tiếp nhận"),
    Column("received_online", RECEIVED, "Trực tuyến", "Trực tuyến"),
    Column(
        "received_direct_postal",
        RECEIVED,
        "Trực tiếp, dịch vụ bưu chính",
        "Trực tiếp, dịch vụ bưu chính",
    ),
    Column("carried_over", RECEIVED, "Từ kỳ trước chuyển qua", "Từ kỳ trước chuyển qua"),
    Column("resolved_total", RESOLVED, "Tổng số", RESOLVED),
    Column("resolved_early", RESOLVED, "Trước hạn", "Đã giải quyết: Trước hạn"),
    Column("resolved_on_time", RESOLVED, "Đúng hạn", "Đã giải quyết: Đúng hạn"),
    Column("resolved_late", RESOLVED, "Quá hạn", "Đã giải quyết: Quá hạn"),
    Column("in_progress_total", IN_PROGRESS, "Tổng số", IN_PROGRESS),
    Column("in_progress_within", IN_PROGRESS, "Trong hạn", "Đang giải quyết: Trong hạn"),
    Column("in_progress_overdue", IN_PROGRESS, "Quá hạn", "Đang giải quyết: Quá hạn"),
    Column("withdrawn_returned", None, "Rút hồ sơ/trả lại", "Rút hồ sơ/trả lại"),
    Column("rating_very_satisfied", RATING, "Rất hài lòng", "Rất hài lòng"),
    Column("rating_satisfied", RATING, "Hài lòng", "Hài lòng"),
    Column("rating_not_satisfied", RATING, "Không hài lòng", "Không hài lòng"),
)

CSV_HEADER: tuple[str, ...] = (*LEAD_HEADERS, *(c.flat for c in COLUMNS))


@dataclass(frozen=True)
class Row:
    kind: str  # "field" | "procedure" | "total"
    number: str  # STT
    code: str
    name: str
    figures: Figures

    def cells(self) -> list[str | int]:
        values = self.figures.to_dict()
        return [self.number, self.code, self.name, *(values[c.key] for c in COLUMNS)]


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, n = divmod(n, value)
        out += numeral * count
    return out


def rows(
    report: Report,
    procedure_names: Mapping[str, str],
    field_names: Mapping[str, str] | None = None,
) -> list[Row]:
    """The table's rows; names fall back to the codes when not in the mappings."""
    field_names = field_names or {}
    procedures: dict[str, list[str]] = {}
    for code in sorted(report.by_procedure):
        procedures.setdefault(report.procedure_field[code], []).append(code)
    out: list[Row] = []
    for i, field in enumerate(sorted(report.by_field), start=1):
        name = field_names.get(field, field)
        out.append(Row("field", _roman(i), field, name, report.by_field[field]))
        for j, code in enumerate(procedures.get(field, []), start=1):
            figures = report.by_procedure[code]
            out.append(Row("procedure", str(j), code, procedure_names.get(code, code), figures))
    out.append(Row("total", "", "", TOTAL_LABEL, report.total))
    return out


def period_label(report: Report) -> str:
    """'Từ ngày DD/MM/YYYY đến ngày DD/MM/YYYY', local dates, the end day included."""
    first = local_date(report.start)
    last = local_date(report.end - timedelta(microseconds=1))
    return f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"


def to_csv(
    report: Report,
    procedure_names: Mapping[str, str],
    field_names: Mapping[str, str] | None = None,
) -> str:
    """The table as CSV text starting with a BOM; write it encoded as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows(report, procedure_names, field_names):
        writer.writerow(row.cells())
    return buffer.getvalue()


HEADER_ROW = 4  # title on 1, period on 2, blank 3, header on 4–5, data from 6
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTHS = (6, 16, 48)
NUMBER_WIDTH = 12


def to_xlsx(
    report: Report,
    procedure_names: Mapping[str, str],
    field_names: Mapping[str, str] | None = None,
) -> bytes:
    """The table as an Excel workbook (one sheet, 'II.06a')."""
    book = Workbook()
    sheet = book.active
    sheet.title = "II.06a"
    width = len(LEAD_HEADERS) + len(COLUMNS)
    last_col = get_column_letter(width)
    for line, (text, font) in enumerate(
        ((TITLE, Font(bold=True, size=13)), (period_label(report), Font(italic=True))), start=1
    ):
        sheet.cell(row=line, column=1, value=text).font = font
        sheet.cell(row=line, column=1).alignment = Alignment(horizontal="center")
        sheet.merge_cells(f"A{line}:{last_col}{line}")

    top, bottom = HEADER_ROW, HEADER_ROW + 1
    singles = [(i + 1, text) for i, text in enumerate(LEAD_HEADERS)]
    groups: dict[str, list[int]] = {}
    for i, column in enumerate(COLUMNS, start=len(LEAD_HEADERS) + 1):
        if column.group is None:
            singles.append((i, column.label))
        else:
            groups.setdefault(column.group, []).append(i)
            sheet.cell(row=bottom, column=i, value=column.label)
    for i, text in singles:
        sheet.cell(row=top, column=i, value=text)
        sheet.merge_cells(start_row=top, start_column=i, end_row=bottom, end_column=i)
    for text, span in groups.items():
        sheet.cell(row=top, column=span[0], value=text)
        sheet.merge_cells(start_row=top, start_column=span[0], end_row=top, end_column=span[-1])
    for r in (top, bottom):
        sheet.row_dimensions[r].height = 32
        for c in range(1, width + 1):
            cell = sheet.cell(row=r, column=c)
            cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BOX

    for r, row in enumerate(rows(report, procedure_names, field_names), start=bottom + 1):
        bold = row.kind != "procedure"
        for c, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.border = BOX
            if bold:
                cell.font = Font(bold=True)
            if c != len(LEAD_HEADERS):
                cell.alignment = Alignment(horizontal="center" if c <= 2 else "right")
    for c in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(c)].width = (
            WIDTHS[c - 1] if c <= len(WIDTHS) else NUMBER_WIDTH
        )
    sheet.freeze_panes = sheet.cell(row=bottom + 1, column=len(LEAD_HEADERS) + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
