"""Tracking numbers as links to their carrier's page, for the staff screens and the emails."""

from django import template

from orders.models import Merchant, Shipment
from orders.selectors.carriers import TrackingLink, carrier_names, shipment_tracking_links

register = template.Library()


@register.filter
def tracking_links(shipment: Shipment) -> list[TrackingLink]:
    """Each tracking number with its page's address, or None when the carrier is unknown."""
    return shipment_tracking_links(shipment)


@register.simple_tag
def carrier_suggestions(merchant: Merchant | None) -> list[str]:
    """The carrier names a mark-shipped form suggests (free text stays allowed)."""
    return carrier_names(merchant=merchant) if merchant is not None else []
