"""Building cost files for the import tests: CSV text and .xlsx workbooks."""

import io

from openpyxl import Workbook

HEADER = ["Order ID", "Actual Shipping", "Actual Fulfillment", "Actual Payment"]


def csv_bytes(rows, header=HEADER, bom: bool = False) -> bytes:
    lines = [",".join(header), *(",".join(_csv_cell(cell) for cell in row) for row in rows)]
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


def _csv_cell(cell) -> str:
    text = "" if cell is None else str(cell)
    return f'"{text}"' if "," in text else text


def xlsx_bytes(*sheets) -> bytes:
    """A workbook with one sheet per (header, rows) pair, the first one first."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, (header, rows) in enumerate(sheets, start=1):
        sheet = workbook.create_sheet(f"Sheet{number}")
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
