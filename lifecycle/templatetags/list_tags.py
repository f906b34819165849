"""Template helpers of the list screens: sortable column headers."""

from django import template
from django.utils.html import format_html

register = template.Library()

ARROWS = {"ascending": " ▲", "descending": " ▼"}


@register.simple_tag(takes_context=True)
def sort_header(context, column) -> str:
    """The column's <th>: a link that sorts by it (or flips it) when an index allows sorting."""
    sortable = context.get("sortable") or {}
    key = sortable.get(column.name)
    attrs = column.attrs.get("th", {})
    css = attrs.get("class", "")
    if key is None:
        return format_html('<th scope="col" class="{}">{}</th>', css, column.header)
    sort = context["sort"]
    current = sort.key == key
    next_param = f"-{key}" if current and sort.param == key else key
    if not current and key in ("placed", "total", "number"):
        next_param = f"-{key}"  # newest / largest first on a first click
    state = ("descending" if sort.param.startswith("-") else "ascending") if current else ""
    query = context["request"].GET.copy()
    query["sort"] = next_param
    for name in ("after", "before"):
        query.pop(name, None)
    href = f"?{query.urlencode()}"
    return format_html(
        '<th scope="col" class="{}"{}><a href="{}" hx-get="{}" hx-target="#results" '
        'hx-swap="outerHTML" hx-push-url="true">{}{}</a></th>',
        css,
        format_html(' aria-sort="{}"', state) if state else "",
        href,
        href,
        column.header,
        ARROWS.get(state, ""),
    )
