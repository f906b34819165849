from django.views.generic import TemplateView

from backoffice.common.tenancy import MerchantRequiredMixin
from lifecycle.navigation import stage_counts_for_request
from orders.selectors.cases import case_unread_count


class HomeView(MerchantRequiredMixin, TemplateView):
    """Order Management home: the life-cycle tiles with live counts, and the tools."""

    template_name = "lifecycle/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = stage_counts_for_request(self.request)
        context["case_unread"] = case_unread_count(merchant=self.request.merchant)
        return context


class ComingSoonView(MerchantRequiredMixin, TemplateView):
    """Placeholder for a screen a later issue builds; linked from the home tiles."""

    template_name = "lifecycle/coming_soon.html"
    title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        return context
