"""The demo merchant's fixed material for demo_seed: catalogue, settings, people and places,
and the stories an order can tell (how it was paid and the transitions it went through)."""

import hashlib
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from orders.states import PaymentMethod, Stage

M = PaymentMethod
S = Stage


def merchant_settings(code: str) -> dict:
    return {
        "name": "Demo Store" if code == "DEMO" else f"{code.title()} Store",
        "currency": "USD",
        "time_zone": "America/New_York",
        "tax_rate": Decimal("0.0725"),
        "fraud_review_threshold": 50,
        "fraud_decline_threshold": 90,
        "ar_retry_days": [1, 3, 7],
        "quote_expiry_days": 30,
        "stage_age_limits": {
            S.QUOTE_REQUEST: 2,
            S.QUOTE_SENT: 30,
            S.PRE_ORDER: 90,
            S.ACCOUNTS_RECEIVABLE: 7,
            S.PENDING_CLEARANCE: 5,
            S.FRAUD_REVIEW: 2,
            S.HOLD: 14,
            S.SHIPPING: 3,
        },
        "custom_fields": {
            "1": {"label": "Gift message", "values": []},
            "2": {"label": "Sales channel", "values": list(SALES_CHANNELS)},
            "3": {"label": "Packing priority", "values": list(PACKING_PRIORITIES)},
        },
        "refund_reason_codes": [
            "customer_request",
            "damaged_in_transit",
            "wrong_item",
            "late_delivery",
            "other",
        ],
        "reject_reason_codes": [
            "customer_request",
            "payment_failed",
            "out_of_stock",
            "duplicate",
            "fraud",
            "quote_expired",
            "other",
        ],
        "reason_required": True,
        "customer_service_refund_limit": Decimal("150.00"),
    }


SALES_CHANNELS = ("Web store", "Phone", "Email", "Trade show", "Marketplace")
PACKING_PRIORITIES = ("Normal", "Rush", "Fragile")
TAGS = ("gift", "press", "repeat-customer", "rush", "vip", "wholesale")

# sku, description, price, cost, weight (kg), kind ("", "digital", "pre:<days until expected>"),
# auto-order schedules it may be bought on.
CATALOGUE = (
    ("BEAN-ETH-250", "Ethiopia Yirgacheffe, whole bean, 250 g", "14.50", "5.60", "0.27", "",
     ("every_2_weeks", "monthly")),
    ("BEAN-COL-250", "Colombia Huila, whole bean, 250 g", "13.00", "4.90", "0.27", "",
     ("every_2_weeks", "monthly")),
    ("BEAN-KEN-250", "Kenya Nyeri AA, whole bean, 250 g", "16.00", "6.40", "0.27", "",
     ("monthly",)),
    ("BEAN-BRA-1K", "Brazil Cerrado, whole bean, 1 kg", "38.00", "15.20", "1.05", "",
     ("monthly", "every_2_months")),
    ("BEAN-HOUSE-1K", "House espresso blend, 1 kg", "34.00", "13.10", "1.05", "",
     ("every_2_weeks", "monthly")),
    ("BEAN-DECAF-250", "Swiss-water decaf, 250 g", "15.00", "6.10", "0.27", "", ("monthly",)),
    ("TEA-SENCHA-100", "Japanese sencha, 100 g", "12.00", "4.20", "0.12", "", ("monthly",)),
    ("TEA-EARL-100", "Earl Grey, loose leaf, 100 g", "9.50", "3.10", "0.12", "", ("monthly",)),
    ("FLT-V60-100", "Paper filters for pour-over, 100 pack", "6.50", "1.90", "0.15", "",
     ("every_2_months",)),
    ("BRW-V60-02", "Ceramic pour-over dripper", "29.00", "11.00", "0.45", "", ()),
    ("BRW-PRESS-8", "French press, 8 cup", "39.00", "14.50", "0.90", "", ()),
    ("BRW-AERO", "Hand-press coffee maker", "44.95", "24.00", "0.40", "", ()),
    ("BRW-KETTLE", "Gooseneck kettle, 1 l", "69.00", "31.00", "1.10", "", ()),
    ("GRD-HAND", "Hand grinder, steel burrs", "89.00", "38.00", "0.70", "", ()),
    ("GRD-ELEC", "Electric burr grinder", "189.00", "92.00", "3.20", "", ()),
    ("ESP-MACHINE", "Home espresso machine", "649.00", "355.00", "9.50", "", ()),
    ("ESP-TAMPER", "Espresso tamper, 58 mm", "34.00", "12.00", "0.40", "", ()),
    ("ACC-SCALE", "Brewing scale with timer", "49.00", "19.50", "0.60", "", ()),
    ("ACC-MUG-2", "Stoneware mugs, set of 2", "32.00", "11.50", "1.00", "", ()),
    ("ACC-TUMBLER", "Insulated travel tumbler", "27.00", "9.80", "0.35", "", ()),
    ("ACC-CANISTER", "Airtight coffee canister", "24.00", "8.40", "0.50", "", ()),
    ("ACC-CLEAN", "Espresso machine cleaning tablets", "14.00", "4.60", "0.20", "",
     ("every_3_months",)),
    ("GIFT-BOX", "Coffee lover's gift box", "59.00", "26.00", "1.60", "", ()),
    ("APP-TEE", "Store T-shirt", "22.00", "7.50", "0.25", "", ()),
    ("DIG-GIFT-25", "E-gift card, 25.00", "25.00", "0.00", "0", "digital", ()),
    ("DIG-GIFT-50", "E-gift card, 50.00", "50.00", "0.00", "0", "digital", ()),
    ("DIG-COURSE", "Online course: espresso at home", "39.00", "3.00", "0", "digital", ()),
    ("DIG-GUIDE", "Brewing guide (PDF)", "9.00", "0.00", "0", "digital", ()),
    ("PRE-GEISHA-100", "Panama Geisha, new harvest, 100 g", "32.00", "17.00", "0.12", "pre:40",
     ()),
    ("PRE-GRINDER-V2", "Electric burr grinder, second generation", "229.00", "110.00", "3.30",
     "pre:75", ()),
    ("PRE-CALENDAR", "Coffee advent calendar", "49.00", "21.00", "0.90", "pre:20", ()),
)  # fmt: skip


# ---- the stories ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPath:
    weight: float
    methods: tuple[str, ...]
    first: str  # the stage the order was placed into
    steps: tuple[str, ...]  # the transitions it went through since, in order
    payment: str  # at placement: charge | authorize | decline | pending | skip | cash | none
    fraud: bool = False
    digital: bool = False


P = DemoPath
CARD = (M.CREDIT_CARD,)
WALLETS = (M.PAYPAL, M.AMAZON_PAY)
OFFLINE = (M.CHECK, M.MONEY_ORDER, M.PURCHASE_ORDER, M.WIRE, M.COD)
QUOTE = (M.QUOTE_REQUEST,)
ECHECK = (M.ECHECK,)
# Methods whose money the gateway moved, so refunds go back through it.
GATEWAY_PAID = frozenset({M.CREDIT_CARD, M.ECHECK, M.PAYPAL, M.AMAZON_PAY})


def _then(paths: tuple[DemoPath, ...], step: str, weight: float = 1.0) -> tuple[DemoPath, ...]:
    return tuple(replace(p, steps=(*p.steps, step), weight=p.weight * weight) for p in paths)


SHIPPING_PATHS = (
    P(30, CARD, S.SHIPPING, (), "charge"),
    P(5, CARD, S.SHIPPING, (), "authorize"),
    P(2, CARD, S.SHIPPING, (), "skip"),
    P(10, WALLETS, S.SHIPPING, (), "charge"),
    P(2, (M.CASH,), S.SHIPPING, (), "cash"),
    P(6, OFFLINE, S.ACCOUNTS_RECEIVABLE, ("record_payment",), "none"),
    P(4, ECHECK, S.PENDING_CLEARANCE, ("confirm_clearance",), "pending"),
    P(3, CARD, S.ACCOUNTS_RECEIVABLE, ("process_payment",), "decline"),
    P(3, CARD, S.FRAUD_REVIEW, ("approve",), "charge", fraud=True),
)
RECEIVABLE_PATHS = (
    P(3, CARD, S.ACCOUNTS_RECEIVABLE, (), "none"),  # "no real-time charge": card on file
    P(4, CARD, S.ACCOUNTS_RECEIVABLE, (), "decline"),
    P(8, OFFLINE, S.ACCOUNTS_RECEIVABLE, (), "none"),
    P(1, ECHECK, S.PENDING_CLEARANCE, ("fail_clearance",), "pending"),
)
FRAUD_PATHS = (
    P(4, CARD, S.FRAUD_REVIEW, (), "charge", fraud=True),
    P(1, CARD, S.FRAUD_REVIEW, (), "authorize", fraud=True),
    P(1, WALLETS, S.FRAUD_REVIEW, (), "charge", fraud=True),
)
PATHS: dict[str, tuple[DemoPath, ...]] = {
    S.QUOTE_REQUEST: (P(1, QUOTE, S.QUOTE_REQUEST, (), "none"),),
    S.QUOTE_SENT: (P(1, QUOTE, S.QUOTE_REQUEST, ("send_quote",), "none"),),
    S.PRE_ORDER: (P(4, CARD, S.PRE_ORDER, (), "none"), P(1, WALLETS, S.PRE_ORDER, (), "none")),
    S.ACCOUNTS_RECEIVABLE: RECEIVABLE_PATHS,
    S.PENDING_CLEARANCE: (
        P(4, ECHECK, S.PENDING_CLEARANCE, (), "pending"),
        P(1, WALLETS, S.PENDING_CLEARANCE, (), "pending"),  # wallet funded by bank transfer
    ),
    S.FRAUD_REVIEW: FRAUD_PATHS,
    S.HOLD: (
        _then(SHIPPING_PATHS, "hold", 0.5)
        + _then(FRAUD_PATHS, "hold", 0.5)
        + _then(RECEIVABLE_PATHS, "hold", 0.4)
    ),
    S.SHIPPING: SHIPPING_PATHS,
    S.COMPLETED: (
        *_then(SHIPPING_PATHS, "mark_shipped"),
        P(7, CARD + WALLETS, S.COMPLETED, (), "charge", digital=True),
    ),
    S.REJECTED: (
        P(4, CARD, S.ACCOUNTS_RECEIVABLE, ("reject",), "decline"),
        P(3, OFFLINE, S.ACCOUNTS_RECEIVABLE, ("reject",), "none"),
        P(2, QUOTE, S.QUOTE_REQUEST, ("send_quote", "expire_quote"), "none"),
        P(1, QUOTE, S.QUOTE_REQUEST, ("reject",), "none"),
        P(1, ECHECK, S.PENDING_CLEARANCE, ("fail_clearance", "reject"), "pending"),
        P(3, CARD, S.FRAUD_REVIEW, ("reject_as_fraud",), "charge", fraud=True),
        P(1, CARD, S.FRAUD_REVIEW, ("reject_as_fraud",), "authorize", fraud=True),
        P(2, CARD + WALLETS, S.SHIPPING, ("mark_shipped", "refund_and_reject"), "charge"),
        P(1, CARD, S.PRE_ORDER, ("reject",), "none"),
    ),
}

# Placed in the last ten days whatever N is, so that every stage (the first ten entries) and
# every payment method (the first thirteen) has an order as soon as N is that large, and the
# demo has a card order to process in Accounts Receivable and one to capture at shipping.
# (stage, payment method, payment at placement or "" for the first story that fits)
SHOWCASE: tuple[tuple[str, str, str], ...] = (
    (S.QUOTE_REQUEST, M.QUOTE_REQUEST, ""),
    (S.QUOTE_SENT, M.QUOTE_REQUEST, ""),
    (S.PRE_ORDER, M.CREDIT_CARD, ""),
    (S.ACCOUNTS_RECEIVABLE, M.CHECK, ""),
    (S.PENDING_CLEARANCE, M.ECHECK, ""),
    (S.FRAUD_REVIEW, M.CREDIT_CARD, ""),
    (S.HOLD, M.MONEY_ORDER, ""),
    (S.SHIPPING, M.PAYPAL, ""),
    (S.COMPLETED, M.AMAZON_PAY, ""),
    (S.REJECTED, M.PURCHASE_ORDER, ""),
    (S.SHIPPING, M.WIRE, ""),
    (S.ACCOUNTS_RECEIVABLE, M.COD, ""),
    (S.SHIPPING, M.CASH, ""),
    (S.ACCOUNTS_RECEIVABLE, M.CREDIT_CARD, "none"),
    (S.SHIPPING, M.CREDIT_CARD, "authorize"),
)

# (age limit in days or None, {stage: weight}): young orders are still moving; old ones are
# mostly completed or rejected, with a few overdue stragglers.
STAGE_WEIGHTS_BY_AGE = (
    (3, {S.QUOTE_REQUEST: 3, S.QUOTE_SENT: 2, S.PRE_ORDER: 4, S.ACCOUNTS_RECEIVABLE: 10,
         S.PENDING_CLEARANCE: 6, S.FRAUD_REVIEW: 5, S.HOLD: 3, S.SHIPPING: 45, S.COMPLETED: 18,
         S.REJECTED: 4}),
    (30, {S.QUOTE_REQUEST: 1, S.QUOTE_SENT: 2, S.PRE_ORDER: 4, S.ACCOUNTS_RECEIVABLE: 6,
          S.PENDING_CLEARANCE: 1, S.FRAUD_REVIEW: 1, S.HOLD: 2, S.SHIPPING: 4,
          S.COMPLETED: 72, S.REJECTED: 7}),
    (None, {S.PRE_ORDER: 0.3, S.ACCOUNTS_RECEIVABLE: 1.5, S.HOLD: 0.3, S.COMPLETED: 90,
            S.REJECTED: 8}),
)  # fmt: skip

# Rules that fired on orders held for fraud review; each set scores 50 or more.
FRAUD_COMBOS = (
    ("amount", "countries_differ", "avs_mismatch"),
    ("block_list",),
    ("velocity", "cvv_mismatch", "free_email"),
    ("countries_differ", "cvv_mismatch", "avs_mismatch"),
    ("free_email", "amount", "countries_differ"),
)


def fraud_sentence(rule: str, order, average: Decimal, merchant, rng: random.Random) -> str:
    """The sentence orders.fraud writes when `rule` fires."""
    if rule == "amount":
        return (
            f"Total {order.total} is over {merchant.fraud_amount_multiple}× the average "
            f"order ({average})."
        )
    if rule == "countries_differ":
        return (
            f"Billing country {order.billing_country} differs from shipping country "
            f"{order.shipping_country}."
        )
    if rule == "block_list":
        return f"The email {order.email.lower()} is blocked."
    if rule == "velocity":
        return f"{rng.randrange(3, 9)} orders from this email in the last 24 hours."
    if rule == "free_email":
        return f"The email domain {order.email.rsplit('@', 1)[-1]} is a disposable address."
    if rule == "avs_mismatch":
        return "The billing address did not match the card (AVS)."
    return "The security code did not match the card (CVV)."


# ---- people and places ------------------------------------------------------------------

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Ethan",
    "Sofia",
    "Mateo",
    "Amelia",
    "Leo",
    "Harper",
    "James",
    "Aria",
    "Benjamin",
    "Chloe",
    "Daniel",
    "Grace",
    "Henry",
    "Hannah",
    "Jack",
    "Isla",
    "Oscar",
    "Lena",
    "Felix",
    "Clara",
    "Hugo",
    "Ines",
    "Louis",
    "Yuki",
    "Haruto",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Zara",
    "Samuel",
    "Nora",
    "Ravi",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Garcia",
    "Brown",
    "Miller",
    "Davis",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Lee",
    "Clark",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Nguyen",
    "Murphy",
    "Kelly",
    "Schmidt",
    "Muller",
    "Fischer",
    "Weber",
    "Dubois",
    "Moreau",
    "Laurent",
    "Rossi",
    "Jansen",
    "de Vries",
    "Tanaka",
    "Sato",
    "Patel",
    "Singh",
    "Okafor",
)
COMPANIES = (
    "Northwind Traders",
    "Bluebird Cafe",
    "Harbor Office Supply",
    "Copperleaf Studio",
    "Summit Dental",
    "Riverside Books",
    "Pinecrest Realty",
    "Lumen Design",
    "Oakline Legal",
    "Brightside Bakery",
    "Atlas Engineering",
    "Cedar & Pine Interiors",
)
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "gmx.de")
DISPOSABLE_DOMAINS = ("mailinator.com", "guerrillamail.com", "yopmail.com")

# country: (weight, phone prefix, streets, [(city, region, postal code)])
PLACES = {
    "US": (60, "+1", ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Blvd"),
           [("Austin", "TX", "78704"), ("Portland", "OR", "97214"), ("Chicago", "IL", "60614"),
            ("Brooklyn", "NY", "11215"), ("Denver", "CO", "80205"), ("Seattle", "WA", "98103"),
            ("Atlanta", "GA", "30307"), ("San Diego", "CA", "92104"), ("Madison", "WI", "53703"),
            ("Boston", "MA", "02118")]),
    "CA": (10, "+1", ("King St W", "Queen St E", "Rue Saint-Denis", "Granville St"),
           [("Toronto", "ON", "M5V 2T6"), ("Montreal", "QC", "H2X 1Y4"),
            ("Vancouver", "BC", "V6B 1A1")]),
    "GB": (9, "+44", ("High Street", "Church Road", "Station Road", "Victoria Road"),
           [("London", "", "SW1A 1AA"), ("Manchester", "", "M1 1AE"), ("Bristol", "", "BS1 4DJ")]),
    "DE": (7, "+49", ("Hauptstrasse", "Bahnhofstrasse", "Gartenweg", "Schillerstrasse"),
           [("Berlin", "", "10115"), ("Hamburg", "", "20095"), ("Munich", "BY", "80331")]),
    "FR": (5, "+33", ("Rue de la Paix", "Avenue Victor Hugo", "Rue Lafayette"),
           [("Paris", "", "75011"), ("Lyon", "", "69002"), ("Bordeaux", "", "33000")]),
    "AU": (4, "+61", ("George St", "Collins St", "Queen St"),
           [("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"), ("Brisbane", "QLD", "4000")]),
    "NL": (3, "+31", ("Prinsengracht", "Damrak", "Oudegracht"),
           [("Amsterdam", "", "1016 GV"), ("Utrecht", "", "3511 AL")]),
    "JP": (2, "+81", ("Chuo-dori", "Omotesando"),
           [("Tokyo", "Tokyo", "150-0001"), ("Osaka", "Osaka", "530-0001")]),
}  # fmt: skip
COUNTRIES = tuple(PLACES)
COUNTRY_WEIGHTS = tuple(place[0] for place in PLACES.values())


def address_new(
    rng: random.Random, *, country: str = "", avoid_country: str = ""
) -> dict[str, str]:
    """An address in `country`, or in a country drawn by weight other than `avoid_country`."""
    if not country:
        country = rng.choices(COUNTRIES, weights=COUNTRY_WEIGHTS)[0]
        while country == avoid_country:
            country = rng.choice(COUNTRIES)
    _, _, streets, cities = PLACES[country]
    city, region, postal_code = rng.choice(cities)
    return {
        "address1": f"{rng.randrange(1, 2400)} {rng.choice(streets)}",
        "address2": f"Apt {rng.randrange(1, 40)}" if rng.random() < 0.15 else "",
        "city": city,
        "region": region,
        "postal_code": postal_code,
        "country": country,
    }


def customer_new(rng: random.Random, *, disposable: bool = False) -> dict[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    company = rng.choice(COMPANIES) if rng.random() < 0.18 else ""
    if disposable:
        domain = rng.choice(DISPOSABLE_DOMAINS)
    elif company:
        domain = "".join(ch for ch in company.lower() if ch.isalnum()) + ".example.com"
    else:
        domain = rng.choice(EMAIL_DOMAINS)
    local = f"{first}.{last}".lower().replace(" ", "")
    address = address_new(rng)
    prefix = PLACES[address["country"]][1]
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{local}{rng.randrange(1, 1000)}@{domain}",
        "company": company,
        "phone": f"{prefix} {rng.randrange(200, 999)} {rng.randrange(100, 999)} "
        f"{rng.randrange(1000, 9999)}",
        # Documentation address ranges (RFC 5737): never a real customer's address.
        "ip_address": f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}."
        f"{rng.randrange(1, 255)}",
        **address,
    }


# ---- payment and shipping details -------------------------------------------------------

# brand, number prefix, number length
CARD_BRANDS = (
    ("visa", "4", 16),
    ("visa", "4", 16),
    ("mastercard", "5", 16),
    ("amex", "37", 15),
    ("discover", "6011", 16),
)
APPROVE = "ok"
DECLINE_LAST4 = ("0002", "9995")  # the test gateway declines these
SPECIAL_LAST4 = frozenset({"0002", "9995", "0119", "0341"})
# 4111 1111 1111 1111 as the test gateway tokenizes it: test orders use it.
_TEST_FINGERPRINT = hashlib.sha256(b"test-gateway:4111111111111111").hexdigest()
TEST_CARD = (
    "visa",
    "1111",
    12,
    2030,
    _TEST_FINGERPRINT[:32],
    f"tgw_{_TEST_FINGERPRINT[:32]}_ok_1111",
)

DOMESTIC_SHIPPING = (
    ("Ground", Decimal("6.95")),
    ("Ground", Decimal("6.95")),
    ("2-Day", Decimal("14.95")),
    ("Overnight", Decimal("29.95")),
)
INTERNATIONAL_SHIPPING = (
    ("International Economy", Decimal("16.95")),
    ("International Priority", Decimal("34.95")),
)


def tracking_new(country: str, rng: random.Random) -> tuple[str, list[str]]:
    """A carrier and one or two tracking numbers in that carrier's format."""
    carrier = rng.choice(("UPS", "FedEx", "USPS")) if country == "US" else "DHL"
    count = 2 if rng.random() < 0.1 else 1
    numbers = []
    for _ in range(count):
        if carrier == "UPS":
            numbers.append(f"1Z{rng.randrange(16**6):06X}{rng.randrange(10**10):010d}")
        elif carrier == "FedEx":
            numbers.append(f"{rng.randrange(10**11, 10**12)}")
        elif carrier == "USPS":
            numbers.append(f"9400{rng.randrange(10**17, 10**18)}")
        else:
            numbers.append(f"{rng.randrange(10**9, 10**10)}")
    return carrier, numbers


def payment_reference(method: str, rng: random.Random) -> str:
    prefix = {
        M.CHECK: "Check",
        M.MONEY_ORDER: "Money order",
        M.PURCHASE_ORDER: "Invoice",
        M.WIRE: "Wire",
        M.COD: "COD",
    }.get(method, "Payment")
    return f"{prefix} {rng.randrange(10000, 99999)}"


HOLD_REASONS = (
    "Customer asked us to wait for a second order to ship together",
    "Address needs confirming with the customer",
    "Waiting for stock of one item",
    "Customer requested a later delivery date",
    "Phone verification requested by the bank",
)
NOTES = (
    "Customer called to confirm the delivery address.",
    "Asked for gift wrapping; added a card.",
    "Repeat customer, prefers UPS.",
    "Emailed the customer about a delay on one item.",
    "Leave the parcel with the neighbour if nobody is home.",
    "Customer asked for an invoice with the company's VAT number.",
)
GIFT_MESSAGES = (
    "Happy birthday! Enjoy the coffee.",
    "Congratulations on the new job!",
    "Thank you for everything.",
    "Merry Christmas from all of us.",
)
