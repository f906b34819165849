"""Template helpers of the merchant screens: navigation counts, money, ages, event sentences."""

from django import template
from django.utils import timezone

from backoffice.common.tenancy import url_permitted
from lifecycle.forms import OneTimeTokenForm
from lifecycle.navigation import nav_sections_for_request, stage_counts_for_request
from orders.selectors.fulfilment import packing_slip_lines
from orders.selectors.home import StageCounts
from orders.services.auto_orders.schedules import schedule_label as schedule_label_for
from orders.timeline import event_sentence, money_display, stage_display, value_display

register = template.Library()


@register.simple_tag(takes_context=True)
def stage_nav_counts(context) -> StageCounts | None:
    """The current merchant's counts per stage screen (one query per request)."""
    request = context.get("request")
    return stage_counts_for_request(request) if request is not None else None


@register.simple_tag(takes_context=True)
def nav_sections(context) -> list[tuple[str, list[tuple[str, str]]]]:
    """The side navigation's sections below the lists, with only the links this role may open."""
    request = context.get("request")
    return nav_sections_for_request(request) if request is not None else []


@register.filter
def opens_for(url: str, request) -> bool:
    """Whether this signed-in user may open `url` (its view's own permissions decide)."""
    return url_permitted(request, url)


@register.simple_tag
def one_time_token() -> str:
    """A money form's hidden one-time token, fresh each time the form is rendered."""
    return OneTimeTokenForm()["form_token"].as_hidden()


@register.filter
def money(value) -> str:
    """1234.5 → "1,234.50"; money is shown with two decimals and thousands separators."""
    return money_display(value)


@register.filter
def age_days(moment) -> str:
    """Whole days since a moment, as shown in the lists' age column: "0 d", "6 d"."""
    if not moment:
        return ""
    return f"{max((timezone.now() - moment).days, 0)} d"


@register.filter
def stage_label(value: str) -> str:
    return stage_display(value)


@register.filter
def card_brand(value: str) -> str:
    """ "amex" → "American Express"."""
    return value_display("card_brand", value or "") if value else ""


@register.filter
def payment_method_label(value: str) -> str:
    """ "credit_card" → "Credit card", for rows that carry the code without the model."""
    return value_display("payment_method", value) if value else ""


@register.filter
def schedule_label(name: str) -> str:
    return schedule_label_for(name or "")


@register.filter
def event_summary(event) -> str:
    """One readable sentence for a timeline event, from its type and payload."""
    return event_sentence(type=event.type, payload=event.payload)


@register.simple_tag
def slip_lines(order, shipment=None):
    """(number, line, quantity) a packing slip lists (orders.selectors.fulfilment)."""
    return packing_slip_lines(order, shipment or None)
