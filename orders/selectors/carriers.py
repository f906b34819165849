"""Which carrier a shipment names, and the address of a tracking number's page there.

The catalogue is the built-in carriers below and the merchant's own (`Carrier` rows, added
under Settings → Carriers). A shipment's carrier is free text; it matches a carrier by name or
alias, ignoring case and repeated spaces. A merchant's carrier cannot take a built-in name or
alias (orders.services.carriers refuses it), so "UPS" links to UPS for every merchant.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from orders.models import Carrier, Merchant, Shipment
from orders.models.carrier import TRACKING_PLACEHOLDER


@dataclass(frozen=True)
class BuiltInCarrier:
    name: str
    tracking_url_pattern: str
    aliases: tuple[str, ...] = ()


BUILT_IN_CARRIERS: tuple[BuiltInCarrier, ...] = (
    BuiltInCarrier(
        "UPS", "https://www.ups.com/track?tracknum={tracking}", ("United Parcel Service",)
    ),
    BuiltInCarrier(
        "USPS",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}",
        ("United States Postal Service", "US Postal Service", "U.S. Postal Service"),
    ),
    BuiltInCarrier(
        "FedEx",
        "https://www.fedex.com/fedextrack/?trknbr={tracking}",
        ("Federal Express", "FedEx Express", "FedEx Ground"),
    ),
    BuiltInCarrier(
        "DHL",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
        "?submit=1&tracking-id={tracking}",
        ("DHL Express",),
    ),
    BuiltInCarrier(
        "Canada Post",
        "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={tracking}",
        ("Postes Canada",),
    ),
    BuiltInCarrier(
        "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{tracking}"
    ),
)


def carrier_key(name: str) -> str:
    """How carrier names are compared: "  fedex   ground" and "FedEx Ground" are one."""
    return " ".join((name or "").split()).casefold()


BUILT_IN_KEYS: dict[str, BuiltInCarrier] = {
    carrier_key(alias): carrier
    for carrier in BUILT_IN_CARRIERS
    for alias in (carrier.name, *carrier.aliases)
}


def tracking_url_from_pattern(pattern: str, number: str) -> str | None:
    """The pattern with the number in it, percent-encoded so that no character of the number
    can end the query or change the address; None unless the result is an https:// address."""
    number = (number or "").strip()
    if not number or pattern.count(TRACKING_PLACEHOLDER) != 1:
        return None
    url = pattern.replace(TRACKING_PLACEHOLDER, quote(number, safe=""))
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        return None
    return url


@dataclass(frozen=True)
class TrackingLink:
    """A tracking number as shown: with its page's address when its carrier is known."""

    number: str
    url: str | None


class CarrierCatalogue:
    """The carriers one merchant's shipments can name, read once and asked many times."""

    def __init__(self, merchant_carriers: Iterable[Carrier] = ()) -> None:
        merchant_carriers = list(merchant_carriers)
        self.patterns = {
            key: carrier.tracking_url_pattern for key, carrier in BUILT_IN_KEYS.items()
        }
        # Built-in names win over a stored row that predates their addition to the list.
        for carrier in merchant_carriers:
            self.patterns.setdefault(carrier_key(carrier.name), carrier.tracking_url_pattern)
        self.names = [carrier.name for carrier in BUILT_IN_CARRIERS] + [
            carrier.name
            for carrier in merchant_carriers
            if carrier_key(carrier.name) not in BUILT_IN_KEYS
        ]

    def tracking_url(self, carrier_name: str, number: str) -> str | None:
        pattern = self.patterns.get(carrier_key(carrier_name))
        return tracking_url_from_pattern(pattern, number) if pattern else None

    def tracking_links(self, shipment: Shipment) -> list[TrackingLink]:
        # A malformed (non-list) value counts as no numbers, as it does in the exports.
        numbers = shipment.tracking_numbers if isinstance(shipment.tracking_numbers, list) else []
        return [
            TrackingLink(number=str(number), url=self.tracking_url(shipment.carrier, str(number)))
            for number in numbers
        ]


def carrier_catalogue_get(merchant: Merchant) -> CarrierCatalogue:
    """The built-in carriers and the merchant's own. Reads `merchant.carriers`, so a caller
    that prefetched them (`prefetch_related("merchant__carriers")`) makes no query here."""
    return CarrierCatalogue(merchant.carriers.all())


def tracking_url(*, merchant: Merchant, carrier_name: str, number: str) -> str | None:
    """The address of the tracking number's page at the named carrier, None when the carrier
    is not in the merchant's catalogue (the number is then shown as plain text)."""
    return carrier_catalogue_get(merchant).tracking_url(carrier_name, number)


def shipment_tracking_links(shipment: Shipment) -> list[TrackingLink]:
    """Each tracking number of the shipment with its page's address (or None). Reads
    `shipment.order.merchant.carriers`, which the order's readers load with the shipments."""
    return carrier_catalogue_get(shipment.order.merchant).tracking_links(shipment)


def carrier_list(*, merchant: Merchant) -> list[Carrier]:
    """The merchant's own carriers, by name."""
    return list(Carrier.objects.filter(merchant=merchant).order_by("name", "id"))


def carrier_get(*, merchant: Merchant, pk: int) -> Carrier:
    """One of the merchant's carriers (Carrier.DoesNotExist for another merchant's)."""
    return Carrier.objects.get(merchant=merchant, pk=pk)


def carrier_names(*, merchant: Merchant) -> list[str]:
    """The carrier names to suggest when marking an order shipped: built-in ones, then the
    merchant's own."""
    return carrier_catalogue_get(merchant).names
