"""Limits every merchant input shares, so that a hostile value gets a message, not a 500.

PostgreSQL refuses NUL in text, a day count turned into a timedelta overflows past about
2.7 million years, and a date one day past 9999-12-31 does not exist: each is refused or
bounded here once rather than in every view that reads a query string.
"""

import datetime

from django.http import HttpResponseBadRequest

NUL = "\x00"
# A list filter in days ("waiting longer than", "deadline within"): ten years covers any real
# question, and anything larger would only overflow the date arithmetic.
MAX_DAYS = 3650
DAYS_FILTER = {"min_value": 0, "max_value": MAX_DAYS}

# A stored moment always lies strictly between these days in any time zone, so a range that
# starts on or before the first or ends on or after the last leaves that side open instead of
# computing a datetime the calendar (or the conversion to UTC) cannot hold.
_FIRST_DAY = datetime.date.min + datetime.timedelta(days=1)
_LAST_DAY = datetime.date.max - datetime.timedelta(days=1)


def day_range(
    first: datetime.date | None, last: datetime.date | None, zone: datetime.tzinfo
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """[since, until) covering the whole days `first` to `last` in `zone`; None is open."""
    since = until = None
    if first is not None and first > _FIRST_DAY:
        since = datetime.datetime.combine(first, datetime.time.min, zone)
    if last is not None and last < _LAST_DAY:
        day_after = last + datetime.timedelta(days=1)
        until = datetime.datetime.combine(day_after, datetime.time.min, zone)
    return since, until


def _holds_nul(request, *, with_form: bool) -> bool:
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST) if with_form else (request.GET,):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False


class RefuseNulMiddleware:
    """Answer 400 to a URL, query string or form holding a NUL character.

    No field of the project accepts one (Django's form fields refuse it, PostgreSQL cannot
    store it), yet many views read a query parameter directly, for a search or a list of IDs;
    refusing it here keeps every one of them, present and future, from reaching the database
    with it. A view exempt from CSRF (the intake API, webhooks) reads its own body, which it
    validates itself, so its form data is left unparsed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        with_form = not getattr(view_func, "csrf_exempt", False)
        if _holds_nul(request, with_form=with_form):
            return HttpResponseBadRequest(
                "The request holds a NUL character (\\0), which no field accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return None
