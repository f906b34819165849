"""Forms and list filters of the chargeback and case screens."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone

from backoffice.common.inputs import DAYS_FILTER
from orders.models import Case, Chargeback
from orders.services.cases.core import MAX_MESSAGE_LENGTH


class ChargebackOpenForm(forms.Form):
    case_number = forms.CharField(max_length=64)
    reason_code = forms.CharField(max_length=20)
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0.01)
    respond_by = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ChargebackImportForm(forms.Form):
    file = forms.FileField(label="Chargeback report (CSV)")


class RebuttalForm(forms.Form):
    rebuttal = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 10}))
    internal_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    save_as = forms.CharField(
        required=False, max_length=100, label="Also save the rebuttal as a reusable text titled"
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Evidence file (PDF or image)")


class CaseOpenForm(forms.Form):
    subject = forms.CharField(max_length=200)
    message = forms.CharField(
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: emailed to the customer with a link to the case.",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks their kind, size and number."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


ATTACHMENT_TYPES = "application/pdf,image/png,image/jpeg,image/gif,image/webp"


class MessageForm(forms.Form):
    text = forms.CharField(
        label="Message",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "The message is empty."},
    )
    attachments = MultipleFileField(
        label="Attach files (PDF or images, up to 5)",
        required=False,
    )


class CustomerCaseOpenForm(forms.Form):
    subject = forms.CharField(max_length=200)
    text = forms.CharField(
        label="Message", max_length=MAX_MESSAGE_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField(
        label="Attach files (PDF or images, up to 5)",
        required=False,
    )


class ChargebackFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Chargeback.Status.choices)
    reason_code = django_filters.CharFilter(label="Reason code")
    due_within = django_filters.NumberFilter(
        label="Deadline within (days)", method="filter_due_within", **DAYS_FILTER
    )
    order_id = django_filters.CharFilter(label="Order ID", method="filter_order_id")
    received_from = django_filters.DateFilter(
        field_name="received_on",
        lookup_expr="gte",
        label="Received from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        field_name="received_on",
        lookup_expr="lte",
        label="Received to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Chargeback
        fields = ["status", "reason_code"]

    def filter_due_within(self, queryset, name, value):
        limit = timezone.localdate() + timedelta(days=int(value))
        return queryset.filter(respond_by__lte=limit, status__in=Chargeback.UNRESOLVED)

    def filter_order_id(self, queryset, name, value):
        return queryset.filter(order__order_id=value.strip().upper())


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Case.Status.choices)
    mine = django_filters.BooleanFilter(
        label="Assigned to me", method="filter_mine", widget=forms.CheckboxInput
    )
    unassigned = django_filters.BooleanFilter(
        label="Unassigned", method="filter_unassigned", widget=forms.CheckboxInput
    )
    waiting_days = django_filters.NumberFilter(
        label="Waiting longer than (days)", method="filter_waiting", **DAYS_FILTER
    )
    order_id = django_filters.CharFilter(label="Order ID", method="filter_order_id")
    email = django_filters.CharFilter(label="Email", field_name="email", lookup_expr="iexact")

    class Meta:
        model = Case
        fields = ["status", "email"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.request.user) if value else queryset

    def filter_unassigned(self, queryset, name, value):
        return queryset.filter(assigned_to__isnull=True) if value else queryset

    def filter_waiting(self, queryset, name, value):
        """Not closed, and nothing has happened for longer than `value` days."""
        since = timezone.now() - timedelta(days=int(value))
        return queryset.filter(status__in=Case.ACTIVE, status_changed_at__lt=since)

    def filter_order_id(self, queryset, name, value):
        return queryset.filter(order__order_id=value.strip().upper())
