"""Streaming writers: CSV and tab-separated text, XLSX (openpyxl write-only), XML.

Each writes row by row to an open binary file and keeps nothing but the current row.
Text that a spreadsheet would run as a formula is neutralised; in XLSX numbers and dates stay
typed numbers and dates.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO
from xml.sax.saxutils import XMLGenerator

from .catalogue import DATE_FORMATS, DATETIME, INT, MONEY, MONEY_FORMATS, TEXT, Field

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    field: Field
    header: str
    format: str = ""


def text_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading quote before formula-like starts."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_text(value: Any, column: Column) -> str:
    """A value as text for CSV, TSV and XML, in the column's date or money format."""
    if value is None:
        return ""
    kind = column.field.kind
    if kind == MONEY and isinstance(value, Decimal):
        return f"{value:,.2f}" if column.format == "thousands" else f"{value:.2f}"
    if kind == DATETIME and isinstance(value, datetime | date):
        return value.strftime(DATE_FORMATS.get(column.format, DATE_FORMATS[""])[0])
    return str(value)


def _text_converter(column: Column):
    """A fast value → text function for one column (called once per cell)."""
    kind = column.field.kind
    if kind == MONEY:
        spec = ",.2f" if column.format == "thousands" else ".2f"
        return lambda v: "" if v is None else format(v, spec)
    if kind == DATETIME:
        pattern = DATE_FORMATS.get(column.format, DATE_FORMATS[""])[0]
        return lambda v: "" if v is None else v.strftime(pattern)
    if kind == TEXT:
        return lambda v: "" if v is None else text_safe(str(v))
    return lambda v: "" if v is None else str(v)


class DelimitedWriter:
    def __init__(self, out: BinaryIO, columns: list[Column], delimiter: str) -> None:
        self.columns = columns
        self.converters = [_text_converter(column) for column in columns]
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
    def __init__(self, out: BinaryIO, columns: list[Column]) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        self.out = out
        self.columns = columns
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("Orders")
        self._cell = WriteOnlyCell
        self.formats = [self._number_format(column) for column in columns]
        self.sheet.append([self._text(column.header) for column in columns])

    @staticmethod
    def _number_format(column: Column) -> str | None:
        if column.field.kind == MONEY:
            return MONEY_FORMATS.get(column.format, MONEY_FORMATS[""])
        if column.field.kind == DATETIME:
            return DATE_FORMATS.get(column.format, DATE_FORMATS[""])[1]
        return None

    def _text(self, text: str):
        if not text.startswith("="):
            return text
        cell = self._cell(self.sheet, value=text)
        cell.data_type = "s"  # stored as a string, never a formula
        return cell

    def row(self, values: list[Any]) -> None:
        cells = []
        for value, column, number_format in zip(values, self.columns, self.formats, strict=True):
            if value is None or value == "":
                cells.append(None)
            elif number_format is not None and not isinstance(value, str):
                cell = self._cell(self.sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            elif column.field.kind == INT:
                cells.append(value)
            else:
                cells.append(self._text(str(value)))
        self.sheet.append(cells)

    def close(self) -> None:
        self.workbook.save(self.out)


class XmlWriter:
    """<orders><order><order_id>…</order_id>…<lines><line>…</line></lines></order></orders>"""

    def __init__(self, out: BinaryIO, columns: list[Column]) -> None:
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self.order_columns = [c for c in columns if not c.field.line]
        self.line_columns = [c for c in columns if c.field.line]
        self.xml.startDocument()
        self.xml.startElement("orders", {})

    def _element(self, column: Column, value: Any) -> None:
        self.xml.startElement(column.field.name, {"header": column.header})
        self.xml.characters(_xml_text(cell_text(value, column)))
        self.xml.endElement(column.field.name)

    def order(self, values: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self.xml.startElement("order", {})
        for column in self.order_columns:
            self._element(column, values.get(column.field.name))
        if self.line_columns:
            self.xml.startElement("lines", {})
            for line in lines:
                self.xml.startElement("line", {})
                for column in self.line_columns:
                    self._element(column, line.get(column.field.name))
                self.xml.endElement("line")
            self.xml.endElement("lines")
        self.xml.endElement("order")

    def close(self) -> None:
        self.xml.endElement("orders")
        self.xml.endDocument()


def _xml_text(text: str) -> str:
    # Characters XML 1.0 cannot carry at all are dropped rather than breaking the document.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
