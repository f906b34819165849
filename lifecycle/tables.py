"""The order table of every list screen: columns, cells and row highlights.

Sorting is not django-tables2's: the view pages by keyset (orders.selectors.lists) and the
template draws the sort links, so the table only renders the rows it is given.
"""

from datetime import datetime, timedelta

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django_tables2.utils import A, AttributeDict, signature

from lifecycle.templatetags.lifecycle_tags import money
from orders.models import Merchant, Order
from orders.selectors.list_columns import ReceivableFacts
from orders.states import Stage

# column name → the `sort` key it sorts by (only indexed columns sort).
SORTABLE = {"order_id": "number", "placed_at": "placed", "total": "total", "age": "age"}
# Columns whose values come from other rows (orders.selectors.list_columns), read for a page.
RECEIVABLE_COLUMNS = frozenset({"last_attempt", "next_retry", "decline_reason"})
# Free text may wrap, within a width, so that a long reason never widens the table.
WRAP = {"td": {"class": "wrap"}}


class DateTimeCell(tables.Column):
    """A date or date-time in a `date` filter format, in the current time zone — as
    django-tables2's DateTimeColumn shows it, without rendering a template for every cell."""

    def __init__(self, *args, format: str, **kwargs):
        self.format = format
        super().__init__(*args, **kwargs)

    def render(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, self.format)


def _row_classes(record: Order, table: "OrderTable") -> str:
    classes = []
    if record.payment_status == "declined":
        classes.append("row-declined")
    if record.fraud_score >= table.merchant.fraud_review_threshold:
        classes.append("row-fraud")
    if record.is_test:
        classes.append("row-test")
    if table.is_overdue(record):
        classes.append("row-overdue")
    return " ".join(classes)


class OrderTable(tables.Table):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "input": {"name": "order", "form": "bulk-form", "aria-label": "Select order"},
            "th__input": {"id": "select-page", "aria-label": "Select every order on this page"},
        },
    )
    order_id = tables.Column(verbose_name="Order", attrs={"td": {"class": "order-id"}})
    stage = tables.Column(verbose_name="Stage")
    placed_at = DateTimeCell(verbose_name="Placed", format="Y-m-d H:i")
    customer = tables.Column(empty_values=(), verbose_name="Customer", accessor="email", attrs=WRAP)
    company = tables.Column(verbose_name="Company")
    phone = tables.Column(verbose_name="Phone")
    total = tables.Column(
        verbose_name="Total", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    payment = tables.Column(empty_values=(), verbose_name="Payment", accessor="payment_method")
    status = tables.Column(empty_values=(), verbose_name="Status", accessor="payment_status")
    age = tables.Column(
        empty_values=(),
        verbose_name="Age",
        accessor="stage_entered_at",
        attrs={"td": {"class": "num age"}, "th": {"class": "num"}},
    )
    paid_at = DateTimeCell(verbose_name="Paid", format="Y-m-d")
    shipped_at = DateTimeCell(verbose_name="Shipped", format="Y-m-d")
    fraud = tables.Column(
        verbose_name="Fraud score",
        accessor="fraud_score",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    fraud_rule = tables.Column(
        empty_values=(), verbose_name="Top rule", accessor="fraud_reasons", attrs=WRAP
    )
    provider = tables.Column(empty_values=(), verbose_name="Method", accessor="payment_method")
    submitted = DateTimeCell(
        verbose_name="Submitted", format="Y-m-d H:i", accessor="stage_entered_at"
    )
    last_attempt = tables.Column(empty_values=(), verbose_name="Last attempt", accessor="pk")
    next_retry = tables.Column(empty_values=(), verbose_name="Next retry", accessor="pk")
    decline_reason = tables.Column(
        empty_values=(), verbose_name="Decline reason", accessor="pk", attrs=WRAP
    )
    quote_sent_at = DateTimeCell(verbose_name="Quote sent", format="Y-m-d")
    quote_expires = tables.Column(empty_values=(), verbose_name="Expires", accessor="quote_sent_at")
    hold_reason = tables.Column(verbose_name="Hold reason", attrs=WRAP)
    held_since = DateTimeCell(
        verbose_name="Held since", format="Y-m-d", accessor="stage_entered_at"
    )
    hold_until = DateTimeCell(verbose_name="Release on", format="Y-m-d")
    shipping_method = tables.Column(verbose_name="Shipping method")
    destination = tables.Column(
        empty_values=(), verbose_name="Destination", accessor="shipping_country", attrs=WRAP
    )
    reject_reason = tables.Column(verbose_name="Reason", attrs=WRAP)
    rejected_by = tables.Column(verbose_name="Rejected by", accessor="rejected_by__username")
    rejected_at = DateTimeCell(verbose_name="Rejected", format="Y-m-d H:i")

    class Meta:
        orderable = False
        attrs = {"class": "data order-table", "id": "order-table"}
        row_attrs = {
            "class": _row_classes,
            "data-order-id": lambda record: record.order_id,
        }
        empty_text = "No orders match."

    def __init__(self, *args, merchant: Merchant, columns=(), **kwargs):
        self.merchant = merchant
        # Accounts Receivable's facts from other rows, by order pk (set by the list view).
        self.receivables: dict[int, ReceivableFacts] = {}
        self.now = timezone.now()
        names = [name for name in self.base_columns if name != "select"]
        kwargs["exclude"] = [name for name in names if name not in columns]
        kwargs["sequence"] = ["select", *columns, "..."]
        super().__init__(*args, **kwargs)
        self._limits = {stage: merchant.stage_age_limit(stage) for stage in Stage.values}

    def rows_html(self) -> list[SafeString]:
        """The page's rows as HTML: the same cells django-tables2 draws (row_cells), with the
        work its per-cell machinery repeats (a signature inspection and an accessor walk per
        cell, ~1 ms a row) done once per column."""
        cells = self._cell_renderers()
        return [
            format_html(
                "<tr {}>{}</tr>",
                row_attrs,
                format_html_join("", "<td {}>{}</td>", row_cells),
            )
            for row_attrs, row_cells in (
                self.row_cells(record, index, cells) for index, record in enumerate(self.data)
            )
        ]

    def _cell_renderers(self) -> list["_CellRenderer"]:
        return [_CellRenderer(self, bound_column) for bound_column in self.columns]

    def row_cells(self, record: Order, index: int, cells) -> tuple[str, list[tuple[str, str]]]:
        """(the row's attributes, [(a cell's attributes, its content)]) as HTML."""
        row_class = " ".join(filter(None, [_row_classes(record, self), _EVEN_ODD[index % 2]]))
        attrs = AttributeDict({"class": row_class, "data-order-id": record.order_id})
        return attrs.as_html(), [(cell.td_attrs, cell.render(record)) for cell in cells]

    def is_overdue(self, record: Order) -> bool:
        limit = self._limits.get(record.stage)
        return bool(limit) and record.stage_entered_at < self.now - timedelta(days=limit)

    def render_order_id(self, record: Order):
        url = reverse("order-detail", kwargs={"order_id": record.order_id})
        return format_html('<a href="{}">{}</a>', url, record.order_id)

    def render_stage(self, record: Order) -> str:
        return record.get_stage_display()

    def render_customer(self, record: Order):
        name = record.customer_name or "—"
        return format_html('{} · <span class="email">{}</span>', name, record.email)

    def render_total(self, value) -> str:
        return money(value)

    def render_payment(self, record: Order) -> str:
        label = record.get_payment_method_display()
        return f"{label} ·{record.card_last4}" if record.card_last4 else label

    def render_status(self, record: Order) -> str:
        status = record.get_payment_status_display()
        return f"test · {status}" if record.is_test else status

    def render_age(self, record: Order):
        days = max((self.now - record.stage_entered_at).days, 0)
        if self.is_overdue(record):
            return format_html('{} d <span class="overdue">overdue</span>', days)
        return f"{days} d"

    def render_provider(self, record: Order) -> str:
        return record.get_payment_method_display()

    def render_quote_expires(self, record: Order) -> str:
        if record.quote_sent_at is None:
            return "—"
        expires = record.quote_sent_at + timedelta(days=self.merchant.quote_expiry_days)
        return expires.strftime("%Y-%m-%d")

    def render_fraud_rule(self, record: Order) -> str:
        hits = [hit for hit in record.fraud_reasons or [] if isinstance(hit, dict)]
        if not hits:
            return "—"
        top = max(hits, key=lambda hit: hit.get("points") or 0)
        return f"+{top.get('points', 0)} {top.get('reason') or top.get('rule', '')}"

    def render_last_attempt(self, record: Order) -> str:
        facts = self.receivables.get(record.pk)
        if facts is None or facts.last_attempt_at is None:
            return "—"
        return date_format(timezone.localtime(facts.last_attempt_at), "Y-m-d H:i")

    def render_next_retry(self, record: Order) -> str:
        facts = self.receivables.get(record.pk)
        if facts is None or facts.next_retry is None:
            return "—"
        return facts.next_retry.isoformat()

    def render_decline_reason(self, record: Order) -> str:
        facts = self.receivables.get(record.pk)
        return (facts.decline_reason if facts else "") or "—"

    def render_destination(self, record: Order) -> str:
        parts = [record.shipping_city, record.shipping_region, record.shipping_country]
        return ", ".join(part for part in parts if part) or "—"


_EVEN_ODD = ("even", "odd")


class _CellRenderer:
    """One column's cells, as django-tables2's BoundRow renders them for this table's columns
    (model-field values, choice labels, empty values, render methods), prepared once."""

    def __init__(self, table: OrderTable, bound_column) -> None:
        self.column = bound_column.column
        self.bound_column = bound_column
        self.table = table
        self.td_attrs = bound_column.attrs.get("td", AttributeDict()).as_html()
        self.accessor = A(bound_column.accessor)
        self.default = bound_column.default
        self.display = None
        if "__" not in str(bound_column.accessor):
            field = next(
                (f for f in Order._meta.concrete_fields if f.name == str(bound_column.accessor)),
                None,
            )
            if field is not None and field.choices:
                self.display = f"get_{field.name}_display"
        self.render_fn = bound_column.render
        self.render_args, keywords = signature(self.render_fn)
        self.all_args = keywords is not None

    def render(self, record: Order) -> str:
        if self.display is not None:
            value = getattr(record, self.display)()
        else:
            try:
                value = self.accessor.resolve(record)
            except Exception:
                value = None
        if value in self.column.empty_values:
            return conditional_escape(self.default)
        offered = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound_column,
            "table": self.table,
        }
        kwargs = offered if self.all_args else {name: offered[name] for name in self.render_args}
        return conditional_escape(self.render_fn(**kwargs))
