"""The confirmation step of actions that move money or cannot be undone.

The action's form posts to its own view as before; until that post says `confirmed=1`, the
view answers this page, which asks the action's question (orders.selectors.confirmations) and
carries every posted field, the one-time token included, to the confirmed post. Nothing is
done or kept before it, so it works without JavaScript and a cancelled step changes nothing.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orders.selectors.confirmations import Confirmation

CONFIRMED = "confirmed"
NOT_CARRIED = frozenset({"csrfmiddlewaretoken", CONFIRMED})


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation | None, *, cancel_url: str
) -> HttpResponse | None:
    """None when the action may run now (confirmed, or it asks nothing); else the page."""
    if confirmation is None or is_confirmed(request):
        return None
    carried = [
        (name, value)
        for name in request.POST
        if name not in NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    context = {
        "confirmation": confirmation,
        "carried": carried,
        "action_url": request.get_full_path(),
        "cancel_url": cancel_url,
    }
    return render(request, "common/confirm.html", context)
