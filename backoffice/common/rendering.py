"""A form renderer that keeps the HTML of the widgets it has drawn.

A list page draws the same filter form on every request: about twenty widgets whose
templates include a template per attribute set and per option (~130 template renders, about
a third of the page's time). A widget's HTML is a function of its template and its context
alone (name, value, attributes, choices), so the HTML drawn for a context is kept and served
again for an equal context. Only contexts made of plain values (text, numbers, booleans,
None, lists and dicts of them) are kept; anything else is drawn each time.
"""

import threading

from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.functional import Promise
from django.utils.safestring import SafeData

# Distinct widget contexts are few (a filter's value is part of its context); past this many
# the whole store is dropped and refilled, which bounds its memory without bookkeeping.
MAX_KEPT = 2_048


class _Unkeepable(Exception):
    """A context value whose rendering might not be a function of its repr."""


def _frozen(value):
    # Text keeps whether it is marked safe: "a<b" and mark_safe("a<b") draw differently.
    if isinstance(value, str):
        return ("safe", str(value)) if isinstance(value, SafeData) else value
    if value is None:
        return None
    if isinstance(value, bool | int | float):  # True == 1 == 1.0, but each draws differently
        return (type(value).__name__, value)
    if isinstance(value, Promise):  # a lazy label, drawn in the current language
        return str(value)
    if isinstance(value, dict):
        return tuple(sorted((str(key), _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("seq", *(_frozen(item) for item in value))
    raise _Unkeepable


class KeptWidgetsRenderer(DjangoTemplates):
    """Django's template renderer, with each (template, context)'s HTML kept in the process."""

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def render(self, template_name, context, request=None):
        if request is not None:
            return super().render(template_name, context, request=request)
        try:
            key = (template_name, translation.get_language(), _frozen(context))
        except _Unkeepable:
            return super().render(template_name, context)
        html = self._kept.get(key)
        if html is None:
            html = super().render(template_name, context)
            with self._lock:
                if len(self._kept) >= MAX_KEPT:
                    self._kept.clear()
                self._kept[key] = html
        return html


kept_widgets_renderer = KeptWidgetsRenderer()
