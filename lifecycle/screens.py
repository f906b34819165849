"""The list screens: View All Orders and one per stage screen of orders.states.STAGE_SCREENS,
each with the columns it adds to the common ones; the transitions say which of its bulk actions
come first (their `screens`).

One generic view (lifecycle.views.lists) is bound to every entry; nothing here is per-stage
code, only data.
"""

from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse

from orders.fsm import transition_specs
from orders.states import STAGE_SCREENS
from tools.operations.base import Operation
from tools.operations.registry import operations_for_screen

# View All Orders' columns after Order, and what a stage screen keeps of them after its own.
COMMON_COLUMNS = ("order_id", "placed_at", "customer", "total", "payment", "status", "age")
# Offered by the chooser on every list, hidden until chosen.
OPTIONAL_COLUMNS = ("stage", "company", "phone", "destination", "paid_at", "shipped_at", "fraud")

# Each stage screen's default columns after Order: its own first, then the common ones that
# still say something there (Hold's "held since" is its age). Chosen to fit a 1,280-pixel
# window without scrolling sideways (tests/e2e/test_list_screens_journey.py measures it).
SCREEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "quote-requests": ("quote_sent_at", "quote_expires", "placed_at", "customer", "total", "age"),
    "pre-orders": ("placed_at", "customer", "total", "payment", "status", "age"),
    "accounts-receivable": (
        "last_attempt",
        "next_retry",
        "decline_reason",
        "customer",
        "total",
        "payment",
        "age",
    ),
    "pending-clearance": ("provider", "submitted", "placed_at", "customer", "total"),
    "fraud-review": ("fraud", "fraud_rule", "placed_at", "customer", "total", "payment", "age"),
    "hold": ("hold_reason", "held_since", "hold_until", "placed_at", "customer", "total"),
    "shipping": ("shipping_method", "destination", "age", "placed_at", "customer", "total"),
    "completed": ("shipped_at", "placed_at", "customer", "total", "payment", "status"),
    "rejected": ("reject_reason", "rejected_by", "rejected_at", "placed_at", "customer", "total"),
}
# What the stage screens print for the selection (lifecycle.views.printing): kind → label.
PRINT_KINDS = {"packing-slips": "Packing slips", "invoices": "Invoices"}
SCREEN_PRINTS: dict[str, tuple[str, ...]] = {
    "shipping": ("packing-slips", "invoices"),
    "accounts-receivable": ("invoices", "packing-slips"),
}
# The "More" menu: the operations a screen does not list first, grouped in this order. A
# transition the screen does not list first goes under OTHER_TRANSITIONS; one named nowhere,
# under "Other".
OTHER_TRANSITIONS = "Other stage actions"
MORE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (OTHER_TRANSITIONS, ()),
    ("Notes, tags and fields", ("append_note", "add_tag", "remove_tag", "set_custom_field")),
    ("Shipping", ("mark_shipped_from_list",)),
    ("Emails", ("resend_receipt", "resend_shipment_confirmation")),
    ("Refunds", ("full_refund", "record_external_refund")),
    ("Auto orders", ("cancel_auto_orders",)),
    ("Export and delete", ("export", "delete")),
)
ALL_ORDERS_KEY = "all"
# Who may open a list: every list needs view_order_lists, except the shipping clerk's two.
LIST_PERMISSION = "orders.view_order_lists"
SCREEN_PERMISSIONS: dict[str, str] = {
    "shipping": "orders.view_merchant_orders",
    "completed": "orders.view_merchant_orders",
}


@dataclass(frozen=True)
class ListScreen:
    slug: str | None  # None: View All Orders
    label: str
    stages: tuple[str, ...]
    columns: tuple[str, ...]  # the default columns after Order
    permission: str = LIST_PERMISSION
    prints: tuple[str, ...] = ()  # PRINT_KINDS it offers for the selection

    @property
    def key(self) -> str:
        """The screen's name in saved views."""
        return self.slug or ALL_ORDERS_KEY

    @property
    def url(self) -> str:
        if self.slug is None:
            return reverse("order-list")
        return reverse("stage-list", kwargs={"slug": self.slug})

    @property
    def default_columns(self) -> tuple[str, ...]:
        return ("order_id", *(c for c in self.columns if c != "order_id"))

    @property
    def available_columns(self) -> tuple[str, ...]:
        extra = (*COMMON_COLUMNS, *OPTIONAL_COLUMNS)
        defaults = self.default_columns
        return (*defaults, *dict.fromkeys(c for c in extra if c not in defaults))

    def columns_chosen(self, names: list[str]) -> tuple[str, ...]:
        """The chooser's columns, in the screen's order; the order ID is always shown."""
        wanted = {name for name in names if name in self.available_columns}
        if not wanted:
            return self.default_columns
        return tuple(c for c in self.available_columns if c in wanted or c == "order_id")

    def operations(self, *, user, merchant) -> list[Operation]:
        """The bulk actions this user may run here, the screen's own first."""
        allowed = [
            op for op in operations_for_screen(self.slug) if user.has_perm(op.permission, merchant)
        ]
        return sorted(allowed, key=lambda op: _screen_position(op.name, self.slug))

    def operations_grouped(self, *, user, merchant) -> "GroupedOperations":
        """The bulk actions this user may run here: the ones the screen lists first (its
        transitions' `screens`), and the rest in the More menu's groups."""
        first, rest = [], []
        for operation in self.operations(user=user, merchant=merchant):
            listed = _screen_position(operation.name, self.slug) != UNLISTED
            (first if listed else rest).append(operation)
        return GroupedOperations(first=first, more=_more_groups(rest))


UNLISTED = 99


def _screen_position(name: str, slug: str | None) -> int:
    """A transition names the screens that list it first (its `screens`); the rest follow."""
    spec = transition_specs().get(name)
    position = spec.screen_position(slug) if spec else None
    return UNLISTED if position is None else position


@dataclass(frozen=True)
class GroupedOperations:
    first: list[Operation]
    more: list[tuple[str, list[Operation]]]  # (group label, its operations), none empty


def _more_groups(operations: list[Operation]) -> list[tuple[str, list[Operation]]]:
    specs = transition_specs()
    group_of = {name: label for label, names in MORE_GROUPS for name in names}
    groups: dict[str, list[Operation]] = {label: [] for label, _ in MORE_GROUPS}
    groups["Other"] = []
    for operation in operations:
        if operation.name in specs:
            label = OTHER_TRANSITIONS
        else:
            label = group_of.get(operation.name, "Other")
        groups[label].append(operation)
    return [(label, members) for label, members in groups.items() if members]


def transition_danger(operation: Operation) -> bool:
    """Whether its button is red: the transition's `danger`."""
    spec = transition_specs().get(operation.name)
    return bool(spec and spec.danger)


ALL_ORDERS = ListScreen(
    slug=None, label="All orders", stages=(), columns=(*COMMON_COLUMNS[1:], "stage")
)
LIST_SCREENS: dict[str, ListScreen] = {
    screen.slug: ListScreen(
        slug=screen.slug,
        label=screen.label,
        stages=tuple(screen.stages),
        columns=SCREEN_COLUMNS.get(screen.slug, ()),
        permission=SCREEN_PERMISSIONS.get(screen.slug, LIST_PERMISSION),
        prints=SCREEN_PRINTS.get(screen.slug, ()),
    )
    for screen in STAGE_SCREENS
}


def screen_permissions(slug: str | None, operation: str) -> tuple[str, ...]:
    """What a bulk action on a list needs: the list's permission and, for an operation the
    list offers, the operation's own."""
    screen = list_screen_get(slug)
    offered = {op.name: op for op in operations_for_screen(screen.slug)}
    if operation in offered:
        return (screen.permission, offered[operation].permission)
    return (screen.permission,)


def list_screen_get(slug: str | None) -> ListScreen:
    """The screen bound to `slug` (View All Orders for None); Http404 for an unknown slug."""
    if slug is None or slug == ALL_ORDERS_KEY:
        return ALL_ORDERS
    try:
        return LIST_SCREENS[slug]
    except KeyError:
        raise Http404("No such stage screen.") from None
