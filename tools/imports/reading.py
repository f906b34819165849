"""Reading an uploaded cost file safely: its format, its size, its header, then its rows.

Every problem with the file as a whole raises CostFileRefused with a message for the person
uploading; nothing here touches the database.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from orders.exceptions import OrderError

ORDER_ID = "Order ID"
SHIPPING = "Actual Shipping"
FULFILLMENT = "Actual Fulfillment"
PAYMENT = "Actual Payment"
COLUMNS = (ORDER_ID, SHIPPING, FULFILLMENT, PAYMENT)
EXPECTED = "Order ID (required), Actual Shipping, Actual Fulfillment, Actual Payment"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other OLE documents)
# A cost file has four named columns; a sheet's formatted but empty columns may follow them.
MAX_COLUMNS = 200
# Far more than a row of a cost file takes in a sheet's XML (a few hundred bytes).
ROW_XML_LIMIT = 1024 * 1024
# openpyxl reads the table at about 3 MB a second: this much keeps a refusal within seconds.
SHARED_STRINGS_LIMIT = 16 * 1024 * 1024


class CostFileRefused(OrderError):
    """The file as a whole cannot be read as a cost file; nothing was imported."""


@dataclass(frozen=True)
class CostFile:
    """The file's header (column name → cell index) and an iterator over its data rows."""

    columns: dict[str, int]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (row number in the file, cells)
    # (bytes read so far, bytes to read): how far through the file the rows are.
    progress: Callable[[], tuple[int, int]] = lambda: (0, 0)


def upload_limit() -> int:
    return settings.COST_IMPORT_MAX_UPLOAD_BYTES


def cost_file_check(*, name: str, size: int, head: bytes) -> None:
    """Refuse, from its name, size and first bytes alone, a file that cannot be a cost file:
    what an upload is checked for before it is stored (it is read later, on a worker)."""
    if size > upload_limit():
        raise CostFileRefused(
            f"The file is larger than the limit of {upload_limit() // (1024 * 1024)} MB."
        )
    lowered = name.lower()
    if lowered.endswith(".xls") or head.startswith(OLE_MAGIC):
        raise CostFileRefused(
            "Old Excel .xls files are not supported: save the sheet as .xlsx or CSV (UTF-8)."
        )
    if not (lowered.endswith((".xlsx", ".csv")) or head[:4] == ZIP_MAGIC):
        raise CostFileRefused("Upload an .xlsx workbook or a .csv file in UTF-8.")


def cost_file_open(*, name: str, content: bytes) -> CostFile:
    """The file's header and rows, or CostFileRefused saying why it cannot be read."""
    cost_file_check(name=name, size=len(content), head=content[:8])
    lowered = name.lower()
    if lowered.endswith(".xlsx") or (not lowered.endswith(".csv") and content[:4] == ZIP_MAGIC):
        return _xlsx_open(content)
    return _csv_open(content)


def _rows_limited(rows: Iterator[tuple[int, tuple[Any, ...]]]):
    """The rows, refusing the file at its first row past the row limit or column limit."""
    limit = settings.COST_IMPORT_MAX_ROWS
    for number, cells in rows:
        if number > limit:
            raise CostFileRefused(
                f"The file goes past row {limit:,} (row {number:,} has values or formatting): "
                f"at most {limit:,} rows per file; split it and import each part."
            )
        if len(cells) > MAX_COLUMNS:
            raise _too_wide(number)
        yield number, cells


def _too_wide(number: int) -> CostFileRefused:
    return CostFileRefused(
        f"Row {number:,} has cells beyond column {MAX_COLUMNS}: a cost file has at most "
        f"{MAX_COLUMNS} columns ({EXPECTED})."
    )


# ---- CSV --------------------------------------------------------------------------------------


def _csv_open(content: bytes) -> CostFile:
    if b"\x00" in content:
        raise CostFileRefused("This is not a text CSV file (it contains binary data).")
    # Decoded as it is read, not all at once: the text of a large file is never in memory.
    raw = io.BytesIO(content)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    rows = _rows_limited(_numbered(_csv_rows(reader, content)))
    # The text wrapper closes the bytes once the rows are all read.
    size = len(content)
    return _with_header(rows, progress=lambda: (size if raw.closed else raw.tell(), size))


def _csv_rows(reader, content: bytes) -> Iterator[tuple[Any, ...]]:
    try:
        for row in reader:
            yield tuple(row)
    except csv.Error as exc:
        raise CostFileRefused(
            f"The CSV file is malformed near line {reader.line_num}: {exc}."
        ) from exc
    except UnicodeDecodeError:
        raise _not_utf8(content) from None


def _not_utf8(content: bytes) -> CostFileRefused:
    """The refusal naming the first unreadable byte (found by decoding it all, only now)."""
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return CostFileRefused(
            f"The CSV file is not UTF-8 (unreadable byte at position {exc.start}): "
            "save it as “CSV UTF-8”."
        )
    return CostFileRefused("The CSV file is not UTF-8: save it as “CSV UTF-8”.")


# ---- XLSX -------------------------------------------------------------------------------------


def _xlsx_open(content: bytes) -> CostFile:
    _xlsx_check_archive(content)
    try:
        archive, path, parser = _xlsx_first_sheet(content)
        source = parser.source
        size = archive.getinfo(path).file_size
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise CostFileRefused(
            "The workbook cannot be read (damaged or not an .xlsx file)."
        ) from exc
    rows = _rows_limited(_xlsx_rows(archive, source, parser))
    return _with_header(rows, progress=lambda: (source.read_total, size))


def _xlsx_first_sheet(content: bytes):
    """(archive, first sheet's path, a parser of its rows).

    openpyxl's reader, step by step, without load_workbook: that one sizes every sheet first
    by parsing it up to its <dimension> (the whole sheet when it has none), and its read-only
    sheet pads every row to the declared width and yields every missing row in between (a
    5 KB file declaring A1:XFD1048576 was a million rows of 16,384 cells). The sheet's own
    parser yields only the rows that exist, with their cells.
    """
    from openpyxl.reader.excel import ExcelReader  # parses with defusedxml when installed
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    workbook = reader.wb
    apply_stylesheet(reader.archive, workbook)  # which cells are dates
    path = next(
        rel.target
        for _sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    )
    parser = WorkSheetParser(
        _SheetSource(reader.archive.open(path)),
        reader.shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    return reader.archive, path, parser


def _xlsx_check_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CostFileRefused(
            "The workbook cannot be read (damaged or not an .xlsx file)."
        ) from exc
    expanded = sum(entry.file_size for entry in entries)
    limit = settings.COST_IMPORT_MAX_EXPANDED_BYTES
    if expanded > limit or len(entries) > 10_000:
        raise CostFileRefused(
            f"The workbook would expand to more than {limit // (1024 * 1024)} MB: refused."
        )
    # openpyxl reads the whole shared-string table before the first row; a cost file's
    # (order IDs, a few amounts as text) is a small fraction of this.
    strings = sum(e.file_size for e in entries if e.filename.lower().endswith("sharedstrings.xml"))
    if strings > SHARED_STRINGS_LIMIT:
        raise CostFileRefused(
            f"The workbook's text would expand to more than "
            f"{SHARED_STRINGS_LIMIT // (1024 * 1024)} MB: refused."
        )


class _SheetSource:
    """The sheet's XML as the parser reads it, refusing a file that holds more than
    ROW_XML_LIMIT bytes before a row or within one (a giant cell, or padding between rows)
    as soon as that much has been read, rather than once it is all parsed into memory."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.since_row = 0
        self.last_row = 0
        self.read_total = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if 0 < size <= 65536 else 65536)
        self.since_row += len(data)
        self.read_total += len(data)
        if self.since_row > ROW_XML_LIMIT:
            where = f"after row {self.last_row:,}" if self.last_row else "before the first row"
            raise CostFileRefused(
                f"The sheet holds more than {ROW_XML_LIMIT // (1024 * 1024)} MB of data in one "
                f"place ({where}): refused."
            )
        return data

    def row_read(self, number: int) -> None:
        self.since_row = 0
        self.last_row = number

    def close(self) -> None:
        self.raw.close()


def _xlsx_rows(archive, source: _SheetSource, parser) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of the rows the sheet has, each as wide as its last cell."""
    try:
        for number, cells in parser.parse():
            source.row_read(number)
            values: list[Any] = []
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS:
                    raise _too_wide(number)
                values.extend([None] * (column - len(values)))
                values[column - 1] = cell["value"]
            yield number, tuple(values)
    except CostFileRefused:
        raise
    except Exception as exc:
        raise CostFileRefused("The workbook cannot be read (damaged sheet data).") from exc
    finally:
        source.close()
        archive.close()


# ---- header -----------------------------------------------------------------------------------


def _numbered(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    return ((number, row) for number, row in enumerate(rows, start=1))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _with_header(rows: Iterator[tuple[int, tuple[Any, ...]]], progress) -> CostFile:
    for _number, cells in rows:
        if all(_is_blank(cell) for cell in cells):
            continue
        return CostFile(columns=header_columns(cells), rows=rows, progress=progress)
    raise CostFileRefused(f"The file is empty: a header row is required ({EXPECTED}).")


def header_columns(cells: tuple[Any, ...]) -> dict[str, int]:
    """Column name → cell index; refuses unknown, repeated and missing required columns."""
    canonical = {name.lower(): name for name in COLUMNS}
    columns: dict[str, int] = {}
    # Trailing blank header cells (a sheet's formatted but empty columns) are not columns.
    named = list(cells)
    while named and _is_blank(named[-1]):
        named.pop()
    for index, cell in enumerate(named):
        text = "" if cell is None else str(cell).strip()
        name = canonical.get(text.lower())
        if name is None:
            shown = text or "(blank)"
            raise CostFileRefused(f"Unknown column “{shown}”: the columns must be {EXPECTED}.")
        if name in columns:
            raise CostFileRefused(f"Column “{name}” appears twice: the columns must be {EXPECTED}.")
        columns[name] = index
    if ORDER_ID not in columns:
        raise CostFileRefused(f"The “Order ID” column is missing: the columns must be {EXPECTED}.")
    return columns
