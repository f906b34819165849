"""Views read orders through selectors, and services lock orders through orders.services.locking.

Both are read from the source (AST), so a new inline query in a view, or a service that takes
its own lock on an order, fails here before it is reviewed.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ORDERS_MODELS = frozenset(model.__name__ for model in apps.get_app_config("orders").get_models())
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})
# View modules that may still query an orders model themselves, each with its reason.
VIEW_EXCEPTIONS: dict[str, str] = {}
# The one place an order is locked; costs.py locks a stored plan's orders in SQL (set-based).
LOCKING = "orders/services/locking.py"


def _view_modules() -> list[Path]:
    modules = [*(ROOT / "lifecycle").rglob("views/*.py"), *(ROOT / "lifecycle").rglob("views.py")]
    modules += [*(ROOT / "tools").rglob("views.py"), *(ROOT / "tools").rglob("*_views.py")]
    return sorted(set(modules))


def _orders_names(tree: ast.Module) -> set[str]:
    """Names a module binds to orders models (`from orders.models… import Order as O`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("orders.models"):
            names |= {a.asname or a.name for a in node.names if a.name in ORDERS_MODELS}
    return names


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def inline_order_queries(source: str) -> list[str]:
    """`Model.objects…` and `get_object_or_404(Model, …)` on an orders model, by line."""
    tree = ast.parse(source)
    models = _orders_names(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and _root_name(node.value) in models
        ):
            found.append((node.lineno, f"{_root_name(node.value)}.{node.attr}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in models
        ):
            found.append((node.lineno, f"{node.func.id}({node.args[0].id})"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def order_locks(source: str) -> list[str]:
    """Each select_for_update whose query starts from Order, by line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
            and _root_name(node.func.value) == "Order"
        ):
            found.append(f"{node.lineno}: Order….select_for_update")
    return found


def test_the_checks_see_what_they_look_for():
    view = (
        "from orders.models import Item, Order as O\n"
        "from django.shortcuts import get_object_or_404\n"
        "a = O.objects.filter(pk=1)\n"
        "b = get_object_or_404(Item, pk=1)\n"
        "c = Prefetch('lines', queryset=O.objects.only('pk'))\n"
        "d = SomethingElse.objects.all()\n"
    )
    assert inline_order_queries(view) == [
        "3: O.objects",
        "4: get_object_or_404(Item)",
        "5: O.objects",
    ]
    service = "x = Order.objects.select_related('merchant').select_for_update().get(pk=1)\n"
    assert order_locks(service) == ["1: Order….select_for_update"]
    assert order_locks("y = Case.objects.select_for_update().get(pk=1)\n") == []


def test_no_view_queries_an_orders_model_but_through_a_selector():
    modules = _view_modules()
    assert ROOT / "lifecycle/views/order_page.py" in modules
    assert ROOT / "lifecycle/auto_orders/views.py" in modules
    assert ROOT / "tools/undelete_views.py" in modules
    inline = {}
    for path in modules:
        name = str(path.relative_to(ROOT))
        found = inline_order_queries(path.read_text())
        if found and name not in VIEW_EXCEPTIONS:
            inline[name] = found
    assert inline == {}, "query through a selector in orders/selectors/ instead"


def test_no_orders_service_locks_an_order_but_through_order_lock():
    own_locks = {}
    for path in sorted((ROOT / "orders/services").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        found = order_locks(path.read_text())
        if found and name != LOCKING:
            own_locks[name] = found
    assert own_locks == {}, "lock the order with orders.services.locking.order_lock"
    assert order_locks((ROOT / LOCKING).read_text())
