"""Reading the list screens: the scoped queryset, keyset pages and counts (a bulk action's
selection is resolved by orders.selectors.selection).

Pages are keyset pages over (sort key, order number): the next page starts after the last row
shown, so page 1,000 costs what page 1 costs. Sorting is offered only on columns with an index
leading with the merchant (see Order.Meta.indexes).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Q, QuerySet

from orders.models import Merchant, Order
from orders.selectors.search import order_search_count_probes, order_search_first_q

# Every column of every list screen reads only these fields (rejected_by: one join).
LIST_FIELDS = (
    "pk",
    "merchant_id",
    "order_number",
    "order_id",
    "stage",
    "stage_entered_at",
    "placed_at",
    "paid_at",
    "shipped_at",
    "rejected_at",
    "quote_sent_at",
    "email",
    "first_name",
    "last_name",
    "company",
    "phone",
    "shipping_method",
    "shipping_city",
    "shipping_region",
    "shipping_country",
    "shipping_postal_code",
    "billing_country",
    "total",
    "payment_method",
    "payment_status",
    "card_last4",
    "is_test",
    "fraud_score",
    "fraud_reasons",
    "gateway_token",  # whether a receivable has a card to retry
    "hold_reason",
    "hold_until",
    "reject_reason",
    "rejected_by__username",
)

# sort key → (field, whether ascending by the key means descending by the field)
SORTS: dict[str, tuple[str, bool]] = {
    "number": ("order_number", False),
    "placed": ("placed_at", False),
    "total": ("total", False),
    "age": ("stage_entered_at", True),
    "email": ("email", False),
}
DEFAULT_SORT = "-number"
# Above this many matching orders the count shown is PostgreSQL's estimate.
EXACT_COUNT_LIMIT = 10_000
# For a text search, lower: counting 10,000 trigram matches (each rechecked against its row)
# costs about 70 ms at 1,000,000 orders, counting 1,000 about 7 ms (docs/benchmarks.md).
SEARCH_EXACT_COUNT_LIMIT = 1_000
# A search PostgreSQL expects to find no more orders than this has all their order numbers
# read at once, giving its page and its exact count (keyset_page_counted): reading 2,000
# numbers costs less than walking the list for a page and then counting to 1,000.
SEARCH_READ_WHOLE_LIMIT = 3_000
# An estimate this many times the limit is shown without counting to the limit first. A text
# search's estimate is the share of a 1,000-value sample of the documents that matches: at
# 1,000,000 orders, 10,000 is about 9 of them, which a term in fewer than 1,000 orders (one
# expected) all but never reaches by chance; 2,000 (two) it often would.
ESTIMATE_TRUSTED_FACTOR = 10


def order_list_for_screen(*, merchant: Merchant, stages: Iterable[str] = ()) -> QuerySet:
    """The merchant's live orders in these stages (every stage when empty), list fields only."""
    queryset = Order.objects.live().for_merchant(merchant)
    stages = tuple(stages)
    if len(stages) == 1:
        queryset = queryset.filter(stage=stages[0])
    elif stages:
        queryset = queryset.filter(stage__in=stages)
    return queryset.select_related("rejected_by").only(*LIST_FIELDS)


# ---- sorting and keyset pages -----------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    key: str
    field: str
    descending: bool  # by the field

    @property
    def param(self) -> str:
        """The `sort` query value that gives this sort."""
        ascending_by_key = self.descending == SORTS[self.key][1]
        return self.key if ascending_by_key else f"-{self.key}"

    def ordering(self, *, reverse: bool = False) -> list[str]:
        descending = self.descending != reverse
        sign = "-" if descending else ""
        if self.field == "order_number":
            return [f"{sign}order_number"]
        return [f"{sign}{self.field}", f"{sign}order_number"]


def sort_parse(value: str | None) -> Sort:
    """A `sort` parameter ("placed", "-total"…) as a Sort; unknown keys give the default."""
    value = (value or "").strip()
    key = value.lstrip("-")
    if key not in SORTS:
        return sort_parse(DEFAULT_SORT)
    field, inverted = SORTS[key]
    return Sort(key=key, field=field, descending=value.startswith("-") != inverted)


@dataclass
class KeysetPage:
    rows: list
    newer: str | None  # cursor of the page before (toward the start), if any
    older: str | None  # cursor of the page after, if any


def cursor_for(order: Order, sort: Sort) -> str:
    if sort.field == "order_number":
        return str(order.order_number)
    value = getattr(order, sort.field)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"{text}~{order.order_number}"


def _cursor_parse(cursor: str | None, sort: Sort) -> tuple[Any, int] | None:
    if not cursor:
        return None
    value, _, number = cursor.rpartition("~") if sort.field != "order_number" else ("", "", cursor)
    try:
        parsed = Order._meta.get_field(sort.field).to_python(value) if value else None
        return parsed, int(number)
    except (ValidationError, ValueError):
        return None


def _beyond(sort: Sort, edge: tuple[Any, int], *, reverse: bool) -> Q:
    """Rows strictly past `edge` in the sort's order (or before it, when reversed)."""
    value, number = edge
    lookup = "lt" if sort.descending != reverse else "gt"
    if sort.field == "order_number":
        return Q(**{f"order_number__{lookup}": number})
    return Q(**{f"{sort.field}__{lookup}": value}) | Q(
        **{sort.field: value, f"order_number__{lookup}": number}
    )


def keyset_page(
    queryset: QuerySet,
    *,
    sort: Sort,
    after: str | None,
    before: str | None,
    size: int,
    first: Q | None = None,
) -> KeysetPage:
    """One page of `size` rows after (older) or before (newer) a cursor; the first without.

    Rows matching `first` (a search's exact order ID or email) head the first page and are
    left out of every page's keyset rows, unless there are more of them than a page holds.
    """
    if first is None:
        return _keyset_page(queryset, sort=sort, after=after, before=before, size=size)
    pinned = list(queryset.filter(first).order_by(*sort.ordering())[: size + 1])
    if not pinned or len(pinned) > size:
        return _keyset_page(queryset, sort=sort, after=after, before=before, size=size)
    rest = queryset.exclude(pk__in=[row.pk for row in pinned])
    page = _keyset_page(rest, sort=sort, after=after, before=before, size=size)
    if page.newer is None:  # the first page, however it was reached
        page.rows = pinned + page.rows
    return page


def _keyset_page(
    queryset: QuerySet, *, sort: Sort, after: str | None, before: str | None, size: int
) -> KeysetPage:
    before_edge = _cursor_parse(before, sort)
    if before_edge is not None:
        rows = list(
            queryset.filter(_beyond(sort, before_edge, reverse=True)).order_by(
                *sort.ordering(reverse=True)
            )[: size + 1]
        )
        more_newer, more_older = len(rows) > size, True
        rows = rows[:size][::-1]
    else:
        after_edge = _cursor_parse(after, sort)
        if after_edge is not None:
            queryset = queryset.filter(_beyond(sort, after_edge, reverse=False))
        rows = list(queryset.order_by(*sort.ordering())[: size + 1])
        more_newer, more_older = after_edge is not None, len(rows) > size
        rows = rows[:size]
    return KeysetPage(
        rows=rows,
        newer=cursor_for(rows[0], sort) if rows and more_newer else None,
        older=cursor_for(rows[-1], sort) if rows and more_older else None,
    )


def keyset_page_counted(
    queryset: QuerySet,
    *,
    sort: Sort,
    after: str | None,
    before: str | None,
    size: int,
    limit: int,
    estimate: int | None,
) -> tuple[KeysetPage, "ListCount"] | None:
    """The page of `keyset_page` and the exact count from one read of every match's order
    number, for the order-number sort when PostgreSQL expects no more than `limit` matches
    (SEARCH_READ_WHOLE_LIMIT): the page's own query and the count would each read them (a
    full name at 1,136,000 orders: 32 -> 24-28 ms). None otherwise, and when more than
    `limit` are found after all."""
    if sort.field != "order_number" or estimate is None or estimate > limit:
        return None
    numbers = list(queryset.order_by().values_list("order_number", flat=True)[: limit + 1])
    if len(numbers) > limit:
        return None
    numbers.sort(reverse=sort.descending)

    def past(number: int, edge: int) -> bool:  # later in the list than the edge
        return number < edge if sort.descending else number > edge

    before_edge = _cursor_parse(before, sort)
    if before_edge is not None:
        earlier = [n for n in numbers if past(before_edge[1], n)]
        shown, more_newer, more_older = earlier[-size:], len(earlier) > size, True
    else:
        after_edge = _cursor_parse(after, sort)
        later = [n for n in numbers if after_edge is None or past(n, after_edge[1])]
        shown, more_newer, more_older = later[:size], after_edge is not None, len(later) > size
    rows = list(queryset.filter(order_number__in=shown).order_by(*sort.ordering()))
    page = KeysetPage(
        rows=rows,
        newer=cursor_for(rows[0], sort) if rows and more_newer else None,
        older=cursor_for(rows[-1], sort) if rows and more_older else None,
    )
    return page, ListCount(len(numbers))


# ---- counts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListCount:
    value: int
    estimated: bool = False


def order_count_get(
    queryset: QuerySet,
    *,
    limit: int = EXACT_COUNT_LIMIT,
    probes: Iterable[Q] = (),
    estimate: int | None = None,
) -> ListCount:
    """Exact up to `limit` (a count that stops there); above it, PostgreSQL's estimate.

    When the estimate is far past the limit (ESTIMATE_TRUSTED_FACTOR times), it is shown at
    once: the exact count could not be, and costs most of a search's time (18 ms for a
    best-selling SKU at 1,136,000 orders, 8 ms for a common name; docs/benchmarks.md).

    `probes` are conditions that each select part of the queryset by one index, cheaper to
    count to the limit than the whole (orders.selectors.search.order_search_count_probes): a
    part past the limit puts the whole past it without counting the whole. `estimate` is
    order_estimate's, when the caller has it already."""
    if estimate is None:
        estimate = order_estimate(queryset)
    if estimate is not None and estimate >= limit * ESTIMATE_TRUSTED_FACTOR:
        return ListCount(estimate, estimated=True)
    for probe in probes:
        if _bounded_count(queryset.filter(probe), limit) > limit:
            return _estimated_count(queryset, limit, estimate)
    exact = _bounded_count(queryset, limit)
    if exact <= limit:
        return ListCount(exact)
    return _estimated_count(queryset, limit, estimate)


def _bounded_count(queryset: QuerySet, limit: int) -> int:
    return queryset.order_by().values("pk")[: limit + 1].count()


def order_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the queryset's rows (planning only, ~1 ms); None off PostgreSQL."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _estimated_count(queryset: QuerySet, limit: int, estimate: int | None) -> ListCount:
    if estimate is None:
        return ListCount(queryset.order_by().count())
    return ListCount(max(estimate, limit + 1), estimated=True)


# ---- a list screen's read -------------------------------------------------------------------


@dataclass
class ListRead:
    page: KeysetPage
    count: ListCount | None  # known from the page's own read, else None
    estimate: int | None  # PostgreSQL's, when a search asked it


def order_list_read(
    queryset: QuerySet,
    *,
    term: str,
    sort: Sort,
    after: str | None,
    before: str | None,
    size: int,
) -> ListRead:
    """A list's page, and its count when the read gave it. A search with no exact order ID
    or email to rank first asks PostgreSQL's estimate once: whether to read the page and its
    count together (keyset_page_counted), then for the count (order_list_count)."""
    first = order_search_first_q(term)
    estimate = order_estimate(queryset) if term and first is None else None
    if estimate is not None:
        found = keyset_page_counted(
            queryset,
            sort=sort,
            after=after,
            before=before,
            size=size,
            limit=SEARCH_READ_WHOLE_LIMIT,
            estimate=estimate,
        )
        if found is not None:
            page, count = found
            return ListRead(page=page, count=count, estimate=estimate)
    page = keyset_page(queryset, sort=sort, after=after, before=before, size=size, first=first)
    # The only page holds every match.
    only = page.newer is None and page.older is None
    return ListRead(page=page, count=ListCount(len(page.rows)) if only else None, estimate=estimate)


def order_list_count(queryset: QuerySet, *, term: str, read: ListRead) -> ListCount:
    """The count of a list whose read did not give it (order_count_get, bounded by kind)."""
    if read.count is not None:
        return read.count
    if not term:
        return order_count_get(queryset, limit=EXACT_COUNT_LIMIT)
    return order_count_get(
        queryset,
        limit=SEARCH_EXACT_COUNT_LIMIT,
        probes=order_search_count_probes(term),
        estimate=read.estimate,
    )
