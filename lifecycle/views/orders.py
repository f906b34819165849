from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.forms import NoteForm
from orders.forms import TransitionForm, transition_form_for
from orders.models import Order, OrderEvent, OrderNote
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.services.transitions import (
    order_transitions_for_user,
)
from orders.states import SCREEN_BY_SLUG, Stage, StageScreen

PAGE_SIZE = 50


def merchant_orders(request: HttpRequest):
    """The current merchant's live orders: everything else answers 404."""
    return Order.objects.live().for_merchant(request.merchant)


def merchant_order_or_404(request: HttpRequest, order_id: str) -> Order:
    return get_object_or_404(merchant_orders(request), order_id=order_id)


@dataclass
class OrderAction:
    name: str
    label: str
    danger: bool
    form: TransitionForm | None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


class OrderListView(MerchantRequiredMixin, TemplateView):
    """A stage screen (bound by slug) or View All Orders: a plain keyset-paged list for now."""

    template_name = "lifecycle/order_list.html"

    def get_screen(self) -> StageScreen | None:
        slug = self.kwargs.get("slug")
        if slug is None:
            return None
        try:
            return SCREEN_BY_SLUG[slug]
        except KeyError:
            raise Http404("No such stage screen.") from None

    def get_queryset(self, screen: StageScreen | None):
        queryset = merchant_orders(self.request)
        if screen is not None:
            queryset = queryset.filter(stage__in=screen.stages)
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(Q(order_id=query.upper()) | Q(email__iexact=query))
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        screen = self.get_screen()
        page = keyset_page(
            self.get_queryset(screen),
            after=_int_or_none(self.request.GET.get("after")),
            before=_int_or_none(self.request.GET.get("before")),
        )
        _mark_overdue(page.rows, self.request.merchant)
        context.update(
            screen=screen,
            title=screen.label if screen else "All orders",
            page=page,
            q=self.request.GET.get("q", "").strip(),
            show_stage=screen is None or len(screen.stages) > 1,
        )
        return context


@dataclass
class KeysetPage:
    rows: list[Order]
    newer: int | None  # the cursor for the previous (newer) page, if any
    older: int | None  # the cursor for the next (older) page, if any


def keyset_page(queryset, *, after: int | None, before: int | None) -> KeysetPage:
    """Newest first by order number; `after`/`before` are order numbers of the page edge."""
    if before is not None:
        rows = list(
            queryset.filter(order_number__gt=before).order_by("order_number")[: PAGE_SIZE + 1]
        )
        more_newer = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        more_older = True
    else:
        if after is not None:
            queryset = queryset.filter(order_number__lt=after)
        rows = list(queryset.order_by("-order_number")[: PAGE_SIZE + 1])
        more_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        more_newer = after is not None
    return KeysetPage(
        rows=rows,
        newer=rows[0].order_number if rows and more_newer else None,
        older=rows[-1].order_number if rows and more_older else None,
    )


def _mark_overdue(orders: list[Order], merchant) -> None:
    now = timezone.now()
    limits = {stage: merchant.stage_age_limit(stage) for stage in Stage.values}
    for order in orders:
        limit = limits.get(order.stage)
        order.is_overdue = bool(limit) and order.stage_entered_at < now - timedelta(days=limit)


class OrderFindView(MerchantRequiredMixin, View):
    """The top bar's box: straight to the order when the ID exists, else the search list."""

    def get(self, request):
        query = request.GET.get("q", "").strip()
        if query:
            order_id = (
                merchant_orders(request)
                .filter(order_id=query.upper())
                .values_list("order_id", flat=True)
                .first()
            )
            if order_id:
                return redirect("order-detail", order_id=order_id)
        url = reverse("order-list")
        return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


class OrderDetailView(MerchantRequiredMixin, TemplateView):
    """The order page: everything about one order, its actions and its timeline."""

    template_name = "lifecycle/order_detail.html"

    def get_order(self) -> Order:
        queryset = (
            merchant_orders(self.request)
            .select_related("merchant", "rejected_by", "original_order")
            .prefetch_related(
                "lines",
                "transactions",
                "shipments",
                "tags",
                Prefetch("notes", queryset=OrderNote.objects.select_related("created_by")),
                Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
            )
        )
        return get_object_or_404(queryset, order_id=self.kwargs["order_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.get_order()
        user = self.request.user
        context.update(
            order=order,
            actions=order_actions(order, user),
            custom_fields=_custom_fields(order),
            can_add_note=user.has_perm("orders.edit_order", order),
            note_form=NoteForm(),
            can_delete=user.has_perm("orders.delete_order_soft", order),
        )
        return context


def order_actions(order: Order, user) -> list[OrderAction]:
    """One button (with its small form, if it needs inputs) per transition the user may run."""
    actions = []
    for item in order_transitions_for_user(order=order, user=user):
        form = transition_form_for(item.name, order=order, prefix=item.name)
        actions.append(
            OrderAction(
                name=item.name,
                label=item.custom.get("label", item.name.replace("_", " ")),
                danger=bool(item.custom.get("danger")),
                form=form,
            )
        )
    return actions


def _custom_fields(order: Order) -> list[tuple[str, str]]:
    """Custom fields that hold a value or that the merchant has labelled."""
    configured = order.merchant.custom_fields or {}
    return [
        (order.merchant.custom_field_label(number), order.custom_field(number))
        for number in CUSTOM_FIELD_NUMBERS
        if order.custom_field(number) or str(number) in configured
    ]
