"""The order page's disputes block: chargeback badge, the order's cases and chargebacks, and
the forms that open new ones. One tag, so the order page's view stays as it is."""

from django import template

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
        "can_open_chargeback": request.user.has_perm("orders.manage_chargebacks", order),
        "can_open_case": request.user.has_perm("orders.manage_cases", order),
        "chargeback_form": ChargebackOpenForm(prefix="chargeback", initial={"amount": order.total}),
        "case_form": CaseOpenForm(prefix="case"),
        "csrf_token": context.get("csrf_token"),
    }
