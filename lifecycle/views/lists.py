"""The one generic list view, bound to View All Orders and to every stage screen, and the
POSTs it makes: a bulk action over the selection, saving and deleting a view, choosing the
columns."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from backoffice.common.confirmation import confirmation_page
from backoffice.common.tenancy import MerchantRequiredMixin, url_permitted
from backoffice.common.words import counted
from lifecycle.forms import form_errors_text
from lifecycle.navigation import stage_counts_for_request
from lifecycle.screens import (
    PRINT_KINDS,
    ListScreen,
    list_screen_get,
    screen_permissions,
    transition_danger,
)
from lifecycle.services import (
    column_choice_get,
    column_choice_save,
    saved_view_delete,
    saved_view_save,
    saved_views_for_screen,
)
from lifecycle.tables import RECEIVABLE_COLUMNS, SORTABLE, OrderTable
from orders.exceptions import OrderError
from orders.filters import OrderFilterSet
from orders.selectors.confirmations import selection_confirmation
from orders.selectors.customer_profile import customer_email_for_term
from orders.selectors.list_columns import order_receivable_facts
from orders.selectors.lists import (
    ListCount,
    order_list_count,
    order_list_for_screen,
    order_list_read,
    sort_parse,
)
from orders.selectors.search import search_term_clean
from orders.selectors.selection import OrderSelection, SelectionKind, order_selection_resolve
from tools.jobs import job_started_text
from tools.operations.base import Operation
from tools.operations.registry import operation_inputs, operation_job_create

PAGE_SIZE = 50
PAGE_SIZES = (10, 25, 50, 100, 200)


@dataclass
class BulkAction:
    operation: Operation
    # Where the page fetches the action's input form when it is opened; None: it has none.
    form_url: str | None

    @property
    def danger(self) -> bool:
        return transition_danger(self.operation)


def page_size_parse(value: str | None) -> int:
    try:
        size = int(value or PAGE_SIZE)
    except ValueError:
        return PAGE_SIZE
    return size if size in PAGE_SIZES else PAGE_SIZE


def bulk_form(operation: Operation, merchant, data=None) -> forms.Form | None:
    if operation.form is None:
        return None
    form = operation.form(data, merchant=merchant, prefix=operation.name)
    # Every action's inputs share the one bulk form; only the chosen one is validated.
    form.use_required_attribute = False
    return form


class OrderListView(MerchantRequiredMixin, SingleTableMixin, FilterView):
    """A stage screen (by slug) or View All Orders: filter, sort, keyset pages, bulk actions.

    An htmx request gets only the results partial; the URL carries the whole state."""

    filterset_class = OrderFilterSet
    table_class = OrderTable
    table_pagination = False
    template_name = "lifecycle/order_list.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.screen: ListScreen = list_screen_get(kwargs.get("slug"))

    def required_permissions(self) -> tuple[str, ...]:
        return (self.screen.permission,)

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_queryset(self):
        return order_list_for_screen(merchant=self.request.merchant, stages=self.screen.stages)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "merchant": self.request.merchant}

    def get_table_data(self):
        params = self.request.GET
        self.sort = sort_parse(params.get("sort"))
        self.read = order_list_read(
            self.object_list,
            term=self.search_term(),
            sort=self.sort,
            after=params.get("after"),
            before=params.get("before"),
            size=page_size_parse(params.get("per_page")),
        )
        self.page = self.read.page
        return self.page.rows

    def search_term(self) -> str:
        return self.filterset.form.cleaned_data["q"] if self.filterset.form.is_valid() else ""

    def get_table_kwargs(self):
        return {
            "merchant": self.request.merchant,
            "columns": self.columns(),
            "customer_page": self.customer_page_url(),
        }

    def customer_page_url(self) -> str | None:
        """The customer page's address (without its email) when this user may open it: each
        row's email links there. Asked once per page, not per row."""
        if not hasattr(self, "_customer_page_url"):
            url = reverse("customer-detail")
            self._customer_page_url = url if url_permitted(self.request, url) else None
        return self._customer_page_url

    def searched_customer_link(self) -> str | None:
        """The customer page of the email searched for, when the search is one whole email
        that the merchant's orders were placed with (the find box lands here with it)."""
        base = self.customer_page_url()
        if base is None or not self.filterset.form.is_valid():
            return None
        term = search_term_clean(self.filterset.form.cleaned_data.get("q") or "")
        email = customer_email_for_term(merchant=self.request.merchant, term=term)
        return f"{base}?{urlencode({'email': email})}" if email else None

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        if RECEIVABLE_COLUMNS.intersection(self.columns()):
            # One query for the page's rows, after the page is read.
            table.receivables = order_receivable_facts(
                merchant=self.request.merchant, orders=self.page.rows
            )
        return table

    def columns(self) -> tuple[str, ...]:
        """The columns named in the URL (a saved view, a shared link), else the user's own
        choice for this screen, else its defaults."""
        if not hasattr(self, "_columns"):
            named = self.request.GET.getlist("cols")
            if named:
                self._columns = self.screen.columns_chosen(named)
            else:
                self._columns = column_choice_get(
                    user=self.request.user, merchant=self.request.merchant, screen=self.screen
                )
        return self._columns

    def count(self) -> ListCount:
        if self.read.count is None and not self.filterset.is_filtered:
            counts = stage_counts_for_request(self.request)
            if counts is not None:
                if self.screen.slug is None:
                    return ListCount(counts.total)
                return ListCount(counts.for_slug(self.screen.slug).count)
        return order_list_count(self.object_list, term=self.search_term(), read=self.read)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, merchant = self.request.user, self.request.merchant
        query = self.request.GET.copy()
        for name in ("after", "before"):
            query.pop(name, None)
        context.update(
            screen=self.screen,
            title=self.screen.label,
            page=self.page,
            sort=self.sort,
            sortable=SORTABLE,
            count=self.count(),
            query=query.urlencode(),
            columns=self.columns(),
            column_choices=[
                (name, OrderTable.base_columns[name].verbose_name)
                for name in self.screen.available_columns
            ],
            page_sizes=PAGE_SIZES,
            per_page=page_size_parse(self.request.GET.get("per_page")),
            url_columns=self.screen.columns_chosen(self.request.GET.getlist("cols"))
            if "cols" in self.request.GET
            else (),
            customer_link=self.searched_customer_link(),
            **self._bulk_context(),
            saved_views=saved_views_for_screen(user=user, merchant=merchant, screen=self.screen),
        )
        return context

    def _bulk_context(self) -> dict:
        """The bulk bar: the actions the screen lists first, the print buttons, and the rest
        grouped in the More menu; only what this user may run."""
        request = self.request
        grouped = self.screen.operations_grouped(user=request.user, merchant=request.merchant)
        return {
            "bulk_first": [BulkAction(op, self._bulk_form_url(op)) for op in grouped.first],
            "bulk_more": [
                (label, [BulkAction(op, self._bulk_form_url(op)) for op in operations])
                for label, operations in grouped.more
            ],
            "bulk_prints": [
                (reverse("stage-print", args=[self.screen.slug, kind]), PRINT_KINDS[kind])
                for kind in self.screen.prints
            ],
        }

    def _bulk_form_url(self, operation: Operation) -> str | None:
        # The forms are fetched when opened: rendering all ~26 into every page cost about a
        # third of the page's time.
        if operation.form is None:
            return None
        if self.screen.slug:
            return reverse("stage-bulk-form", args=[self.screen.slug, operation.name])
        return reverse("order-bulk-form", args=[operation.name])


class OrderBulkFormView(MerchantRequiredMixin, View):
    """The input form of one bulk action this list offers the person, as a fragment."""

    def required_permissions(self) -> tuple[str, ...]:
        return screen_permissions(self.kwargs.get("slug"), self.kwargs["operation"])

    def get(self, request, operation: str, slug: str | None = None):
        screen = list_screen_get(slug)
        offered = {
            op.name: op for op in screen.operations(user=request.user, merchant=request.merchant)
        }
        form = bulk_form(offered[operation], request.merchant) if operation in offered else None
        if form is None:
            raise Http404("This list offers no such action.")
        return render(request, "lifecycle/partials/bulk_form.html", {"form": form})


def back_to_list(screen: ListScreen, query: str):
    return redirect(f"{screen.url}?{query}" if query else screen.url)


def list_selection(request, screen: ListScreen) -> OrderSelection:
    """The orders a list's bulk bar posted: the ticked rows, or all matching its query."""
    all_matching = request.POST.get("select_all") == "1"
    return OrderSelection(
        kind=SelectionKind.FILTER if all_matching else SelectionKind.ROWS,
        query=request.POST.get("query", "") if all_matching else "",
        rows=() if all_matching else tuple(request.POST.getlist("order")),
        stages=screen.stages,
        newest_first=True,
    )


class OrderBulkActionView(MerchantRequiredMixin, View):
    """Start the chosen bulk action as a job over the selected (or all matching) orders."""

    http_method_names = ["post"]

    def required_permissions(self) -> tuple[str, ...]:
        return screen_permissions(self.kwargs.get("slug"), self.request.POST.get("operation", ""))

    def post(self, request, slug: str | None = None):
        screen = list_screen_get(slug)
        query = request.POST.get("query", "")
        operations = {
            op.name: op for op in screen.operations(user=request.user, merchant=request.merchant)
        }
        operation = operations.get(request.POST.get("operation", ""))
        if operation is None:
            messages.error(request, "Choose an action this list offers.")
            return back_to_list(screen, query)
        form = bulk_form(operation, request.merchant, data=request.POST)
        if form is not None and not form.is_valid():
            messages.error(request, f"{operation.label}: {form_errors_text(form)}")
            return back_to_list(screen, query)
        selection = list_selection(request, screen)
        all_matching = selection.kind == SelectionKind.FILTER
        try:
            pks = order_selection_resolve(merchant=request.merchant, selection=selection).order_pks
            if not pks:
                raise OrderError("Select at least one order.")
            asked = self.confirmation_asked(operation, pks, screen, query)
            if asked is not None:
                return asked
            job = operation_job_create(
                merchant=request.merchant,
                operation=operation,
                inputs=operation_inputs(form),
                order_pks=pks,
                by=request.user,
                selection={"screen": screen.key, "query": query, "all_matching": all_matching},
            )
        except OrderError as exc:
            messages.error(request, str(exc))
            return back_to_list(screen, query)
        messages.success(
            request,
            f"{operation.label}: job {job.pk} {job_started_text(job)} "
            f"on {counted(len(pks), 'order')}.",
        )
        return redirect("job-detail", pk=job.pk)

    def confirmation_asked(self, operation: Operation, pks, screen: ListScreen, query: str):
        """The confirmation step of an operation that moves money or cannot be undone."""
        if not operation.needs_confirmation:
            return None
        confirmation = selection_confirmation(
            merchant=self.request.merchant,
            order_pks=pks,
            label=operation.label,
            danger=operation.danger,
        )
        cancel_url = f"{screen.url}?{query}" if query else screen.url
        return confirmation_page(self.request, confirmation, cancel_url=cancel_url)


class SavedViewCreateView(MerchantRequiredMixin, View):
    """Save the list's current query string under a name ("my filters")."""

    permission = "orders.view_merchant_orders"  # one's own saved views only
    http_method_names = ["post"]

    def post(self, request):
        screen = list_screen_get(request.POST.get("screen") or None)
        query = request.POST.get("query", "")
        try:
            view = saved_view_save(
                user=request.user,
                merchant=request.merchant,
                screen=screen,
                name=request.POST.get("name", ""),
                query=query,
            )
        except OrderError as exc:
            messages.error(request, str(exc))
            return back_to_list(screen, query)
        messages.success(request, f"View “{view.name}” saved.")
        return back_to_list(screen, view.query)


class SavedViewDeleteView(MerchantRequiredMixin, View):
    permission = "orders.view_merchant_orders"  # one's own saved views only
    http_method_names = ["post"]

    def post(self, request, pk: int):
        screen = list_screen_get(request.POST.get("screen") or None)
        if saved_view_delete(user=request.user, merchant=request.merchant, pk=pk):
            messages.success(request, "Saved view deleted.")
        else:
            messages.error(request, "No such saved view.")
        return back_to_list(screen, "")


class ListColumnsSaveView(MerchantRequiredMixin, View):
    """Remember the columns the user chose for a list screen and show the list with them: an
    htmx request gets the list's results swapped in at once, a plain post the list again."""

    permission = "orders.view_merchant_orders"  # one's own column choice only
    http_method_names = ["post"]

    def post(self, request):
        screen = list_screen_get(request.POST.get("screen") or None)
        names = [] if request.POST.get("reset") else request.POST.getlist("cols")
        column_choice_save(user=request.user, merchant=request.merchant, screen=screen, names=names)
        # The URL's own columns would win over the choice just made.
        query = QueryDict(request.POST.get("query", ""), mutable=True)
        query.pop("cols", None)
        url = f"{screen.url}?{query.urlencode()}" if query else screen.url
        if getattr(request, "htmx", False):
            location = {"path": url, "target": "#results", "swap": "outerHTML"}
            return HttpResponse(status=204, headers={"HX-Location": json.dumps(location)})
        return redirect(url)
