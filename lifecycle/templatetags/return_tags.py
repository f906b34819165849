"""The order page's returns block: the order's returns with their status, the form that opens
one, and the customer's return link. One tag, so the order page's view stays as it is."""

from django import template
from django.urls import reverse

from backoffice.common.tenancy import url_permitted
from lifecycle.return_forms import OPEN_PREFIX, ReturnOpenForm
from orders.selectors.returns import order_returns, returnable_quantities
from orders.services.returns import return_link_url
from orders.states import Stage

register = template.Library()


@register.inclusion_tag("lifecycle/returns/_order_returns.html", takes_context=True)
def order_returns_block(context, order):
    request = context["request"]
    may_open = (
        order.deleted_at is None
        and order.stage != Stage.REJECTED
        and url_permitted(request, reverse("return-open", args=[order.order_id]))
    )
    returnable = returnable_quantities(order) if may_open else {}
    may_open = may_open and any(returnable.values())
    return {
        "order": order,
        "returns": order_returns(order=order),
        # A return's page is for those who may see returns: the others read its status here.
        "may_view": url_permitted(request, reverse("return-list")),
        "open_form": (
            ReturnOpenForm(order=order, returnable=returnable, prefix=OPEN_PREFIX)
            if may_open
            else None
        ),
        "return_link": return_link_url(order=order) if may_open else "",
        "csrf_token": context.get("csrf_token"),
    }
