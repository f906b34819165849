"""What each settings group holds and the rules its values must keep.

A rule function takes the group's parsed values and answers {field: message} for each value it
refuses (empty when all are fine). Values are checked here, not only in the forms, so every
writer of a merchant's settings keeps the same limits.
"""

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from orders.exceptions import InvalidInput
from orders.models import Merchant
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.pricing import MAX_AMOUNT
from orders.services.receivables import MAX_TRIES
from orders.states import Stage

Problems = dict[str, str]

SETTINGS_GROUPS: dict[str, tuple[str, ...]] = {
    "fraud": (
        "fraud_review_threshold",
        "fraud_decline_threshold",
        "fraud_review_action",
        "fraud_amount_multiple",
        "fraud_velocity_limit",
        "fraud_free_email_domains",
    ),
    "retries": (
        "ar_retry_days",
        "ar_reject_at_end",
        "auto_order_retry_delay_days",
        "auto_order_max_attempts",
    ),
    "lifecycle": ("quote_expiry_days", "stage_age_limits", "retention_days"),
    "custom_fields": ("custom_fields",),
    "refunds": (
        "refund_reason_codes",
        "reject_reason_codes",
        "reason_required",
        "customer_service_refund_limit",
    ),
    "tax": ("tax_rate",),
    "shipments": ("shipment_capture",),
}

# What people call each group (the forms' headings, the audit trail's sentence).
SETTINGS_GROUP_LABELS: dict[str, str] = {
    "fraud": "Fraud screening",
    "retries": "Payment retries",
    "lifecycle": "Quotes, stage ages and retention",
    "custom_fields": "Custom fields",
    "refunds": "Refunds and rejections",
    "tax": "Tax",
    "shipments": "Shipments",
}

MAX_DAYS = 365
MAX_RETENTION_DAYS = 3650
MAX_AUTO_ORDER_ATTEMPTS = 10
MAX_LABEL_LENGTH = 60
MAX_CODE_LENGTH = 50
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
REASON_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class SettingsInvalid(InvalidInput):
    """One or more values break a rule; `problems` names each field with its message."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        super().__init__(" ".join(problems.values()))


def _whole(value: Any, low: int, high: int, what: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{what} must be a whole number."
    if not low <= value <= high:
        return f"{what} must be between {low} and {high}."
    return None


def _collect(checks: dict[str, str | None]) -> Problems:
    return {name: message for name, message in checks.items() if message}


def fraud_rules(values: dict[str, Any]) -> Problems:
    problems = _collect(
        {
            name: _whole(values[name], 0, 100, label) if name in values else None
            for name, label in (
                ("fraud_review_threshold", "The review score"),
                ("fraud_decline_threshold", "The decline score"),
            )
        }
    )
    review, decline = values.get("fraud_review_threshold"), values.get("fraud_decline_threshold")
    if not problems and review is not None and decline is not None and review > decline:
        problems["fraud_decline_threshold"] = "The decline score must be at least the review score."
    action = values.get("fraud_review_action")
    if "fraud_review_action" in values and action not in Merchant.FraudReviewAction.values:
        problems["fraud_review_action"] = "Choose what happens to an order over the score."
    multiple = values.get("fraud_amount_multiple")
    if multiple is not None and not Decimal("1") <= multiple <= Decimal("1000"):
        problems["fraud_amount_multiple"] = "The amount multiple must be between 1 and 1000."
    if "fraud_velocity_limit" in values:
        message = _whole(values["fraud_velocity_limit"], 1, 1000, "The velocity limit")
        if message:
            problems["fraud_velocity_limit"] = message
    bad = [d for d in values.get("fraud_free_email_domains", []) if not DOMAIN.match(d)]
    if bad:
        problems["fraud_free_email_domains"] = f"Not a domain name: {', '.join(bad)}."
    return problems


def retry_rules(values: dict[str, Any]) -> Problems:
    problems: Problems = {}
    days = values.get("ar_retry_days")
    if days is not None:
        if len(days) > MAX_TRIES:
            problems["ar_retry_days"] = f"At most {MAX_TRIES} tries."
        elif any(_whole(day, 1, MAX_DAYS, "") for day in days):
            problems["ar_retry_days"] = f"Each try is a day from 1 to {MAX_DAYS} after placement."
        elif days != sorted(set(days)):
            problems["ar_retry_days"] = "List the days in increasing order, each once."
    for name, high, label in (
        ("auto_order_retry_delay_days", 60, "The days between auto-order retries"),
        ("auto_order_max_attempts", MAX_AUTO_ORDER_ATTEMPTS, "The auto-order attempts"),
    ):
        if name in values:
            message = _whole(values[name], 1, high, label)
            if message:
                problems[name] = message
    return problems


def lifecycle_rules(values: dict[str, Any]) -> Problems:
    problems: Problems = {}
    if "quote_expiry_days" in values:
        message = _whole(values["quote_expiry_days"], 1, MAX_DAYS, "The quote expiry")
        if message:
            problems["quote_expiry_days"] = message
    limits = values.get("stage_age_limits") or {}
    unknown = [stage for stage in limits if stage not in Stage.values]
    if unknown:
        problems["stage_age_limits"] = f"Not a stage: {', '.join(unknown)}."
    elif any(_whole(days, 1, MAX_DAYS, "") for days in limits.values()):
        problems["stage_age_limits"] = f"Each age limit is a number of days from 1 to {MAX_DAYS}."
    retention = values.get("retention_days")
    if retention is not None:
        message = _whole(retention, 1, MAX_RETENTION_DAYS, "The retention")
        if message:
            problems["retention_days"] = message
    return problems


def custom_field_rules(values: dict[str, Any]) -> Problems:
    fields = values.get("custom_fields") or {}
    numbers = {str(number) for number in CUSTOM_FIELD_NUMBERS}
    for key, config in fields.items():
        if key not in numbers:
            return {"custom_fields": f"Custom fields are numbered 1 to {len(numbers)}."}
        if not isinstance(config, dict) or not config.get("label"):
            return {"custom_fields": f"Custom field {key} needs a label."}
        if len(config["label"]) > MAX_LABEL_LENGTH:
            return {"custom_fields": f"Custom field {key}: at most {MAX_LABEL_LENGTH} characters."}
        choices = config.get("values") or []
        if len(choices) != len(set(choices)) or any(len(v) > 100 for v in choices):
            return {
                "custom_fields": f"Custom field {key}: each value once, 100 characters at most."
            }
    return {}


def refund_rules(values: dict[str, Any]) -> Problems:
    problems: Problems = {}
    for name, label in (("refund_reason_codes", "refund"), ("reject_reason_codes", "reject")):
        codes = values.get(name)
        if codes is None:
            continue
        bad = [c for c in codes if len(c) > MAX_CODE_LENGTH or not REASON_CODE.match(c)]
        if bad:
            problems[name] = (
                f"Reason codes are lower-case letters, digits, - and _: {', '.join(bad)}."
            )
        elif len(codes) != len(set(codes)):
            problems[name] = f"Each {label} reason code once."
        elif not codes and values.get("reason_required"):
            problems[name] = f"Give at least one {label} reason code, or make reasons optional."
    limit = values.get("customer_service_refund_limit")
    if limit is not None and not Decimal(0) <= limit <= MAX_AMOUNT:
        problems["customer_service_refund_limit"] = (
            f"The refund limit must be between 0.00 and {MAX_AMOUNT:,}."
        )
    return problems


def tax_rules(values: dict[str, Any]) -> Problems:
    rate = values.get("tax_rate")
    if rate is not None and not Decimal(0) <= rate <= Decimal(1):
        return {"tax_rate": "The tax rate must be between 0 % and 100 %."}
    if rate is not None and rate != rate.quantize(Decimal("0.0001")):
        return {"tax_rate": "The tax rate has at most two decimals as a percentage (8.25 %)."}
    return {}


def shipment_rules(values: dict[str, Any]) -> Problems:
    if (
        "shipment_capture" in values
        and values["shipment_capture"] not in Merchant.ShipmentCapture.values
    ):
        return {"shipment_capture": "Choose when an order shipped in parts is captured."}
    return {}


GROUP_RULES: dict[str, Callable[[dict[str, Any]], Problems]] = {
    "fraud": fraud_rules,
    "retries": retry_rules,
    "lifecycle": lifecycle_rules,
    "custom_fields": custom_field_rules,
    "refunds": refund_rules,
    "tax": tax_rules,
    "shipments": shipment_rules,
}
