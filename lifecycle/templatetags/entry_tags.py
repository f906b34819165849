"""Small filters of the back-end entry templates."""

from django import template

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    return form[name]


@register.filter
def index(sequence, position):
    try:
        return sequence[int(position)]
    except (IndexError, TypeError, ValueError):
        return None
