"""Reading an uploaded cost file safely: its format, its size, its header, then its rows.

Every problem with the file as a whole raises CostFileRefused with a message for the person
uploading; nothing here touches the database.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
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


class CostFileRefused(OrderError):
    """The file as a whole cannot be read as a cost file; nothing was imported."""


@dataclass(frozen=True)
class CostFile:
    """The file's header (column name → cell index) and an iterator over its data rows."""

    columns: dict[str, int]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (row number in the file, cells)


def upload_limit() -> int:
    return settings.COST_IMPORT_MAX_UPLOAD_BYTES


def cost_file_open(*, name: str, content: bytes) -> CostFile:
    """The file's header and rows, or CostFileRefused saying why it cannot be read."""
    if len(content) > upload_limit():
        raise CostFileRefused(
            f"The file is larger than the limit of {upload_limit() // (1024 * 1024)} MB."
        )
    lowered = name.lower()
    if lowered.endswith(".xls") or content.startswith(OLE_MAGIC):
        raise CostFileRefused(
            "Old Excel .xls files are not supported: save the sheet as .xlsx or CSV (UTF-8)."
        )
    if lowered.endswith(".xlsx") or (not lowered.endswith(".csv") and content[:4] == ZIP_MAGIC):
        return _xlsx_open(content)
    if lowered.endswith(".csv"):
        return _csv_open(content)
    raise CostFileRefused("Upload an .xlsx workbook or a .csv file in UTF-8.")


# ---- CSV --------------------------------------------------------------------------------------


def _csv_open(content: bytes) -> CostFile:
    if b"\x00" in content:
        raise CostFileRefused("This is not a text CSV file (it contains binary data).")
    # Decoded as it is read, not all at once: the text of a large file is never in memory.
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    numbered = _numbered(_csv_rows(reader, content))
    return _with_header(numbered)


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
    from openpyxl import load_workbook  # parses with defusedxml when it is installed

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise CostFileRefused(
            "The workbook cannot be read (damaged or not an .xlsx file)."
        ) from exc
    return _with_header(_numbered(_xlsx_rows(workbook, sheet)))


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


def _xlsx_rows(workbook, sheet) -> Iterator[tuple[Any, ...]]:
    try:
        yield from sheet.iter_rows(values_only=True)
    except CostFileRefused:
        raise
    except Exception as exc:
        raise CostFileRefused("The workbook cannot be read (damaged sheet data).") from exc
    finally:
        workbook.close()


# ---- header -----------------------------------------------------------------------------------


def _numbered(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    return ((number, row) for number, row in enumerate(rows, start=1))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _with_header(rows: Iterator[tuple[int, tuple[Any, ...]]]) -> CostFile:
    for _number, cells in rows:
        if all(_is_blank(cell) for cell in cells):
            continue
        return CostFile(columns=header_columns(cells), rows=rows)
    raise CostFileRefused(f"The file is empty: a header row is required ({EXPECTED}).")


def header_columns(cells: tuple[Any, ...]) -> dict[str, int]:
    """Column name → cell index; refuses unknown, repeated and missing required columns."""
    canonical = {name.lower(): name for name in COLUMNS}
    columns: dict[str, int] = {}
    # Trailing blank header cells (a sheet's formatted but empty columns) are not columns.
    cells = list(cells)
    while cells and _is_blank(cells[-1]):
        cells.pop()
    for index, cell in enumerate(cells):
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
