"""Streaming writers: CSV and tab-separated text, XLSX (openpyxl write-only), XML.

Each writes row by row to an open binary file and keeps nothing but the current row.
Text that a spreadsheet would run as a formula is neutralised; in XLSX numbers and dates stay
typed numbers and dates. Rows are lists of values, one per column (rows.py).
"""

import csv
import io
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from .catalogue import DATETIME, MONEY, TEXT, Field
from .formats import cell_text, date_format, money_format, text_converter, text_safe


@dataclass(frozen=True)
class Column:
    field: Field
    header: str
    format: str = ""


class DelimitedWriter:
    def __init__(self, out: BinaryIO, columns: list[Column], delimiter: str) -> None:
        self.converters = [text_converter(c.field, c.format) for c in columns]
        # UTF-8 with a byte-order mark: spreadsheet programs then read accents correctly.
        self.text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
        self.writer = csv.writer(self.text, delimiter=delimiter, lineterminator="\r\n")
        self.writer.writerow([text_safe(column.header) for column in columns])

    def row(self, values: list[Any]) -> None:
        self.writer.writerow(
            [convert(v) for convert, v in zip(self.converters, values, strict=True)]
        )

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


class XlsxWriter:
    """openpyxl write-only, with one cell per column made (and styled) once.

    openpyxl's own append makes a new cell for every value, and a styled cell handed to it is
    first tried as a value (an exception per cell); together that was most of the export's
    time. Rows are written out as they are appended, so the column's cell is simply refilled.
    """

    def __init__(self, out: BinaryIO, columns: list[Column]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils.exceptions import IllegalCharacterError

        self.illegal_character = IllegalCharacterError
        self.out = out
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("Orders")
        headers = [WriteOnlyCell(self.sheet, value=_xml_text(c.header)) for c in columns]
        for cell in headers:
            cell.data_type = "s"  # stored as a string, never a formula
        self.sheet.append(headers)
        self.cells = [self._column_cell(WriteOnlyCell, n, c) for n, c in enumerate(columns, 1)]
        self.text = [column.field.kind == TEXT for column in columns]
        # The row hook of openpyxl's write-only sheet (called once per appended row). Without
        # it text could turn into formulas: fail loudly should openpyxl ever drop it.
        if not callable(getattr(self.sheet, "_values_to_row", None)):
            raise RuntimeError("openpyxl's write-only sheet has no _values_to_row hook")
        self.sheet._values_to_row = self._row_cells

    def _column_cell(self, make, number: int, column: Column):
        cell = make(self.sheet)
        cell.column = number
        if column.field.kind == MONEY:
            cell.number_format = money_format(column.format).excel
        elif column.field.kind == DATETIME:
            cell.number_format = date_format(column.format).excel
        return cell

    def _row_cells(self, values: list[Any], row_number: int):
        for cell, is_text, value in zip(self.cells, self.text, values, strict=True):
            if value is None or value == "":
                continue
            if is_text:
                value = str(value)
                try:
                    cell.value = value
                except self.illegal_character:  # control characters XLSX cannot hold
                    cell.value = _xml_text(value)
                cell.data_type = "s"  # never a formula or an error value
            else:
                cell.value = value
            cell.row = row_number
            yield cell

    def row(self, values: list[Any]) -> None:
        self.sheet.append(values)

    def close(self) -> None:
        self.workbook.save(self.out)


NO_ATTRIBUTES = AttributesImpl({})


class XmlWriter:
    """<orders><order><order_id>…</order_id>…<lines><line>…</line></lines></order></orders>"""

    def __init__(self, out: BinaryIO, columns: list[Column]) -> None:
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self.order_columns = [(n, c) for n, c in enumerate(columns) if not c.field.line]
        self.line_columns = [c for c in columns if c.field.line]
        self.xml.startDocument()
        self.xml.startElement("orders", NO_ATTRIBUTES)

    def _element(self, column: Column, value: Any) -> None:
        self.xml.startElement(column.field.name, AttributesImpl({"header": column.header}))
        self.xml.characters(_xml_text(cell_text(value, column.field, column.format)))
        self.xml.endElement(column.field.name)

    def order(self, values: list[Any], lines: list[list[Any]]) -> None:
        """The order's values (one per column) and its lines' (one per line column)."""
        self.xml.startElement("order", NO_ATTRIBUTES)
        for number, column in self.order_columns:
            self._element(column, values[number])
        if self.line_columns:
            self.xml.startElement("lines", NO_ATTRIBUTES)
            for line in lines:
                self.xml.startElement("line", NO_ATTRIBUTES)
                for column, value in zip(self.line_columns, line, strict=True):
                    self._element(column, value)
                self.xml.endElement("line")
            self.xml.endElement("lines")
        self.xml.endElement("order")

    def close(self) -> None:
        self.xml.endElement("orders")
        self.xml.endDocument()


def _xml_text(text: str) -> str:
    # Characters XML 1.0 cannot carry at all are dropped rather than breaking the document.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
