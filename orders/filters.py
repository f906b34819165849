"""The one OrderFilterSet: stage lists, "select all matching" and exports all resolve with it.

Its parameters are the list screens' query string, so a filtered list is a shareable URL; the
text search is `q` (orders.selectors.search). Every filter narrows a queryset the caller has
already scoped to one merchant (and stage); none of them widens it.
"""

from functools import partial

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet

from backoffice.common.rendering import kept_widgets_renderer
from orders.models import Merchant, Order, Tag
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.selectors.search import order_search
from orders.states import PaymentMethod, PaymentStatus, Stage


def range_widget(label: str, *, dates: bool = True) -> filters.widgets.RangeWidget:
    """A from–to pair of inputs. The list's label names the "from" half; the "to" half gets a
    label of its own, so that no input goes unnamed (screen readers say "Placed to")."""
    if dates:
        widget = filters.widgets.DateRangeWidget(attrs={"type": "date"})
    else:
        widget = filters.widgets.RangeWidget()
    widget.widgets[0].attrs["aria-label"] = f"{label} from"
    widget.widgets[1].attrs["aria-label"] = f"{label} to"
    return widget


TEST_CHOICES = (("only", "Test orders only"), ("exclude", "No test orders"))


class FilterForm(forms.Form):
    # Every list draws the same ~20 widgets on every request: their HTML is kept.
    default_renderer = kept_widgets_renderer


class OrderFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="Search")
    stage = filters.ChoiceFilter(choices=Stage.choices, label="Stage", empty_label="Any stage")
    placed = filters.DateFromToRangeFilter(
        field_name="placed_at", label="Placed", widget=range_widget("Placed")
    )
    paid = filters.DateFromToRangeFilter(
        field_name="paid_at", label="Paid", widget=range_widget("Paid")
    )
    shipped = filters.DateFromToRangeFilter(
        field_name="shipped_at", label="Shipped", widget=range_widget("Shipped")
    )
    refunded = filters.DateFromToRangeFilter(
        field_name="refunded_at", label="Refunded", widget=range_widget("Refunded")
    )
    payment_method = filters.ChoiceFilter(
        choices=PaymentMethod.choices, label="Payment method", empty_label="Any method"
    )
    payment_status = filters.ChoiceFilter(
        choices=PaymentStatus.choices, label="Payment status", empty_label="Any status"
    )
    total = filters.RangeFilter(label="Total", widget=range_widget("Total", dates=False))
    country = filters.CharFilter(method="filter_country", label="Country (2 letters)")
    test = filters.ChoiceFilter(
        method="filter_test", choices=TEST_CHOICES, label="Test orders", empty_label="Any"
    )
    # The merchant's tags by name; the join goes through the tag's unique (merchant, name)
    # index and the order-tag table's tag index.
    tag = filters.ChoiceFilter(method="filter_tag", label="Tag", empty_label="Any tag")

    class Meta:
        model = Order
        form = FilterForm
        fields: list[str] = []

    def __init__(self, *args, merchant=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Read only when the form is drawn or validated, not for every filter set made.
        self.filters["tag"].extra["choices"] = partial(_tag_choices, merchant)
        for number in CUSTOM_FIELD_NUMBERS:
            label = merchant.custom_field_label(number) if merchant else f"Custom field {number}"
            values = merchant.custom_field_values(number) if merchant else []
            field = self.filters[f"custom_{number}"]
            field.label = label
            if values:
                field.extra["widget"] = forms.Select(
                    choices=[("", "Any"), *((value, value) for value in values)]
                )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return order_search(queryset, value)

    def filter_country(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip().upper()
        return queryset.filter(Q(shipping_country=code) | Q(billing_country=code))

    def filter_test(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "only":
            return queryset.filter(is_test=True)
        if value == "exclude":
            return queryset.filter(is_test=False)
        return queryset

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A tag is the merchant's, and names are unique per merchant: one match per order.
        return queryset.filter(tags__name=value)

    @property
    def is_filtered(self) -> bool:
        """Whether any filter has a value, i.e. the list shows less than the whole screen."""
        if not self.is_bound or not self.form.is_valid():
            return False
        return any(_has_value(value) for value in self.form.cleaned_data.values())


def _tag_choices(merchant: Merchant | None) -> list[tuple[str, str]]:
    if merchant is None:
        return []
    names = Tag.objects.filter(merchant=merchant).order_by("name").values_list("name", flat=True)
    return [(name, name) for name in names]


def _has_value(value) -> bool:
    if isinstance(value, slice):
        return value.start is not None or value.stop is not None
    return value not in (None, "", [], ())


for _number in CUSTOM_FIELD_NUMBERS:
    OrderFilterSet.base_filters[f"custom_{_number}"] = filters.CharFilter(
        field_name=f"custom_{_number}", lookup_expr="iexact", label=f"Custom field {_number}"
    )


def order_filterset(*, data, queryset: QuerySet, merchant) -> OrderFilterSet:
    """The filter set over a merchant-scoped queryset, bound to query-string data."""
    return OrderFilterSet(data or None, queryset=queryset, merchant=merchant)
