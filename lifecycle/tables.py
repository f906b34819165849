"""The order table of every list screen: columns, cells and row highlights.

Sorting is not django-tables2's: the view pages by keyset (orders.selectors.lists) and the
template draws the sort links, so the table only renders the rows it is given.
"""

from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
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
        # The same digits through strftime: date_format's formatter cost 30 µs a cell.
        self.strftime = _STRFTIME.get(format)
        super().__init__(*args, **kwargs)

    def render(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        if self.strftime is not None and value.year >= 1000:
            return value.strftime(self.strftime)
        return date_format(value, self.format)


# `date` filter formats of the list's cells → the strftime format giving the same text.
_STRFTIME = {"Y-m-d H:i": "%Y-%m-%d %H:%M", "Y-m-d": "%Y-%m-%d"}


# Each choice field's value → its label, as get_FOO_display() gives it: that builds the
# whole choices dict on every call (7 µs; three such cells a row).
_LABELS = {
    field.name: dict(field.flatchoices) for field in Order._meta.concrete_fields if field.choices
}


def label_of(record: Order, field_name: str) -> str:
    value = getattr(record, field_name)
    return _LABELS[field_name].get(value, value)


def _row_classes(record: Order, table: "OrderTable") -> str:
    classes = []
    if record.payment_status == "declined":
        classes.append("row-declined")
    if record.fraud_score >= table.fraud_review_threshold:
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

    def __init__(
        self, *args, merchant: Merchant, columns=(), customer_page: str | None = None, **kwargs
    ):
        self.merchant = merchant
        # The customer page's address when the viewer may open it: each email links there.
        self.customer_page = customer_page
        # Accounts Receivable's facts from other rows, by order pk (set by the list view).
        self.receivables: dict[int, ReceivableFacts] = {}
        self.now = timezone.now()
        names = [name for name in self.base_columns if name != "select"]
        kwargs["exclude"] = [name for name in names if name not in columns]
        kwargs["sequence"] = ["select", *columns, "..."]
        super().__init__(*args, **kwargs)
        self._limits = {stage: merchant.stage_age_limit(stage) for stage in Stage.values}
        self.fraud_review_threshold = merchant.fraud_review_threshold
        self._order_url = reverse("order-detail", kwargs={"order_id": _ORDER_ID_MARK})

    def rows_html(self) -> list[SafeString]:
        """The page's rows as HTML: the same cells django-tables2 draws (row_cells), with the
        work its per-cell machinery repeats (a signature inspection, an accessor walk, an
        attribute dict and a format per cell, ~1 ms a row) done once per column."""
        cells = self._cell_renderers()
        rows = []
        for index, record in enumerate(self.data):
            row_attrs, row_cells = self.row_cells(record, index, cells)
            html = "".join(f"<td {attrs}>{content}</td>" for attrs, content in row_cells)
            # Every part is already escaped (row_cells); format_html per cell cost 1 ms a page.
            rows.append(mark_safe(f"<tr {row_attrs}>{html}</tr>"))  # noqa: S308
        return rows

    def _cell_renderers(self) -> list["_CellRenderer"]:
        return [_CellRenderer(self, bound_column) for bound_column in self.columns]

    def row_cells(self, record: Order, index: int, cells) -> tuple[str, list[tuple[str, str]]]:
        """(the row's attributes, [(a cell's attributes, its content)]) as HTML."""
        row_class = " ".join(filter(None, [_row_classes(record, self), _EVEN_ODD[index % 2]]))
        attrs = format_html('class="{}" data-order-id="{}"', row_class, record.order_id)
        return attrs, [(cell.td_attrs, cell.render(record)) for cell in cells]

    def is_overdue(self, record: Order) -> bool:
        limit = self._limits.get(record.stage)
        return bool(limit) and record.stage_entered_at < self.now - timedelta(days=limit)

    def render_order_id(self, record: Order):
        # The order page's URL is reversed once per table: reverse() per row cost 0.1 ms.
        url = self._order_url.replace(_ORDER_ID_MARK, quote(record.order_id, safe=_URL_SAFE))
        return format_html('<a href="{}">{}</a>', url, record.order_id)

    def render_stage(self, record: Order) -> str:
        return label_of(record, "stage")

    def render_customer(self, record: Order):
        name = record.customer_name or "—"
        if self.customer_page and record.email:
            url = f"{self.customer_page}?{urlencode({'email': record.email})}"
            return format_html(
                '{} · <a class="email" href="{}" title="The customer\'s page">{}</a>',
                name,
                url,
                record.email,
            )
        return format_html('{} · <span class="email">{}</span>', name, record.email)

    def render_total(self, value) -> str:
        return money(value)

    def render_payment(self, record: Order) -> str:
        label = label_of(record, "payment_method")
        return f"{label} ·{record.card_last4}" if record.card_last4 else label

    def render_status(self, record: Order) -> str:
        status = label_of(record, "payment_status")
        return f"test · {status}" if record.is_test else status

    def render_age(self, record: Order):
        days = max((self.now - record.stage_entered_at).days, 0)
        if self.is_overdue(record):
            return format_html('{} d <span class="overdue">overdue</span>', days)
        return f"{days} d"

    def render_provider(self, record: Order) -> str:
        return label_of(record, "payment_method")

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
        self.td_attrs = bound_column.attrs.get("td", AttributeDict()).as_html()
        self.default = conditional_escape(bound_column.default)
        accessor = str(bound_column.accessor)
        self.resolve = _value_reader(accessor)
        field = next((f for f in Order._meta.concrete_fields if f.name == accessor), None)
        if field is not None and field.choices:
            self.resolve = lambda record: label_of(record, field.name)
        render_fn = bound_column.render
        names, keywords = signature(render_fn)
        offered = {"column": self.column, "bound_column": bound_column, "table": table}
        if keywords is not None:
            names = ("value", "record", *offered)
        fixed = {name: offered[name] for name in names if name in offered}
        wants_value, wants_record = "value" in names, "record" in names
        self.input_parts: tuple[str, str] | None = None
        if isinstance(self.column, tables.CheckBoxColumn) and self.column.checked is None:
            # The same <input> on every row but for its value: drawn once, split around it.
            drawn = render_fn(value=_VALUE_MARK, record=None, **fixed)
            before, _, after = str(drawn).partition(_VALUE_MARK)
            self.input_parts = (before, after)

        def call(value, record):
            kwargs = dict(fixed)
            if wants_value:
                kwargs["value"] = value
            if wants_record:
                kwargs["record"] = record
            return render_fn(**kwargs)

        self.call = call

    def render(self, record: Order) -> str:
        value = self.resolve(record)
        if value in self.column.empty_values:
            return self.default
        if self.input_parts is not None:
            return f"{self.input_parts[0]}{escape(value)}{self.input_parts[1]}"
        return conditional_escape(self.call(value, record))


def _value_reader(accessor: str):
    """The accessor's value of a record, as django-tables2's Accessor.resolve finds it for
    the order's own fields (an attribute) and its related ones (a walk); None if missing."""
    if "__" in accessor:
        walk = A(accessor)

        def resolve(record):
            try:
                return walk.resolve(record)
            except Exception:
                return None

        return resolve
    return lambda record: getattr(record, accessor, None)


# A value no order has, to draw the parts of a cell around it.
_VALUE_MARK = "\x00value\x00"
_ORDER_ID_MARK = "ORDER-ID-MARK"
_URL_SAFE = RFC3986_SUBDELIMS + "~:@"  # what reverse() leaves unquoted in a path argument
