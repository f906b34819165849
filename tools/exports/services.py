"""Export mappings and the export itself: write the orders a mapping selects to a file."""

from collections.abc import Callable, Collection
from datetime import date
from typing import Any, BinaryIO

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from orders.actors import Actor
from orders.exceptions import InvalidInput, OrderError
from orders.models import Merchant, Order
from orders.selectors.selection import order_selection_cap_check
from orders.states import SCREEN_BY_SLUG
from tools.jobs import job_create, job_skips_record
from tools.models import ExportMapping, Job

from .catalogue import CODE, CODE_LABELS, FIELDS, LABEL, field_for_column, field_label
from .formats import DATE_FORMATS, MONEY_FORMATS, cell_text
from .pgcopy import copy_export_write, copy_supported
from .rows import order_records
from .writers import Column, DelimitedWriter, XlsxWriter, XmlWriter

PERMISSION = "orders.export_orders"
STANDARD = "Standard"
STANDARD_FIELDS = [
    "order_id",
    "stage",
    "placed_at",
    "email",
    "first_name",
    "last_name",
    "company",
    "billing_country",
    "shipping_country",
    "payment_method",
    "payment_status",
    "subtotal",
    "shipping_total",
    "tax",
    "discount",
    "total",
    "refunded_total",
    "actual_shipping",
    "actual_fulfillment",
    "actual_payment",
    "actual_profit",
    "tracking_numbers",
]
F = ExportMapping.Format
G = ExportMapping.Granularity


# ---- mappings ---------------------------------------------------------------------------------


def standard_columns(merchant: Merchant) -> list[dict[str, str]]:
    return [
        {"field": name, "header": field_label(FIELDS[name], merchant), "format": ""}
        for name in STANDARD_FIELDS
    ]


def export_mapping_standard_ensure(*, merchant: Merchant) -> ExportMapping:
    """The merchant's `Standard` mapping (CSV, one row per order), created when missing;
    it becomes the default when the merchant has none."""
    mapping = ExportMapping.objects.filter(merchant=merchant, name=STANDARD).first()
    has_default = ExportMapping.objects.filter(merchant=merchant, is_default=True).exists()
    if mapping is None:
        try:
            with transaction.atomic():
                mapping = ExportMapping.objects.create(
                    merchant=merchant,
                    name=STANDARD,
                    format=F.CSV,
                    granularity=G.ORDER,
                    columns=standard_columns(merchant),
                    is_default=not has_default,
                )
        except IntegrityError:  # created meanwhile by another request
            mapping = ExportMapping.objects.get(merchant=merchant, name=STANDARD)
    return mapping


def export_mapping_list(*, merchant: Merchant) -> QuerySet[ExportMapping]:
    export_mapping_standard_ensure(merchant=merchant)
    return ExportMapping.objects.filter(merchant=merchant).order_by("-is_default", "name")


def export_mapping_get(
    *, merchant: Merchant, name: str | None = None, pk: int | None = None
) -> ExportMapping:
    """A mapping of the merchant by name or pk, else its default; DoesNotExist otherwise."""
    mappings = export_mapping_list(merchant=merchant)
    if pk is not None:
        return mappings.get(pk=pk)
    if name is not None:
        return mappings.get(name=name)
    return mappings.filter(is_default=True).first() or mappings.get(name=STANDARD)


def export_columns_clean(
    *, merchant: Merchant, columns: list[dict[str, Any]], granularity: str, format: str
) -> list[dict[str, str]]:
    """The columns, checked against the catalogue; InvalidInput naming the first problem."""
    if not columns:
        raise InvalidInput("Choose at least one column.")
    cleaned = []
    for number, column in enumerate(columns, start=1):
        field = FIELDS.get(str(column.get("field", "")).strip())
        if field is None:
            raise InvalidInput(f"Column {number}: “{column.get('field')}” is not a known field.")
        if field.line and granularity == G.ORDER and format != F.XML:
            raise InvalidInput(f"Column {number}: line fields need one row per line.")
        fmt = str(column.get("format") or "").strip()
        allowed: Collection[str] = (
            DATE_FORMATS
            if field.kind == "datetime"
            else MONEY_FORMATS
            if field.kind == "money"
            else {""}
        )
        if fmt not in allowed:
            raise InvalidInput(f"Column {number}: “{fmt}” is not a format for {field.name}.")
        header = str(column.get("header") or "").strip()[:200] or field_label(field, merchant)
        entry = {"field": field.name, "header": header, "format": fmt}
        values = str(column.get("values") or CODE).strip()
        if values not in (CODE, LABEL):
            raise InvalidInput(f"Column {number}: write codes or labels, not “{values}”.")
        if values == LABEL:
            if field.name not in CODE_LABELS:
                raise InvalidInput(f"Column {number}: {field.name} has no labels, only values.")
            entry["values"] = LABEL  # codes, the default, are not written down
        cleaned.append(entry)
    return cleaned


def export_mapping_check(
    *,
    merchant: Merchant,
    name: str,
    format: str,
    granularity: str,
    columns: list[dict[str, Any]],
    mapping: ExportMapping | None = None,
) -> tuple[str, list[dict[str, str]]]:
    """What saving the mapping would refuse, without saving: InvalidInput naming the first
    problem, else the name and columns as they would be stored. The editor asks it as the
    mapping is edited, so that its message goes away once the problem is fixed."""
    if format not in F.values or granularity not in G.values:
        raise InvalidInput("Choose a format and a granularity.")
    cleaned = export_columns_clean(
        merchant=merchant, columns=columns, granularity=granularity, format=format
    )
    name = name.strip()[:100]
    if not name:
        raise InvalidInput("A mapping needs a name.")
    clash = ExportMapping.objects.filter(merchant=merchant, name=name)
    if mapping is not None:
        clash = clash.exclude(pk=mapping.pk)
    if clash.exists():
        raise InvalidInput(f"There is already a mapping named “{name}”.")
    return name, cleaned


def export_mapping_save(
    *,
    merchant: Merchant,
    name: str,
    format: str,
    granularity: str,
    columns: list[dict[str, Any]],
    is_default: bool = False,
    mapping: ExportMapping | None = None,
    by: Actor = None,
) -> ExportMapping:
    """Create or change a mapping; making it the default unsets the previous default."""
    if by is not None and not by.has_perm(PERMISSION, merchant):
        raise OrderError("You may not change export mappings for this merchant.")
    name, cleaned = export_mapping_check(
        merchant=merchant,
        name=name,
        format=format,
        granularity=granularity,
        columns=columns,
        mapping=mapping,
    )
    mapping = mapping or ExportMapping(merchant=merchant)
    mapping.name, mapping.format, mapping.granularity = name, format, granularity
    mapping.columns = cleaned
    with transaction.atomic():
        if is_default:
            ExportMapping.objects.filter(merchant=merchant, is_default=True).exclude(
                pk=mapping.pk
            ).update(is_default=False)
            mapping.is_default = True
        mapping.save()
    return mapping


# ---- writing ------------------------------------------------------------------------------------


def mapping_columns(*, mapping: ExportMapping) -> list[Column]:
    return [
        Column(
            field_for_column(c["field"], c.get("values") or CODE),
            c.get("header") or field_label(FIELDS[c["field"]], mapping.merchant),
            c.get("format", ""),
        )
        for c in mapping.columns
        if c.get("field") in FIELDS
    ]


def export_queryset(
    *,
    merchant: Merchant,
    stage: str = "",
    placed_from: date | None = None,
    placed_to: date | None = None,
    base: QuerySet[Order] | None = None,
) -> QuerySet[Order]:
    """The merchant's live orders on a stage screen and placed between two dates.

    `base` is any queryset of orders (a list screen's filter) to narrow further.
    """
    queryset = (base if base is not None else Order.objects.all()).filter(
        merchant=merchant, deleted_at__isnull=True
    )
    if stage:
        screen = SCREEN_BY_SLUG.get(stage)
        if screen is None:
            raise InvalidInput(f"“{stage}” is not a stage screen.")
        queryset = queryset.filter(stage__in=screen.stages)
    if placed_from:
        queryset = queryset.filter(placed_at__date__gte=placed_from)
    if placed_to:
        queryset = queryset.filter(placed_at__date__lte=placed_to)
    return queryset


def export_write(
    *,
    mapping: ExportMapping,
    queryset: QuerySet[Order],
    out: BinaryIO,
    format: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write the queryset's live orders through the mapping to `out`; the number of orders.

    `progress(done)` is called after every chunk of orders. CSV and TSV are written by
    PostgreSQL's COPY where it can (pgcopy.py), with the same bytes as the writers here.
    """
    fmt = format or mapping.format
    columns = mapping_columns(mapping=mapping)
    if fmt in (F.CSV, F.TSV) and copy_supported(queryset=queryset, columns=columns):
        return copy_export_write(
            merchant=mapping.merchant,
            queryset=queryset,
            columns=columns,
            line_rows=mapping.granularity == G.LINE,
            delimiter="\t" if fmt == F.TSV else ",",
            out=out,
            progress=progress,
        )
    return export_write_python(
        mapping=mapping, queryset=queryset, out=out, format=fmt, progress=progress
    )


def export_write_python(
    *,
    mapping: ExportMapping,
    queryset: QuerySet[Order],
    out: BinaryIO,
    format: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """export_write row by row in Python: every format, on every database. For CSV and TSV it
    is what the COPY path must reproduce byte for byte."""
    fmt = format or mapping.format
    columns = mapping_columns(mapping=mapping)
    line_rows = mapping.granularity == G.LINE and fmt != F.XML
    places = _line_places(columns)
    records = order_records(
        merchant=mapping.merchant, queryset=queryset, fields=[c.field for c in columns]
    )
    writer: XmlWriter | XlsxWriter | DelimitedWriter
    if fmt == F.XML:
        writer = XmlWriter(out, columns)
    elif fmt == F.XLSX:
        writer = XlsxWriter(out, columns)
    else:
        writer = DelimitedWriter(out, columns, "\t" if fmt == F.TSV else ",")
    count = 0
    for record in records:
        count += 1
        if isinstance(writer, XmlWriter):
            writer.order(record.values, record.lines)
        else:
            for row in _rows(record, places, line_rows):
                writer.row(row)
        if progress is not None and count % 2000 == 0:
            progress(count)
    writer.close()
    return count


def _line_places(columns: list[Column]) -> list[int]:
    return [n for n, column in enumerate(columns) if column.field.line]


def _rows(record, places: list[int], line_rows: bool):
    """The record's rows: itself, or one per line (an order without lines: one row);
    `places` are the line columns' positions."""
    if not line_rows or not record.lines:
        yield record.values
        return
    for line in record.lines:
        row = record.values.copy()
        for place, value in zip(places, line, strict=True):
            row[place] = value
        yield row


def export_preview(*, mapping: ExportMapping, limit: int = 5) -> tuple[list[str], list[list[str]]]:
    """The headers and the first rows as text, on the merchant's real orders."""
    columns = mapping_columns(mapping=mapping)
    queryset = Order.objects.filter(
        pk__in=Order.objects.filter(merchant=mapping.merchant, deleted_at__isnull=True)
        .order_by("-pk")
        .values("pk")[:limit]
    )
    line_rows = mapping.granularity == G.LINE and mapping.format != F.XML
    rows: list[list[str]] = []
    for record in order_records(
        merchant=mapping.merchant, queryset=queryset, fields=[c.field for c in columns]
    ):
        for row in _rows(record, _line_places(columns), line_rows):
            rows.append(
                [cell_text(v, c.field, c.format) for v, c in zip(row, columns, strict=True)]
            )
    return [c.header for c in columns], rows[:limit]


# ---- the job ------------------------------------------------------------------------------------


def export_start(
    *,
    merchant: Merchant,
    mapping: ExportMapping,
    stage: str = "",
    format: str = "",
    placed_from: date | None = None,
    placed_to: date | None = None,
    by: Actor = None,
    queue: str | None = None,
    order_pks: list[int] | None = None,
    selection: dict[str, Any] | None = None,
) -> Job:
    """Start an export job. Side effect: its task is queued after commit.

    `order_pks` narrows the export to chosen orders (a list screen's selection); `selection`
    says how they were chosen, for the job page and the audit event.
    """
    if mapping.merchant_id != merchant.pk:
        raise OrderError("No such mapping.")
    export_queryset(merchant=merchant, stage=stage)  # refuse an unknown stage now
    params = {
        "mapping_id": mapping.pk,
        "mapping": mapping.name,
        "stage": stage,
        "format": format or mapping.format,
        "placed_from": placed_from.isoformat() if placed_from else "",
        "placed_to": placed_to.isoformat() if placed_to else "",
    }
    if selection is not None:
        params["selection"] = selection
    return job_create(
        merchant=merchant,
        kind="export",
        params=params,
        order_pks=order_pks or [],
        by=by,
        queue=queue,
        permission=PERMISSION,
    )


def export_selection_start(
    *,
    merchant: Merchant,
    mapping_pk: Any,
    format: str = "",
    order_pks: list[int],
    skipped: list[tuple[int, str, str]] | None = None,
    by: Actor = None,
    selection: dict[str, Any] | None = None,
    queue: str | None = None,
) -> Job:
    """Export chosen orders (a list's selection, a batch) through one of the merchant's
    mappings as one job. Side effects: the job, with a "skipped" outcome for each order in
    `skipped` (pk, order ID, reason); its task is queued after commit.

    InvalidInput, and nothing created, for no such mapping or format, or no orders;
    SelectionTooLarge for more than the selection cap (orders.selectors.selection).
    """
    if by is not None and not by.has_perm(PERMISSION, merchant):
        raise OrderError("You may not export this merchant's orders.")
    try:
        mapping = export_mapping_get(merchant=merchant, pk=int(mapping_pk))
    except (ExportMapping.DoesNotExist, TypeError, ValueError) as exc:
        raise InvalidInput("Choose one of your export mappings.") from exc
    if format and format not in F.values:
        raise InvalidInput(f"“{format}” is not an export format.")
    pks = list(dict.fromkeys(int(pk) for pk in order_pks))
    if not pks:
        # An export job without orders would export every order: refuse instead.
        raise InvalidInput("None of the selected orders can be exported.")
    order_selection_cap_check(
        len(pks), hint="narrow the selection, or export a whole stage from Export Orders"
    )
    with transaction.atomic():
        job = export_start(
            merchant=merchant,
            mapping=mapping,
            format=format,
            by=by,
            queue=queue,
            order_pks=pks,
            selection=selection,
        )
        job_skips_record(job=job, skipped=skipped or [])
    return job
