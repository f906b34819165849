"""The merchant settings forms, one per group of orders.services.merchant_settings.

A form turns what was typed into the values the service takes (day lists, percentages, code
lists); the rules the values must keep are the service's, whose messages land on the field
that holds the value.
"""

import re
from decimal import Decimal
from typing import Any

from django import forms

from orders.models import Membership, Merchant, Role
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.services.merchant_settings import SETTINGS_GROUP_LABELS, SettingsInvalid
from orders.states import Stage

SEPARATORS = re.compile(r"[\s,;]+")
# Stages an order can sit in long enough to be overdue (done and rejected orders never are).
AGED_STAGES = [stage for stage in Stage if stage not in (Stage.COMPLETED, Stage.REJECTED)]


def _words(text: str) -> list[str]:
    return [word for word in SEPARATORS.split(text.strip()) if word]


def _joined(values) -> str:
    return ", ".join(str(value) for value in values or [])


class SettingsForm(forms.Form):
    group: str = ""
    title: str = ""
    # Where the service's message about a merchant field is shown, when not on a form field of
    # the same name.
    field_for: dict[str, str] = {}

    def __init__(self, *args, merchant: Merchant, **kwargs):
        kwargs.setdefault("initial", self.initial_for(merchant))
        kwargs.setdefault("prefix", self.group)
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        return {name: getattr(merchant, name) for name in cls.base_fields}

    def values(self) -> dict[str, Any]:
        """The cleaned data as the merchant's fields."""
        return dict(self.cleaned_data)

    def add_problems(self, error: SettingsInvalid) -> None:
        for name, message in error.problems.items():
            target = self.field_for.get(name, name)
            self.add_error(target if target in self.fields else None, message)


class FraudSettingsForm(SettingsForm):
    group = "fraud"
    title = SETTINGS_GROUP_LABELS[group]
    fraud_review_threshold = forms.IntegerField(
        label="Review score (0–100)", help_text="Orders scoring this or more go to Fraud Review."
    )
    fraud_decline_threshold = forms.IntegerField(
        label="Decline score (0–100)", help_text="Orders scoring this or more are declined."
    )
    fraud_review_action = forms.ChoiceField(
        label="An order over the review score", choices=Merchant.FraudReviewAction.choices
    )
    fraud_amount_multiple = forms.DecimalField(
        label="Large order: times the average order", max_digits=6, decimal_places=2
    )
    fraud_velocity_limit = forms.IntegerField(
        label="Orders from one email, IP or card in 24 hours before it scores"
    )
    fraud_free_email_domains = forms.CharField(
        label="Throw-away email domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Separated by commas or new lines.",
    )

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        initial = super().initial_for(merchant)
        initial["fraud_free_email_domains"] = _joined(merchant.fraud_free_email_domains)
        return initial

    def clean_fraud_free_email_domains(self) -> list[str]:
        return [word.lower() for word in _words(self.cleaned_data["fraud_free_email_domains"])]


class RetrySettingsForm(SettingsForm):
    group = "retries"
    title = SETTINGS_GROUP_LABELS[group]
    ar_retry_days = forms.CharField(
        label="Accounts Receivable: retry the card on these days after placement",
        required=False,
        help_text="e.g. 1, 3, 7 (at most seven tries; empty: no automatic retries).",
    )
    ar_reject_at_end = forms.BooleanField(
        label="Reject the order when the last try is declined", required=False
    )
    auto_order_retry_delay_days = forms.IntegerField(label="Auto orders: days between retries")
    auto_order_max_attempts = forms.IntegerField(label="Auto orders: tries before giving up")

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        initial = super().initial_for(merchant)
        initial["ar_retry_days"] = _joined(merchant.ar_retry_days)
        return initial

    def clean_ar_retry_days(self) -> list[int]:
        words = _words(self.cleaned_data["ar_retry_days"])
        if not all(word.isdigit() for word in words):
            raise forms.ValidationError(
                "Write the days as whole numbers separated by commas, e.g. 1, 3, 7."
            )
        return [int(word) for word in words]


class LifecycleSettingsForm(SettingsForm):
    group = "lifecycle"
    title = SETTINGS_GROUP_LABELS[group]
    quote_expiry_days = forms.IntegerField(label="Quotes expire after (days)")
    retention_days = forms.IntegerField(
        label="Purge deleted orders after (days)",
        required=False,
        help_text="Empty: keep deleted orders for ever.",
    )
    field_for = {"stage_age_limits": f"age_{AGED_STAGES[0]}"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in AGED_STAGES:
            self.fields[f"age_{stage}"] = forms.IntegerField(
                label=f"{stage.label}: overdue after (days)", required=False
            )

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        initial = super().initial_for(merchant)
        for stage in AGED_STAGES:
            initial[f"age_{stage}"] = merchant.stage_age_limit(stage)
        return initial

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        limits = {
            str(stage): data[f"age_{stage}"]
            for stage in AGED_STAGES
            if data.get(f"age_{stage}") is not None
        }
        return {
            "quote_expiry_days": data["quote_expiry_days"],
            "retention_days": data["retention_days"],
            "stage_age_limits": limits,
        }


class CustomFieldsSettingsForm(SettingsForm):
    group = "custom_fields"
    title = SETTINGS_GROUP_LABELS[group]
    field_for = {"custom_fields": "label_1"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in CUSTOM_FIELD_NUMBERS:
            self.fields[f"label_{number}"] = forms.CharField(
                label=f"Field {number}: label", required=False, max_length=60
            )
            self.fields[f"values_{number}"] = forms.CharField(
                label=f"Field {number}: choices",
                required=False,
                help_text="Separated by commas; empty: free text.",
            )

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for number in CUSTOM_FIELD_NUMBERS:
            config = merchant.custom_fields.get(str(number)) or {}
            initial[f"label_{number}"] = config.get("label", "")
            initial[f"values_{number}"] = _joined(config.get("values"))
        return initial

    def clean(self):
        data = super().clean()
        for number in CUSTOM_FIELD_NUMBERS:
            if data.get(f"values_{number}") and not data.get(f"label_{number}"):
                self.add_error(f"label_{number}", "Name the field that offers these choices.")
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {}
        for number in CUSTOM_FIELD_NUMBERS:
            label = data.get(f"label_{number}", "").strip()
            if label:
                choices = [v.strip() for v in data[f"values_{number}"].split(",") if v.strip()]
                fields[str(number)] = {"label": label, "values": choices}
        return {"custom_fields": fields}


class RefundSettingsForm(SettingsForm):
    group = "refunds"
    title = SETTINGS_GROUP_LABELS[group]
    refund_reason_codes = forms.CharField(
        label="Refund reason codes", required=False, help_text="Separated by commas."
    )
    reject_reason_codes = forms.CharField(
        label="Reject reason codes", required=False, help_text="Separated by commas."
    )
    reason_required = forms.BooleanField(
        label="A refund or rejection must give a reason", required=False
    )
    customer_service_refund_limit = forms.DecimalField(
        label="Customer service may refund up to (per order)", max_digits=12, decimal_places=2
    )

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        initial = super().initial_for(merchant)
        initial["refund_reason_codes"] = _joined(merchant.refund_reason_codes)
        initial["reject_reason_codes"] = _joined(merchant.reject_reason_codes)
        return initial

    def clean_refund_reason_codes(self) -> list[str]:
        return _words(self.cleaned_data["refund_reason_codes"])

    def clean_reject_reason_codes(self) -> list[str]:
        return _words(self.cleaned_data["reject_reason_codes"])


class TaxSettingsForm(SettingsForm):
    group = "tax"
    title = SETTINGS_GROUP_LABELS[group]
    tax_percent = forms.DecimalField(
        label="Tax rate (%)", max_digits=7, decimal_places=2, help_text="e.g. 8.25"
    )
    field_for = {"tax_rate": "tax_percent"}

    @classmethod
    def initial_for(cls, merchant: Merchant) -> dict[str, Any]:
        return {"tax_percent": (merchant.tax_rate * 100).normalize()}

    def values(self) -> dict[str, Any]:
        return {"tax_rate": self.cleaned_data["tax_percent"] / Decimal(100)}


class ShipmentSettingsForm(SettingsForm):
    group = "shipments"
    title = SETTINGS_GROUP_LABELS[group]
    shipment_capture = forms.ChoiceField(
        label="An order shipped in parts, paid by a card authorized at placement",
        choices=Merchant.ShipmentCapture.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Capturing each part takes the shipped lines' share of the total at each shipment; "
            "the last shipment captures the rest. Applies when cards are captured at shipment."
        ),
    )


SETTINGS_FORMS: dict[str, type[SettingsForm]] = {
    form.group: form
    for form in (
        FraudSettingsForm,
        RetrySettingsForm,
        LifecycleSettingsForm,
        CustomFieldsSettingsForm,
        RefundSettingsForm,
        TaxSettingsForm,
        ShipmentSettingsForm,
    )
}


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label="Email")
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.ORDER_MANAGER)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, membership: Membership | None = None, **kwargs):
        if membership is not None:
            kwargs.setdefault("initial", {"role": membership.role})
            kwargs.setdefault("prefix", f"m{membership.pk}")
        super().__init__(*args, **kwargs)
