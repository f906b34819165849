"""Forms of the order page. The transition input forms live in orders.forms (the admin uses
them too)."""

from django import forms

from orders.services.notes import MAX_NOTE_LENGTH


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "The note is empty."},
    )


def form_errors_text(form: forms.Form) -> str:
    """All of a form's errors as one sentence for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
