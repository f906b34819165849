"""The merchant's own settings, changed by its owner group by group, each change audited.

`merchant_settings_update` is the one writer: the Settings screens, and anything else that
changes a merchant's settings, call it with already-parsed values (Decimal, int, lists, dicts);
it checks them against the rules in `rules.py`, saves the fields that changed and records one
MerchantEvent naming each changed field with its old and new value.
"""

from typing import Any

from django.db import transaction

from orders.actors import Actor
from orders.events import merchant_settings_changed_event
from orders.exceptions import TransitionNotPermitted
from orders.models import Merchant

from .rules import GROUP_RULES, SETTINGS_GROUP_LABELS, SETTINGS_GROUPS, SettingsInvalid

__all__ = [
    "SETTINGS_GROUPS",
    "SETTINGS_GROUP_LABELS",
    "SettingsInvalid",
    "merchant_settings_check_owner",
    "merchant_settings_update",
]


def merchant_settings_check_owner(*, merchant: Merchant, by: Actor) -> None:
    if by is not None and not by.has_perm("orders.manage_merchant", merchant):
        raise TransitionNotPermitted("Only the merchant's owner changes its settings.")


def merchant_settings_update(
    *, merchant: Merchant, group: str, values: dict[str, Any], by: Actor
) -> dict[str, tuple[Any, Any]]:
    """Save one group's values; returns {field: (old, new)} for the fields that changed.

    Raises SettingsInvalid (a message per field) and changes nothing when a value breaks a
    rule, or names a field outside the group.
    """
    merchant_settings_check_owner(merchant=merchant, by=by)
    fields = SETTINGS_GROUPS.get(group)
    if fields is None:
        raise SettingsInvalid({"__all__": f"No settings group “{group}”."})
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise SettingsInvalid({"__all__": f"Not a {group} setting: {', '.join(unknown)}."})
    problems = GROUP_RULES[group](values)
    if problems:
        raise SettingsInvalid(problems)
    with transaction.atomic():
        locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
        changes = {
            name: (getattr(locked, name), value)
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return {}
        for name, (_, new) in changes.items():
            setattr(locked, name, new)
        locked.save(update_fields=list(changes))
        merchant_settings_changed_event(
            merchant=locked,
            group=group,
            label=SETTINGS_GROUP_LABELS[group],
            changes=changes,
            by=by,
        )
    for name, (_, new) in changes.items():
        setattr(merchant, name, new)
    return changes
