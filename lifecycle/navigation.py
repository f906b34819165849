"""The stage counts shown by the left navigation and the home, computed once per request."""

from django.http import HttpRequest

from orders.selectors.home import StageCounts, order_stage_counts_get


def stage_counts_for_request(request: HttpRequest) -> StageCounts | None:
    if not request.user.is_authenticated or not getattr(request, "merchant", None):
        return None
    counts = getattr(request, "_stage_counts", None)
    if counts is None:
        counts = order_stage_counts_get(merchant=request.merchant)
        request._stage_counts = counts
    return counts
