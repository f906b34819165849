"""The filter form's renderer keeps each widget's HTML by its context: the same context draws
the same HTML, and contexts that only compare equal (True and 1, text and safe text) do not
share it."""

from django import forms
from django.utils.safestring import mark_safe

from backoffice.common.rendering import KeptWidgetsRenderer


def drawn(renderer, widget: forms.Widget, value, attrs=None) -> str:
    return widget.render("field", value, attrs=attrs, renderer=renderer)


def test_a_kept_widget_draws_what_django_draws():
    kept, plain = KeptWidgetsRenderer(), forms.renderers.DjangoTemplates()
    select = forms.Select(choices=[("", "Any"), ("a", "A & B"), ("b", "<b>")])

    for value in ["", "a", "b", "a"]:
        assert drawn(kept, select, value) == drawn(plain, select, value)
    assert len(kept._kept) == 3


def test_contexts_that_only_compare_equal_are_kept_apart():
    kept = KeptWidgetsRenderer()
    text = forms.TextInput()

    assert 'required="1"' in drawn(kept, text, "x", {"required": 1})
    assert 'required="1"' not in drawn(kept, text, "x", {"required": True})
    assert "a&lt;b" in drawn(kept, text, "a<b")
    assert 'value="a<b"' in drawn(kept, text, mark_safe("a<b"))
