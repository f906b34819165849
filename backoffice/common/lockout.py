"""The answer to a sign-in that django-axes has locked out (staff sign-in and admin alike)."""

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def sign_in_lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The lockout page (429), saying how long to wait. Every failure during a lockout starts
    the cool-off again, so the whole cool-off is the time left."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(request, "registration/lockout.html", {"minutes": minutes}, status=429)
