"""The order page's disputes block: chargeback badge, the order's cases and chargebacks, and
the forms that open new ones. One tag, so the order page's view stays as it is."""

from django import template
from django.urls import reverse

from backoffice.common.tenancy import url_permitted
from lifecycle.dispute_forms import CaseOpenForm, ChargebackOpenForm
from orders.models import Chargeback
from orders.selectors.cases import cases_for_order

register = template.Library()


@register.inclusion_tag("lifecycle/order_disputes.html", takes_context=True)
def order_disputes(context, order):
    request = context["request"]
    chargebacks = list(order.chargebacks.order_by("-received_on", "-id"))
    return {
        "order": order,
        "chargebacks": chargebacks,
        "open_chargebacks": [cb for cb in chargebacks if cb.status in Chargeback.UNRESOLVED],
        "cases": cases_for_order(order=order),
        "can_open_chargeback": url_permitted(
            request, reverse("chargeback-open", args=[order.order_id])
        ),
        "can_open_case": url_permitted(request, reverse("case-open", args=[order.order_id])),
        "chargeback_form": ChargebackOpenForm(prefix="chargeback", initial={"amount": order.total}),
        "case_form": CaseOpenForm(prefix="case"),
        "csrf_token": context.get("csrf_token"),
    }
