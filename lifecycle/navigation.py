"""The left navigation: the stage counts (computed once per request, shared with the home) and
the links each section offers, only those the signed-in role may open."""

from django.http import HttpRequest
from django.urls import reverse

from backoffice.common.tenancy import url_permitted
from orders.selectors.home import StageCounts, order_stage_counts_get


def stage_counts_for_request(request: HttpRequest) -> StageCounts | None:
    if not request.user.is_authenticated or not getattr(request, "merchant", None):
        return None
    counts = getattr(request, "_stage_counts", None)
    if counts is None:
        counts = order_stage_counts_get(merchant=request.merchant)
        request._stage_counts = counts
    return counts


# (section, ((label, URL name), …)) below the life-cycle lists.
NAV_SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Disputes", (("Chargebacks", "chargeback-list"), ("Cases", "case-list"))),
    ("After sale", (("Returns", "return-list"),)),
    (
        "Tools",
        (
            ("Batch operation", "tool-batch"),
            ("Export orders", "tool-export"),
            ("Import actual costs", "tool-import-costs"),
            ("Undelete order", "tool-undelete"),
            ("Jobs", "job-list"),
        ),
    ),
    (
        "Settings",
        (
            ("Merchant settings", "settings"),
            ("Staff", "settings-staff"),
            ("API tokens", "api-token-list"),
            ("Webhooks", "webhook-endpoint-list"),
            ("Carriers", "carrier-list"),
        ),
    ),
)


def nav_sections_for_request(request: HttpRequest) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each section with the (label, URL) links this user may open; empty sections left out."""
    sections = []
    for title, links in NAV_SECTIONS:
        permitted = [(label, reverse(name)) for label, name in links]
        permitted = [(label, url) for label, url in permitted if url_permitted(request, url)]
        if permitted:
            sections.append((title, permitted))
    return sections
