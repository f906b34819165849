from decimal import Decimal

from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
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
        context["counts"] = stage_counts_for_request(self.request)
        context["charts"] = dashboard_charts(
            order_dashboard_days(merchant=self.request.merchant, days=DASHBOARD_DAYS)
        )
        context["case_unread"] = case_unread_count(merchant=self.request.merchant)
        return context


DASHBOARD_DAYS = 30


def dashboard_charts(days: list[DayFigures]) -> list[BarChart]:
    """Orders, revenue and margin per day as three small bar charts."""
    orders = sum(day.orders for day in days)
    revenue = sum((day.revenue for day in days), Decimal(0))
    profit = sum((day.profit for day in days), Decimal(0))
    margin = f"{(profit * 100 / revenue).quantize(Decimal('0.1'))} %" if revenue > 0 else "—"
    label = "%m-%d"
    return [
        bar_chart(
            title="Orders per day",
            points=[(day.day.strftime(label), day.orders) for day in days],
            summary=counted(orders, "order"),
        ),
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
