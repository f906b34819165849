"""The auto-order screens' filter and the small forms of their actions."""

import django_filters
from django import forms
from django.db.models import Q

from orders.forms import CardForm
from orders.models import AutoOrder, Item
from orders.pricing import MAX_AMOUNT, MAX_QUANTITY
from orders.selectors.orders import order_ids_parse

DATE = forms.DateInput(attrs={"type": "date"})


class AutoOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AutoOrder.Status.choices, empty_label="Any")
    item = django_filters.ModelChoiceFilter(
        queryset=Item.objects.none(), field_name="items__item", label="Item", distinct=True
    )
    next_from = django_filters.DateFilter(
        field_name="next_rebill_on", lookup_expr="gte", label="Next rebill from", widget=DATE
    )
    next_to = django_filters.DateFilter(
        field_name="next_rebill_on", lookup_expr="lte", label="to", widget=DATE
    )
    customer = django_filters.CharFilter(method="filter_customer", label="Customer email or name")
    original = django_filters.CharFilter(
        field_name="original_order__order_id", label="Original order ID", method="filter_original"
    )
    failing = django_filters.BooleanFilter(
        method="filter_failing", label="Failures > 0", widget=forms.CheckboxInput
    )

    class Meta:
        model = AutoOrder
        fields: list[str] = []

    def __init__(self, *args, merchant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["item"].queryset = Item.objects.filter(merchant=merchant).exclude(
            auto_order_schedules=[]
        )

    def filter_customer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q(email__iexact=value)
        for word in value.split():
            query |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return queryset.filter(query)

    def filter_original(self, queryset, name, value):
        return (
            queryset.filter(original_order__order_id=value.strip().upper()) if value else queryset
        )

    def filter_failing(self, queryset, name, value):
        return queryset.filter(failed_attempts__gt=0) if value else queryset


class PauseForm(forms.Form):
    until = forms.DateField(label="Pause until", widget=DATE)


class NextDateForm(forms.Form):
    day = forms.DateField(label="Next rebill on", widget=DATE)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)
    by_customer = forms.BooleanField(label="The customer asked", required=False)


class ReenableForm(forms.Form):
    bill_missed = forms.BooleanField(
        label="Bill the periods missed meanwhile", required=False, initial=True
    )


class PostponeForm(forms.Form):
    item = forms.ModelChoiceField(queryset=Item.objects.none(), label="Item")
    order_ids = forms.CharField(
        label="Original order IDs (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="Only the auto orders these orders started; empty: all of the item's.",
    )
    before = forms.DateField(label="Next rebill before", widget=DATE)
    until = forms.DateField(label="Delay until", widget=DATE)

    def __init__(self, *args, merchant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(merchant=merchant).exclude(
            auto_order_schedules=[]
        )

    def clean(self):
        data = super().clean()
        if data.get("before") and data.get("until") and data["until"] < data["before"]:
            raise forms.ValidationError("“Delay until” must not be before “next rebill before”.")
        data["order_id_list"] = order_ids_parse(data.get("order_ids") or "")
        return data


class ItemChangeForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=MAX_QUANTITY)
    unit_price = forms.DecimalField(
        label="Unit price", min_value=0, max_value=MAX_AMOUNT, max_digits=12, decimal_places=2
    )
    schedule = forms.CharField(
        label="Schedule", max_length=40, help_text="weekly, every_2_weeks, every_N_days, monthly …"
    )


ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    "edit-item": ItemChangeForm,
    "pause": PauseForm,
    "resume": None,
    "skip": None,
    "rebill-now": None,
    "change-date": NextDateForm,
    "cancel": CancelForm,
    "reenable": ReenableForm,
    "update-card": CardForm,
}
