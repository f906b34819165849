from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin, url_permitted
from backoffice.common.words import counted
from lifecycle.charts import BarChart, bar_chart
from lifecycle.navigation import stage_counts_for_request
from orders.selectors.cases import case_unread_count
from orders.selectors.dashboard import DayFigures, order_dashboard_days


class HomeView(MerchantRequiredMixin, TemplateView):
    """Order Management home: the life-cycle tiles with live counts, and the tools."""

    template_name = "lifecycle/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        context["counts"] = stage_counts_for_request(request)
        context["charts"] = dashboard_charts(
            order_dashboard_days(merchant=request.merchant, days=DASHBOARD_DAYS),
            with_money=request.user.has_perm(MONEY_PERMISSION, request.merchant),
        )
        context["more_tiles"] = permitted_tiles(request, MORE_TILES)
        context["tool_tiles"] = permitted_tiles(request, TOOL_TILES)
        context["case_list_url"] = reverse("case-list")
        if any(url == context["case_list_url"] for _label, url in context["more_tiles"]):
            context["case_unread"] = case_unread_count(merchant=request.merchant)
        return context


DASHBOARD_DAYS = 30
# Revenue and margin across the merchant's orders: only for roles the permission table lets
# see money (owner, order manager, bookkeeper).
MONEY_PERMISSION = "orders.view_money"

# (label, URL name) of the home's tiles below the stage screens; each shown only to a role
# that may open it.
MORE_TILES = (
    ("Auto Orders", "auto-order-list"),
    ("Chargeback Disputes", "chargeback-list"),
    ("Case Management", "case-list"),
)
TOOL_TILES = (
    ("Batch Order Operation", "tool-batch"),
    ("Export Orders", "tool-export"),
    ("Import Actual Costs", "tool-import-costs"),
    ("Undelete Order", "tool-undelete"),
    ("Jobs", "job-list"),
    ("Mark shipped from a list", "ship-list"),
    ("Pre-orders by item", "preorder-items"),
)


def permitted_tiles(
    request: HttpRequest, tiles: tuple[tuple[str, str], ...]
) -> list[tuple[str, str]]:
    urls = [(label, reverse(name)) for label, name in tiles]
    return [(label, url) for label, url in urls if url_permitted(request, url)]


def dashboard_charts(days: list[DayFigures], *, with_money: bool = True) -> list[BarChart]:
    """Orders per day, and revenue and margin per day for those who may see money, as small
    bar charts."""
    orders = sum(day.orders for day in days)
    revenue = sum((day.revenue for day in days), Decimal(0))
    profit = sum((day.profit for day in days), Decimal(0))
    margin = f"{(profit * 100 / revenue).quantize(Decimal('0.1'))} %" if revenue > 0 else "—"
    label = "%m-%d"
    charts = [
        bar_chart(
            title="Orders per day",
            points=[(day.day.strftime(label), day.orders) for day in days],
            summary=counted(orders, "order"),
        )
    ]
    if not with_money:
        return charts
    return [
        *charts,
        bar_chart(
            title="Revenue per day",
            points=[(day.day.strftime(label), day.revenue) for day in days],
            summary=f"{revenue:,.2f}",
        ),
        bar_chart(
            title="Margin from actual costs",
            points=[(day.day.strftime(label), day.margin) for day in days],
            summary=f"{margin} overall",
            unit=" %",
        ),
    ]
