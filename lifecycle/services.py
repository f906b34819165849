"""Writing what the screens remember per user: saved list views and column choices."""

from django.http import QueryDict

from lifecycle.models import ColumnChoice, SavedView
from lifecycle.screens import ListScreen
from orders.exceptions import OrderError
from orders.models import Merchant

# Paging and htmx bookkeeping are not part of a view.
UNSAVED_PARAMS = ("after", "before")
MAX_SAVED_VIEWS = 50


def saved_view_query_clean(query: str) -> str:
    data = QueryDict(query, mutable=True)
    for name in UNSAVED_PARAMS:
        data.pop(name, None)
    return data.urlencode()


def saved_view_save(
    *, user, merchant: Merchant, screen: ListScreen, name: str, query: str
) -> SavedView:
    """Save (or replace, by name) the user's view of a list screen."""
    name = name.strip()
    if not name:
        raise OrderError("Give the view a name.")
    query = saved_view_query_clean(query)
    columns = list(screen.columns_chosen(QueryDict(query).getlist("cols")))
    existing = SavedView.objects.filter(user=user, merchant=merchant, screen=screen.key)
    if existing.count() >= MAX_SAVED_VIEWS and not existing.filter(name=name).exists():
        raise OrderError(f"At most {MAX_SAVED_VIEWS} saved views per list; delete one first.")
    view, _ = SavedView.objects.update_or_create(
        user=user,
        merchant=merchant,
        screen=screen.key,
        name=name[:80],
        defaults={"query": query, "columns": columns},
    )
    return view


def saved_view_delete(*, user, merchant: Merchant, pk: int) -> bool:
    """Delete one of the user's own saved views; False when it is not theirs or gone."""
    deleted, _ = SavedView.objects.filter(user=user, merchant=merchant, pk=pk).delete()
    return bool(deleted)


def saved_views_for_screen(*, user, merchant: Merchant, screen: ListScreen) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user, merchant=merchant, screen=screen.key))


def column_choice_save(
    *, user, merchant: Merchant, screen: ListScreen, names: list[str]
) -> tuple[str, ...]:
    """Remember the columns the user chose for a list screen; none chosen (or only ones the
    screen does not have) forgets the choice, so that the screen's defaults show again."""
    columns = screen.columns_chosen(names)
    if columns == screen.default_columns:
        ColumnChoice.objects.filter(user=user, merchant=merchant, screen=screen.key).delete()
    else:
        ColumnChoice.objects.update_or_create(
            user=user, merchant=merchant, screen=screen.key, defaults={"columns": list(columns)}
        )
    return columns


def column_choice_get(*, user, merchant: Merchant, screen: ListScreen) -> tuple[str, ...]:
    """The user's columns for a list screen: their choice, or the screen's defaults."""
    saved = (
        ColumnChoice.objects.filter(user=user, merchant=merchant, screen=screen.key)
        .values_list("columns", flat=True)
        .first()
    )
    return screen.columns_chosen(list(saved or []))
