"""What an owner does with the merchant's own carriers: add, change, remove. Each is audited."""

from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from orders.actors import Actor
from orders.events import carrier_changed_event
from orders.exceptions import InvalidInput
from orders.models import Carrier, Merchant
from orders.models.carrier import TRACKING_PLACEHOLDER
from orders.selectors.carriers import BUILT_IN_KEYS, carrier_key, tracking_url_from_pattern

NAME_MAX: int = Carrier._meta.get_field("name").max_length or 0
PATTERN_MAX: int = Carrier._meta.get_field("tracking_url_pattern").max_length or 0


class CarrierInvalid(InvalidInput):
    """The carrier's name or tracking address cannot be used; `field` says which."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _name_clean(*, merchant: Merchant, name: str, carrier_pk: int | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CarrierInvalid("Enter the carrier's name.", field="name")
    if len(name) > NAME_MAX:
        raise CarrierInvalid(f"At most {NAME_MAX} characters.", field="name")
    built_in = BUILT_IN_KEYS.get(carrier_key(name))
    if built_in is not None:
        raise CarrierInvalid(
            f"{built_in.name} is built in: its tracking numbers already link to its page.",
            field="name",
        )
    taken = Carrier.objects.filter(merchant=merchant, name__iexact=name)
    if carrier_pk is not None:
        taken = taken.exclude(pk=carrier_pk)
    if taken.exists():
        raise _name_taken(name)
    return name


def tracking_url_pattern_problem(pattern: str) -> str | None:
    """Why the tracking page's address cannot be used, or None."""
    if len(pattern) > PATTERN_MAX:
        return f"At most {PATTERN_MAX} characters."
    if pattern.count(TRACKING_PLACEHOLDER) != 1:
        return f"Put {TRACKING_PLACEHOLDER} once where the tracking number goes."
    if any(character.isspace() or not character.isprintable() for character in pattern):
        return "The address cannot contain spaces or invisible characters."
    parts = urlsplit(pattern)
    if parts.scheme.lower() != "https" or not pattern.startswith("https://"):
        return "The address must start with https://."
    if not parts.hostname or TRACKING_PLACEHOLDER in parts.netloc:
        return f"Give the carrier's site, then {TRACKING_PLACEHOLDER} after it."
    if tracking_url_from_pattern(pattern, "1Z999") is None:
        return "This is not an address a browser can open."
    return None


def _pattern_clean(pattern: str) -> str:
    pattern = (pattern or "").strip()
    if not pattern:
        raise CarrierInvalid("Enter the tracking page's address.", field="tracking_url_pattern")
    problem = tracking_url_pattern_problem(pattern)
    if problem:
        raise CarrierInvalid(problem, field="tracking_url_pattern")
    return pattern


def _name_taken(name: str) -> CarrierInvalid:
    return CarrierInvalid(f"There is already a carrier named {name}.", field="name")


def carrier_create(
    *, merchant: Merchant, name: str, tracking_url_pattern: str, by: Actor
) -> Carrier:
    """A new carrier of the merchant's; records a carrier_changed merchant event."""
    name = _name_clean(merchant=merchant, name=name, carrier_pk=None)
    pattern = _pattern_clean(tracking_url_pattern)
    try:
        with transaction.atomic():
            carrier = Carrier.objects.create(
                merchant=merchant, name=name, tracking_url_pattern=pattern
            )
            carrier_changed_event(
                merchant=merchant,
                by=by,
                carrier_id=carrier.pk,
                change="added",
                name=name,
                tracking_url_pattern=pattern,
            )
    except IntegrityError as exc:  # the same name added at the same moment
        raise _name_taken(name) from exc
    return carrier


def carrier_update(*, carrier: Carrier, name: str, tracking_url_pattern: str, by: Actor) -> Carrier:
    """Rename the carrier or change its tracking address; records a carrier_changed event
    with what was there before. Shipments keep the name they were given."""
    name = _name_clean(merchant=carrier.merchant, name=name, carrier_pk=carrier.pk)
    pattern = _pattern_clean(tracking_url_pattern)
    try:
        with transaction.atomic():
            locked = Carrier.objects.select_for_update().get(pk=carrier.pk)
            before = {"name": locked.name, "tracking_url_pattern": locked.tracking_url_pattern}
            after = {"name": name, "tracking_url_pattern": pattern}
            if before == after:
                return locked
            locked.name, locked.tracking_url_pattern = name, pattern
            locked.save(update_fields=["name", "tracking_url_pattern"])
            carrier_changed_event(
                merchant=locked.merchant,
                by=by,
                carrier_id=locked.pk,
                change="edited",
                name=name,
                before=before,
                after=after,
            )
    except IntegrityError as exc:
        raise _name_taken(name) from exc
    return locked


def carrier_delete(*, carrier: Carrier, by: Actor) -> None:
    """Remove the carrier; its shipments keep their carrier's name, shown without links."""
    with transaction.atomic():
        locked = Carrier.objects.select_for_update().filter(pk=carrier.pk).first()
        if locked is None:
            return
        carrier_changed_event(
            merchant=locked.merchant,
            by=by,
            carrier_id=locked.pk,
            change="removed",
            name=locked.name,
            tracking_url_pattern=locked.tracking_url_pattern,
        )
        locked.delete()
