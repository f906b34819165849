from django import forms

from orders.selectors.orders import OrderIdsResolved, order_ids_parse, order_ids_resolve
from orders.services.notes import MAX_NOTE_LENGTH

MAX_PASTED_IDS = 10_000


class NoteAppendJobForm(forms.Form):
    """Order IDs pasted in, and the note to append to each of them."""

    order_ids = forms.CharField(
        label="Order IDs",
        help_text="Separated by spaces, commas or new lines.",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, merchant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.merchant = merchant
        self.resolved: OrderIdsResolved | None = None

    def clean_order_ids(self) -> str:
        text = self.cleaned_data["order_ids"]
        count = len(order_ids_parse(text))
        if count > MAX_PASTED_IDS:
            raise forms.ValidationError(
                f"At most {MAX_PASTED_IDS:,} order IDs at a time ({count:,} given)."
            )
        self.resolved = order_ids_resolve(merchant=self.merchant, text=text)
        if not self.resolved.order_pks:
            raise forms.ValidationError("None of these IDs is a live order of this merchant.")
        return text
