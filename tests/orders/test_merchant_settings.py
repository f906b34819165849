"""The owner's settings: each group saved with one audit event naming every change, and a
value that breaks a rule refused with its message and nothing saved."""

from decimal import Decimal

import pytest

from orders.exceptions import TransitionNotPermitted
from orders.models import Merchant, MerchantEvent, MerchantEventType
from orders.services.merchant_settings import SettingsInvalid, merchant_settings_update
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(merchant):
    return member(merchant, "owner")


def _saved(merchant) -> Merchant:
    return Merchant.objects.get(pk=merchant.pk)


def _events(merchant):
    return list(
        MerchantEvent.objects.filter(merchant=merchant, type=MerchantEventType.SETTINGS_CHANGED)
    )


GOOD_CHANGES = {
    "fraud": {
        "fraud_review_threshold": 40,
        "fraud_decline_threshold": 80,
        "fraud_review_action": Merchant.FraudReviewAction.HOLD_WITHOUT_CHARGE,
        "fraud_amount_multiple": Decimal("5.00"),
        "fraud_velocity_limit": 5,
        "fraud_free_email_domains": ["trash.example"],
    },
    "retries": {
        "ar_retry_days": [2, 4, 8, 16],
        "ar_reject_at_end": True,
        "auto_order_retry_delay_days": 2,
        "auto_order_max_attempts": 6,
    },
    "lifecycle": {
        "quote_expiry_days": 14,
        "stage_age_limits": {"accounts_receivable": 5, "shipping": 2},
        "retention_days": 90,
    },
    "custom_fields": {
        "custom_fields": {
            "1": {"label": "Gift message", "values": []},
            "3": {"label": "Channel", "values": ["web", "phone"]},
        }
    },
    "refunds": {
        "refund_reason_codes": ["damaged", "late"],
        "reject_reason_codes": ["fraud", "duplicate"],
        "reason_required": False,
        "customer_service_refund_limit": Decimal("250.00"),
    },
    "tax": {"tax_rate": Decimal("0.0825")},
    "shipments": {"shipment_capture": "each_shipment"},
}


@pytest.mark.parametrize("group", GOOD_CHANGES)
def test_each_group_is_saved_with_one_event_listing_every_change_old_to_new(merchant, owner, group):
    values = GOOD_CHANGES[group]
    before = _saved(merchant)

    changes = merchant_settings_update(merchant=merchant, group=group, values=values, by=owner)

    saved = _saved(merchant)
    for name, value in values.items():
        assert getattr(saved, name) == value, name
        assert getattr(merchant, name) == value, name  # the caller's object too
    assert set(changes) == {n for n, v in values.items() if getattr(before, n) != v}
    [event] = _events(merchant)
    assert event.actor == owner
    assert event.payload["group"] == group
    for name in changes:
        old, new = event.payload["changes"][name]
        assert str(old) == str(getattr(before, name)) or old == getattr(before, name)
        assert str(new) == str(values[name]) or new == values[name]


def test_saving_the_same_values_again_changes_nothing_and_records_nothing(merchant, owner):
    merchant_settings_update(
        merchant=merchant, group="tax", values={"tax_rate": Decimal("0.05")}, by=owner
    )

    changes = merchant_settings_update(
        merchant=merchant, group="tax", values={"tax_rate": Decimal("0.0500")}, by=owner
    )

    assert changes == {}
    assert len(_events(merchant)) == 1


def test_choices_and_stages_read_as_their_labels_in_the_event(merchant, owner):
    from orders.timeline import event_sentence

    merchant_settings_update(
        merchant=merchant,
        group="fraud",
        values={"fraud_review_action": Merchant.FraudReviewAction.HOLD_WITHOUT_CHARGE},
        by=owner,
    )
    merchant_settings_update(
        merchant=merchant,
        group="lifecycle",
        values={"stage_age_limits": {"accounts_receivable": 5}},
        by=owner,
    )

    fraud, ages = sorted(_events(merchant), key=lambda event: event.pk)
    assert event_sentence(type=fraud.type, payload=fraud.payload).endswith(
        "fraud review action: Charge, then hold in Fraud Review → "
        "Do not charge; send to Accounts Receivable"
    )
    assert event_sentence(type=ages.type, payload=ages.payload) == (
        "Changed the quotes, stage ages and retention settings — "
        "stage age limits: — → Accounts Receivable 5 d"
    )


def test_the_event_reads_as_a_sentence_with_old_and_new_values(merchant, owner):
    from orders.timeline import event_sentence

    merchant_settings_update(
        merchant=merchant, group="fraud", values={"fraud_review_threshold": 35}, by=owner
    )

    [event] = _events(merchant)
    assert event_sentence(type=event.type, payload=event.payload) == (
        "Changed the fraud screening settings — fraud review threshold: 50 → 35"
    )


BAD_VALUES = [
    ("fraud", {"fraud_review_threshold": 101}, "fraud_review_threshold", "between 0 and 100"),
    (
        "fraud",
        {"fraud_review_threshold": 95, "fraud_decline_threshold": 90},
        "fraud_decline_threshold",
        "at least the review score",
    ),
    (
        "fraud",
        {"fraud_free_email_domains": ["not a domain"]},
        "fraud_free_email_domains",
        "Not a domain name",
    ),
    ("fraud", {"fraud_review_action": "shrug"}, "fraud_review_action", "Choose"),
    ("retries", {"ar_retry_days": [1, 2, 3, 4, 5, 6, 7, 8]}, "ar_retry_days", "At most 7 tries"),
    ("retries", {"ar_retry_days": [7, 3]}, "ar_retry_days", "increasing order"),
    ("retries", {"ar_retry_days": [0]}, "ar_retry_days", "from 1 to 365"),
    ("retries", {"auto_order_max_attempts": 0}, "auto_order_max_attempts", "between 1 and 10"),
    ("lifecycle", {"quote_expiry_days": 0}, "quote_expiry_days", "between 1 and 365"),
    ("lifecycle", {"stage_age_limits": {"limbo": 3}}, "stage_age_limits", "Not a stage: limbo"),
    ("lifecycle", {"retention_days": 0}, "retention_days", "between 1 and 3650"),
    (
        "custom_fields",
        {"custom_fields": {"11": {"label": "x"}}},
        "custom_fields",
        "numbered 1 to 10",
    ),
    ("custom_fields", {"custom_fields": {"2": {"label": ""}}}, "custom_fields", "needs a label"),
    ("refunds", {"refund_reason_codes": ["Bad Code"]}, "refund_reason_codes", "lower-case"),
    (
        "refunds",
        {"reject_reason_codes": [], "reason_required": True},
        "reject_reason_codes",
        "at least one",
    ),
    (
        "refunds",
        {"customer_service_refund_limit": Decimal("-1")},
        "customer_service_refund_limit",
        "between 0.00",
    ),
    ("tax", {"tax_rate": Decimal("1.5")}, "tax_rate", "between 0 % and 100 %"),
    ("shipments", {"shipment_capture": "never"}, "shipment_capture", "Choose when"),
]


@pytest.mark.parametrize(("group", "values", "field", "message"), BAD_VALUES)
def test_a_value_breaking_a_rule_is_refused_with_its_message_and_nothing_changes(
    merchant, owner, group, values, field, message
):
    before = {f.name: getattr(_saved(merchant), f.name) for f in Merchant._meta.fields}

    with pytest.raises(SettingsInvalid) as refused:
        merchant_settings_update(merchant=merchant, group=group, values=values, by=owner)

    assert message in refused.value.problems[field]
    assert {f.name: getattr(_saved(merchant), f.name) for f in Merchant._meta.fields} == before
    assert _events(merchant) == []


def test_a_field_outside_the_group_is_refused(merchant, owner):
    with pytest.raises(SettingsInvalid, match="Not a tax setting: code"):
        merchant_settings_update(merchant=merchant, group="tax", values={"code": "EVIL"}, by=owner)

    assert _saved(merchant).code == "DEMO"


@pytest.mark.parametrize("role", ["manager", "shipping", "service", "bookkeeper"])
def test_only_the_owner_changes_settings(merchant, role):
    with pytest.raises(TransitionNotPermitted):
        merchant_settings_update(
            merchant=merchant,
            group="tax",
            values={"tax_rate": Decimal("0.1")},
            by=member(merchant, role),
        )

    assert _saved(merchant).tax_rate == Decimal("0")
