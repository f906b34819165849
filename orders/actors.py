"""Who a service acts for: the type of every service's `by`."""

from django.contrib.auth.models import AnonymousUser, User

# A signed-in user, an anonymous visitor (a customer's own pages), or None when the system
# acts (the rebill sweep, a job's own steps): a service asks `by` for a permission only when
# it is given one.
Actor = User | AnonymousUser | None
