"""How each kind of value becomes text, in Python and in SQL side by side.

The Python rendering is what the CSV, TSV and XML writers call per cell; the SQL rendering is
the same text produced by PostgreSQL, for the COPY path of CSV and TSV (pgcopy.py). The two
must agree byte for byte (tests/tools/test_export_copy.py compares them).
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from .catalogue import DATETIME, MONEY, TEXT, Field

# A text cell starting with one of these is shown as text by spreadsheet programs, never run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class DateFormat(NamedTuple):
    python: str  # strftime
    excel: str  # XLSX number format
    sql: str  # PostgreSQL to_char; FMYYYY: no zero padding, as glibc's %Y


class MoneyFormat(NamedTuple):
    python: str  # format() spec of a Decimal
    excel: str
    sql: str  # "" is the numeric's own text (scale 2, like ".2f")


DATE_FORMATS = {
    "": DateFormat("%Y-%m-%d %H:%M:%S", "yyyy-mm-dd hh:mm:ss", "FMYYYY-MM-DD HH24:MI:SS"),
    "date": DateFormat("%Y-%m-%d", "yyyy-mm-dd", "FMYYYY-MM-DD"),
    "us": DateFormat("%m/%d/%Y", "mm/dd/yyyy", "MM/DD/FMYYYY"),
    "eu": DateFormat("%d/%m/%Y", "dd/mm/yyyy", "DD/MM/FMYYYY"),
    "iso": DateFormat("%Y-%m-%dT%H:%M:%S", "yyyy-mm-dd\\Thh:mm:ss", 'FMYYYY-MM-DD"T"HH24:MI:SS'),
}
MONEY_FORMATS = {
    "": MoneyFormat(".2f", "0.00", ""),
    # Room for any line total (numeric(12,2) × a 32-bit quantity has at most 20 digits).
    "thousands": MoneyFormat(",.2f", "#,##0.00", "FM" + "999," * 9 + "990.00"),
}


def date_format(name: str) -> DateFormat:
    return DATE_FORMATS.get(name, DATE_FORMATS[""])


def money_format(name: str) -> MoneyFormat:
    return MONEY_FORMATS.get(name, MONEY_FORMATS[""])


# ---- Python -------------------------------------------------------------------------------------


def text_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading quote before formula-like starts."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def text_converter(field: Field, fmt: str) -> Callable[[Any], str]:
    """A fast value → text function for one column of CSV or TSV (called once per cell)."""
    if field.kind == MONEY:
        spec = money_format(fmt).python
        return lambda v: "" if v is None else format(v, spec)
    if field.kind == DATETIME:
        pattern = date_format(fmt).python
        return lambda v: "" if v is None else v.strftime(pattern)
    if field.kind == TEXT:
        return lambda v: "" if v is None else text_safe(str(v))
    return lambda v: "" if v is None else str(v)


def cell_text(value: Any, field: Field, fmt: str) -> str:
    """A value as text for XML and the preview: formatted like CSV, without the text guard."""
    if value is None:
        return ""
    if field.kind == MONEY and isinstance(value, Decimal):
        return format(value, money_format(fmt).python)
    if field.kind == DATETIME and isinstance(value, datetime | date):
        return value.strftime(date_format(fmt).python)
    return str(value)


# ---- SQL (PostgreSQL) ---------------------------------------------------------------------------
# `value` is an SQL expression of the raw value. COPY writes a NULL as nothing and quotes an
# empty text (""), where the csv module writes nothing for both: so no rendering gives '', and
# a NULL stays NULL. The %(time_zone)s parameter is bound by pgcopy.py.

# ascii() is the first character's code point (0 for ''): cheaper than comparing texts.
_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)


def text_sql(field: Field, fmt: str, value: str) -> str:
    """The SQL producing exactly what text_converter(field, fmt) produces for the value."""
    if field.kind == MONEY:
        pattern = money_format(fmt).sql
        return f"to_char({value}, '{pattern}')" if pattern else f"({value})::text"
    if field.kind == DATETIME:
        # Whole seconds in the merchant's zone, as rows.py gives the Python writers.
        return f"to_char(({value}) AT TIME ZONE %(time_zone)s, '{date_format(fmt).sql}')"
    if field.kind == TEXT:
        return (
            f"NULLIF(CASE WHEN ascii({value}) IN ({_FORMULA_CODES}) "
            f"THEN '''' || ({value}) ELSE ({value})::text END, '')"
        )
    return f"({value})::text"
