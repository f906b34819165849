"""The merchant's staff: the owner invites people by email, changes their role, removes them.

An invited person who has no account yet gets one without a password and an email with a
link to set it (Django's password-reset token: it works once and expires after
PASSWORD_RESET_TIMEOUT). Nobody changes or removes their own membership, and a merchant always
keeps at least one owner.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from orders.actors import Actor
from orders.events import staff_invited_event, staff_removed_event, staff_role_changed_event
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Membership, Merchant, Role
from orders.services.mailing import email_send


def _check_owner(merchant: Merchant, by: Actor) -> None:
    if by is not None and not by.has_perm("orders.manage_merchant", merchant):
        raise TransitionNotPermitted("Only the merchant's owner manages its staff.")


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise InvalidInput("Choose one of the roles.") from exc


def staff_set_password_url(*, user: AbstractBaseUser) -> str:
    """A one-time link (until PASSWORD_RESET_TIMEOUT) where `user` chooses a password."""
    path = reverse(
        "password-set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def staff_invite(*, merchant: Merchant, email: str, role: str, by: Actor) -> Membership:
    """Give the person with this email a role at the merchant, making their account (without
    a password) if they have none, and email them how to sign in."""
    _check_owner(merchant, by)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput(f"“{email}” is not an email address.") from exc
    role = _role(role)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = User.objects.filter(username__iexact=email).first()
        if user is None:
            user = User.objects.create_user(username=email, email=email)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        existing = Membership.objects.filter(user=user, merchant=merchant).first()
        if existing is not None:
            raise InvalidInput(f"{email} already works here as {existing.get_role_display()}.")
        membership = Membership.objects.create(user=user, merchant=merchant, role=role)
        staff_invited_event(merchant=merchant, email=email, role=role, by=by)
        transaction.on_commit(lambda: _invitation_send(membership))
    return membership


def _invitation_send(membership: Membership) -> None:
    user = membership.user
    context = {
        "merchant": membership.merchant,
        "role": membership.get_role_display(),
        "username": user.get_username(),
        "set_password_url": (
            "" if user.has_usable_password() else staff_set_password_url(user=user)
        ),
        "sign_in_url": settings.SITE_URL.rstrip("/") + reverse("login"),
    }
    email_send(
        subject=f"You have been invited to {membership.merchant.name}'s back office",
        body=render_to_string("emails/staff_invitation.txt", context),
        to=[user.email],
    )


def _locked_memberships(merchant: Merchant) -> list[Membership]:
    """Every membership of the merchant, locked: owners are counted under the lock."""
    return list(
        Membership.objects.select_for_update()
        .filter(merchant=merchant)
        .select_related("user")
        .order_by("pk")
    )


def _check_not_self_or_last_owner(
    membership: Membership, memberships: list[Membership], by: Actor, doing: str
) -> None:
    if by is not None and membership.user_id == by.pk:
        raise InvalidInput(f"You cannot {doing} yourself; ask another owner.")
    owners = [m for m in memberships if m.role == Role.OWNER]
    if membership.role == Role.OWNER and len(owners) == 1:
        raise InvalidInput(
            f"{membership.user.get_username()} is the last owner; add another first."
        )


def staff_role_change(*, membership: Membership, role: str, by: Actor) -> Membership:
    merchant = membership.merchant
    _check_owner(merchant, by)
    new_role = _role(role)
    with transaction.atomic():
        memberships = _locked_memberships(merchant)
        locked = next((m for m in memberships if m.pk == membership.pk), None)
        if locked is None:
            raise InvalidInput("That person no longer works here.")
        if locked.role == new_role:
            return locked
        if new_role != Role.OWNER:
            _check_not_self_or_last_owner(locked, memberships, by, "change the role of")
        elif by is not None and locked.user_id == by.pk:
            raise InvalidInput("You cannot change the role of yourself; ask another owner.")
        old = locked.role
        locked.role = new_role
        locked.save(update_fields=["role"])
        staff_role_changed_event(
            merchant=merchant, username=locked.user.get_username(), old=old, new=new_role, by=by
        )
    return locked


def staff_remove(*, membership: Membership, by: Actor) -> None:
    """End the person's membership (their account stays, for their other merchants and the
    audit trail)."""
    merchant = membership.merchant
    _check_owner(merchant, by)
    with transaction.atomic():
        memberships = _locked_memberships(merchant)
        locked = next((m for m in memberships if m.pk == membership.pk), None)
        if locked is None:
            return
        _check_not_self_or_last_owner(locked, memberships, by, "remove")
        locked.delete()
        staff_removed_event(
            merchant=merchant, username=locked.user.get_username(), role=locked.role, by=by
        )
