"""Building cost files for the import tests: CSV text and .xlsx workbooks."""

import io
import zipfile

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


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def xlsx_with_parts(parts: dict[str, list[bytes]]) -> bytes:
    """A real workbook (a header and one row) with the named parts replaced or added, each
    from chunks of XML streamed into the archive (so a big one builds quickly)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes((HEADER, [["X-1", "a", 1, 2]]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in base.namelist():
            if name not in parts:
                content = base.read(name)
                if name == "[Content_Types].xml" and "xl/sharedStrings.xml" in parts:
                    override = (
                        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
                    )
                    content = content.replace(b"</Types>", override.encode() + b"</Types>")
                archive.writestr(name, content)
        for name, chunks in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return out.getvalue()


def xlsx_far_cell_bytes() -> bytes:
    """A few KB declaring the whole sheet (A1:XFD1048576) with one cell at its last row."""
    sheet = (
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Order ID</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return xlsx_with_parts({"xl/worksheets/sheet1.xml": [sheet.encode()]})


def _padding(megabytes: int) -> list[bytes]:
    return [b"A" * (1024 * 1024)] * megabytes


def xlsx_big_strings_bytes(megabytes: int = 150) -> bytes:
    """A shared-string table expanding to `megabytes` MB (one long string), within the
    archive's expansion limit."""
    head = f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>'.encode()
    return xlsx_with_parts(
        {"xl/sharedStrings.xml": [head, *_padding(megabytes), b"</t></si></sst>"]}
    )


def xlsx_big_cell_bytes(megabytes: int = 150) -> bytes:
    """A sheet with a header and one cell of `megabytes` MB of text."""
    head = (
        f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>Order ID</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    ).encode()
    tail = b"</t></is></c></row></sheetData></worksheet>"
    return xlsx_with_parts({"xl/worksheets/sheet1.xml": [head, *_padding(megabytes), tail]})
