"""The text search: one `q` for the find box, every list, "all matching" and exports.

Each word of the term narrows (`smith boston`); a word matches an order when it is a fragment
of the order's search document (Order.search_document: email, names, company, cities, postal
codes, countries, IP, custom field values; lower-cased and accent-stripped by the database),
its exact order ID in any form (`*` wildcards aside, IDs are matched whole), a line's SKU or a
tracking number. A term made of
phone characters also matches any run of 4 or more of the phone's digits.

A term that is one whole value of a kind kept in a btree (a postal code or its start, an IP
address, a SKU, a tracking number, a phone number or a run of its digits) is looked up there
first (order_search): when orders have it, they are the result (with the order whose number
it is, if any), read through the kinds that have it only; only when none has it are the
document's fragments searched. Such terms are
made of the characters common to every address and IP (digits, `1ae`), whose trigrams are in
most orders: the trigram index would hand back most orders for a recheck, the btree the few
that match. A word of letters, an email and several words take the fragment search.

A whole email's fragment search gives the trigram index its local part and "@" only and
tests the rows it hands back for the whole email: the domain's trigrams are in most orders.

On PostgreSQL every alternative reads an index (trigram GIN on the document and the digits,
the unique (merchant, order number), the SKU btree, a jsonb GIN on tracking numbers, the
postal code btrees of migration 0023, the IP's of 0030), so the planner combines them with a
BitmapOr; the orders of a SKU or tracking number are read first and join it as a list of ids
(as a subquery when there are thousands), which an index can serve, where EXISTS could not.
"""

import ipaddress
import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Replace, StrIndex, Upper
from django.db.models.lookups import GreaterThan, StartsWith

from orders.models import Merchant, Order, OrderLine, Shipment

# Longer terms are cut: no order field is longer, and every word costs an index scan.
MAX_TERM_LENGTH = 200
MAX_WORDS = 8
# Order IDs are at most 32 characters; a longer wildcard pattern can match nothing.
MAX_WILDCARD_LENGTH = 32
FRAGMENT_MIN = 3  # shorter words match whole words only (a trigram needs three characters)
PHONE_DIGITS_MIN = 4
NATIONAL_DIGITS = 10
MAX_ARRAY_IDS = 1_000

_ORDER_ID = re.compile(r"^(?:(?P<prefix>[A-Za-z]{2,10})-?)?0*(?P<number>\d{1,18})$")
_PHONE_TERM = re.compile(r"^[\d\s()+./-]+$")
# A postal code as keyed in the index: upper-case, no spaces (`SW1A1AA`, `20095`, `00-950`).
_POSTAL_KEY = re.compile(r"^(?=.*\d)[A-Z0-9-]{3,10}$")
# A SKU or tracking number: one word with a digit or a separator, not an email.
_CODE_TERM = re.compile(r"^(?=.*[\d_.-])[^\s@]{3,}$")
# Letters unaccent folds that Unicode decomposition leaves alone.
_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
_NONE = Q(pk__in=[])


def search_term_clean(term: str | None) -> str:
    """The term without control characters (NUL included), trimmed and cut to length."""
    text = "".join(ch for ch in (term or "") if unicodedata.category(ch)[0] != "C" or ch == " ")
    return text.strip()[:MAX_TERM_LENGTH]


def search_fold(text: str) -> str:
    """Lower-cased, accents stripped: what orders_search_fold makes of the document."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def order_number_parse(word: str) -> tuple[str, int] | None:
    """(prefix or "", number) when the word is an order ID: `DEMO-0001999`, `demo1999`,
    `0001999`, `1999`."""
    match = _ORDER_ID.match(word)
    if match is None:
        return None
    return (match["prefix"] or "").upper(), int(match["number"])


def _order_number_q(word: str) -> Q | None:
    parsed = order_number_parse(word)
    if parsed is None:
        return None
    prefix, number = parsed
    condition = Q(order_number=number)
    if prefix:
        condition &= Q(order_id__startswith=f"{prefix}-")
    return condition


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Like(Func):
    """`field LIKE pattern`, with the pattern built here: a Q lookup would escape the
    surrounding spaces' meaning away and cannot say '% w %'."""

    output_field = BooleanField()
    template = "%(expressions)s"
    arg_joiner = " LIKE "

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = self.as_sql(compiler, connection, **extra)
        return f"{sql} ESCAPE '\\'", params


def _document_q(folded: str) -> Q:
    """A fragment of 3+ characters anywhere; a shorter word as a whole word ('% us %')."""
    escaped = _like_escape(folded)
    if len(folded) < FRAGMENT_MIN:
        return Q(_Like(F("search_document"), Value(f"% {escaped} %")))
    local, at, domain = folded.partition("@")
    if at and len(local) + len(at) >= FRAGMENT_MIN and domain:
        # An email: the trigram index is given its local part and "@" only, and the rows it
        # hands back are tested for the whole term. A domain's trigrams (`com`, `mai`, `ail`)
        # are in most orders of every merchant (the index has no merchant column): reading
        # their posting lists was most of a whole email's cost (~4,900 pages at 1,000,000).
        indexed = Q(_Like(F("search_document"), Value(f"%{_like_escape(local + at)}%")))
        return indexed & Q(GreaterThan(StrIndex(F("search_document"), Value(folded)), 0))
    return Q(_Like(F("search_document"), Value(f"%{escaped}%")))


def _order_ids_in(subquery) -> Q:
    # A few ids, read once here, join the bitmap OR of the other alternatives as a list;
    # thousands of them (a best-selling SKU) cost more fetched by id than a walk of the list
    # in its order that tests each row against the subquery's hashed ids, which
    # `IN (subquery)` gives.
    ids = list(subquery.values_list("order_id", flat=True)[: MAX_ARRAY_IDS + 1])
    if len(ids) > MAX_ARRAY_IDS:
        return Q(pk__in=subquery)
    return Q(pk__in=ids) if ids else _NONE


def _code_values(word: str) -> list[str]:
    """A SKU or tracking number as typed and upper-cased."""
    return list(dict.fromkeys([word, word.upper()]))


def _tracking_q(values: list[str]) -> Q:
    if connection.vendor == "postgresql":
        tracking = Q(tracking_numbers__contains=[values[0]])
        if len(values) > 1:
            tracking |= Q(tracking_numbers__contains=[values[1]])
        return tracking
    return Q(tracking_numbers__icontains=f'"{values[0]}"')


def _related_q(word: str) -> Q:
    """A line's SKU or a shipment's tracking number, exactly (as typed or upper-cased)."""
    values = _code_values(word)
    lines = OrderLine.objects.filter(sku__in=values).order_by().values("order_id")
    shipments = Shipment.objects.filter(_tracking_q(values)).order_by().values("order_id")
    return _order_ids_in(lines) | _order_ids_in(shipments)


def _phone_q(term: str) -> Q | None:
    """Runs of the phone's digits, whatever the punctuation; a number typed with its
    country code also matches one stored without it (its last ten digits)."""
    if not _PHONE_TERM.match(term):
        return None
    digits = re.sub(r"\D", "", term)
    if len(digits) < PHONE_DIGITS_MIN:
        return None
    condition = Q(phone_digits__contains=digits)
    if len(digits) > NATIONAL_DIGITS:
        condition |= Q(phone_digits__contains=digits[-NATIONAL_DIGITS:])
    return condition


def _word_q(word: str) -> Q | None:
    folded = search_fold(word)
    if not any(ch.isalnum() for ch in folded):
        return None
    condition = _document_q(folded)
    if "@" not in word:  # neither a SKU nor a tracking number has one
        condition |= _related_q(word)
    number = _order_number_q(word)
    if number is not None:
        condition |= number
    return condition


def _wildcard_regex(pattern: str) -> str:
    """`DEMO-00012*` → an anchored regex; `*` is the only wildcard, the rest is literal."""
    return "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"


def _wildcard_q(term: str) -> Q:
    pattern = re.sub(r"\*+", "*", term.upper())
    if len(pattern) > MAX_WILDCARD_LENGTH or " " in pattern:
        return _NONE
    if pattern.endswith("*") and "*" not in pattern[:-1]:
        return Q(order_id__startswith=pattern[:-1])
    return Q(order_id__regex=_wildcard_regex(pattern))


def _postal_conditions(term: str) -> list[Q]:
    """The orders whose billing, then shipping, postal code starts with the term, spaces
    aside; each read from its (merchant, postal key) btree of migration 0023."""
    if len(term.split()) > 2:
        return []
    key = "".join(term.split()).upper()
    if not _POSTAL_KEY.match(key):
        return []
    return [
        Q(StartsWith(Upper(Replace(F(field), Value(" "), Value(""))), key))
        for field in ("billing_postal_code", "shipping_postal_code")
    ]


def _postal_q(term: str) -> Q | None:
    return _any_of(_postal_conditions(term))


def _ip_q(term: str) -> Q | None:
    try:
        address = ipaddress.ip_address(term)
    except ValueError:
        return None
    return Q(ip_address=str(address))


def _is_code(term: str) -> bool:
    """Whether the term may be a SKU or a tracking number (an IP address is neither)."""
    return bool(_CODE_TERM.match(term)) and _ip_q(term) is None


def _keyed_term(term: str) -> str | None:
    term = search_term_clean(term)
    return None if not term or "*" in term or "@" in term else term


def _any_of(conditions: list[Q]) -> Q | None:
    if not conditions:
        return None
    condition = conditions[0]
    for alternative in conditions[1:]:
        condition |= alternative
    return condition


def _keyed_found_q(queryset: QuerySet, term: str) -> Q | None:
    """The alternatives of a term that is one whole value of a kind kept in a btree (module
    docstring) that some order of `queryset` has, or None when none has. Each is asked on
    its own, so that the list's queries carry only those that match (an order's postal
    codes, upper-cased and unspaced, tested on every row the page walks, cost more than the
    SKU the term was). A SKU or tracking number is asked from
    the lines' and shipments' side (their index, each row's order probed by key, stopping at
    the first in scope): asking through the orders hashed every order id of a best-selling
    SKU (70,000 at 1,000,000 orders) just to learn that one exists."""
    term = _keyed_term(term) or ""
    if not term:
        return None
    address = _ip_q(term)
    if address is not None:
        return address if queryset.filter(address).exists() else None
    found = [
        q
        for q in (_postal_q(term), _phone_q(term))
        if q is not None and queryset.filter(q).exists()
    ]
    if _is_code(term):
        values = _code_values(term)
        scope = queryset.order_by().values("pk")
        lines = OrderLine.objects.filter(sku__in=values, order__in=scope)
        if lines.exists():
            sku = OrderLine.objects.filter(sku__in=values).order_by().values("order_id")
            found.append(_order_ids_in(sku))
        shipments = Shipment.objects.filter(_tracking_q(values), order__in=scope)
        if shipments.exists():
            tracking = Shipment.objects.filter(_tracking_q(values)).order_by().values("order_id")
            found.append(_order_ids_in(tracking))
    return _any_of(found)


def order_search(queryset: QuerySet, term: str) -> QuerySet:
    """The orders of `queryset` the term finds: by the btree of its kind when it is one whole
    value that some of them have (and the order it names, if any), else by fragments."""
    term = search_term_clean(term)
    if not term:
        return queryset
    keyed = _keyed_found_q(queryset, term)
    if keyed is not None:
        number = _order_number_q(term)
        return queryset.filter(keyed | number if number is not None else keyed)
    return queryset.filter(order_search_q(term))


def order_search_q(term: str) -> Q:
    """The orders a search term finds (every word narrows); Q() for an empty term."""
    term = search_term_clean(term)
    if not term:
        return Q()
    if "*" in term:
        return _wildcard_q(term)
    words = [q for q in (_word_q(word) for word in term.split()[:MAX_WORDS]) if q is not None]
    phone = _phone_q(term)
    if not words:
        return phone or _NONE
    condition = words[0]
    for word in words[1:]:
        condition &= word
    return condition | phone if phone is not None else condition


def order_search_count_probes(term: str) -> list[Q]:
    """Parts of what a keyed term finds that one btree serves each, in order: when the
    searched orders that one part finds pass a count's limit, so do the searched orders, and
    the count can stop there (orders.selectors.lists.order_count_get). Counting the whole
    alternative first builds the bitmap of every order it finds, LIMIT or not: 132,048 orders
    for the start of a common postal code at 1,136,000 (docs/benchmarks.md)."""
    keyed = _keyed_term(term)
    return _postal_conditions(keyed) if keyed else []


def order_search_first_q(term: str) -> Q | None:
    """The matches ranked first, before the list's sort: the exact order ID, then an exact
    email. None when the term cannot be either."""
    term = search_term_clean(term)
    if not term or " " in term or "*" in term:
        return None
    number = _order_number_q(term)
    if number is not None:
        return number
    if "@" in term:
        return Q(email__in=list(dict.fromkeys([term, term.lower()])))
    return None


def order_id_for_term(*, merchant: Merchant, term: str) -> str | None:
    """The order ID of the merchant's live order the term names exactly, if any (the find box
    opens it): with or without the merchant's prefix, with or without leading zeros. A bare
    number names it only when the search finds no other order: `20095` may be the postal
    code or a phone's digits the person meant, and the list shows the order first anyway."""
    term = search_term_clean(term)
    parsed = order_number_parse(term)
    if parsed is None or parsed[0] not in ("", merchant.code.upper()):
        return None
    prefix, number = parsed
    orders = Order.objects.live().for_merchant(merchant)
    order_id = orders.filter(order_number=number).values_list("order_id", flat=True).first()
    if order_id is None or prefix:
        return order_id
    others = order_search(orders, term).exclude(order_number=number)
    return None if others.exists() else order_id
