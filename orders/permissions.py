"""Roles as Django groups, and the backend that answers permissions per merchant.

A user may work for several merchants in different roles, so a permission is asked about an
object (an order, a merchant, a job …) and answered from the user's role at that object's
merchant.
"""

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Group, Permission

from .models import Membership, Merchant, Order, Role

# The codenames are declared once, on Order (Meta.permissions, which creates them); every one but
# the merchant's settings and the money figures is an order action. Which permission a
# transition needs is declared on the transition (orders/models/transitions.py, read through
# orders.fsm); who holds each permission is declared here alone.
NOT_ORDER_ACTIONS = {"manage_merchant", "view_money"}
ORDER_ACTIONS = [
    codename for codename, _ in Order._meta.permissions if codename not in NOT_ORDER_ACTIONS
]

# The one table of who may do what. Views declare the permission they need
# (MerchantRequiredMixin.permission), services ask has_perm, and the role groups are synced
# from here; tests derive what each role may do from it.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # manage_merchant: the Settings section (merchant settings, staff, API tokens).
    Role.OWNER: [*ORDER_ACTIONS, "view_money", "manage_merchant"],
    # view_money: revenue and margin across the merchant's orders (the home charts).
    Role.ORDER_MANAGER: [*ORDER_ACTIONS, "view_money"],
    # Only the shipping and completed lists (they need no more than view_merchant_orders).
    # receive_returns: the clerk unpacks what comes back, so records its receipt (and sees the
    # Returns list to find it); opening, authorizing and refunding stay with the office.
    Role.SHIPPING_CLERK: ["view_merchant_orders", "ship_order", "hold_order", "receive_returns"],
    Role.CUSTOMER_SERVICE: [
        "view_merchant_orders",
        "view_order_lists",
        "add_note",
        "resend_email",
        "refund_order",  # capped per order by the merchant's customer-service refund limit
        "manage_cases",
        "manage_returns",
        "receive_returns",
    ],
    Role.BOOKKEEPER: [
        "view_merchant_orders",
        "view_order_lists",
        "export_orders",
        "import_costs",
        "view_money",
    ],
}


# Answered from the table itself, not from the groups synced from it: one query fewer on
# every request, and a group edited by hand in the admin cannot grant what the table does not.
PERMISSIONS_BY_ROLE: dict[str, frozenset[str]] = {
    role: frozenset(f"orders.{codename}" for codename in codenames)
    for role, codenames in ROLE_PERMISSIONS.items()
}


def role_groups_sync() -> None:
    """Create or update one group per role with exactly that role's permissions."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        permissions = Permission.objects.filter(
            content_type__app_label="orders", codename__in=codenames
        )
        group.permissions.set(permissions)


def merchant_id_of(obj) -> int | None:
    if isinstance(obj, Merchant):
        return obj.pk
    return getattr(obj, "merchant_id", None)


class MerchantRoleBackend(BaseBackend):
    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous or obj is None:
            return False
        merchant_id = merchant_id_of(obj)
        if merchant_id is None:
            return False
        return perm in self._permissions_by_merchant(user_obj).get(merchant_id, frozenset())

    def _permissions_by_merchant(self, user_obj) -> dict[int, frozenset[str]]:
        cached = getattr(user_obj, "_merchant_role_perms", None)
        if cached is None:
            memberships = Membership.objects.filter(user=user_obj).values_list(
                "merchant_id", "role"
            )
            cached = {merchant_id: PERMISSIONS_BY_ROLE[role] for merchant_id, role in memberships}
            user_obj._merchant_role_perms = cached
        return cached
