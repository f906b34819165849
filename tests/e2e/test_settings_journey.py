"""Browser: the owner opens Settings from the navigation, lowers the fraud review score and
invites a customer-service colleague, who sets a password from the email and signs in to a
back office without Settings."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from orders.models import Membership, Merchant, MerchantEvent, Role
from tests.factories import member

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_changes_the_fraud_threshold_and_invites_a_colleague(page, sign_in, merchant):
    member(merchant, "owner", username="boss")

    sign_in("boss", "pw")
    page.get_by_role("navigation", name="Order life cycle").get_by_role(
        "link", name="Merchant settings"
    ).click()
    page.wait_for_url("**/settings/")
    fraud = page.locator("#settings-fraud")
    fraud.get_by_label("Review score (0–100)").fill("35")
    fraud.get_by_role("button", name="Save fraud screening").click()

    page.wait_for_url("**/settings/#settings-fraud")
    expect(page.get_by_role("status").first).to_contain_text(
        "Fraud screening saved: 1 setting changed."
    )
    expect(page.locator(".timeline")).to_contain_text("fraud review threshold: 50 → 35")
    assert Merchant.objects.get(pk=merchant.pk).fraud_review_threshold == 35

    page.get_by_role("link", name="Staff").first.click()
    page.wait_for_url("**/settings/staff/")
    invite = page.locator("form.staff-invite")
    invite.get_by_label("Email").fill("pat@example.com")
    invite.get_by_label("Role").select_option(label="Customer service")
    page.get_by_role("button", name="Invite").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Invited pat@example.com as Customer service"
    )
    expect(page.locator('tr[data-staff="pat@example.com"]')).to_be_visible()
    assert Membership.objects.get(user__email="pat@example.com").role == Role.CUSTOMER_SERVICE
    assert MerchantEvent.objects.filter(merchant=merchant).count() == 2

    [invitation] = mail.outbox
    link = re.search(r"https?://\S+/password/set/\S+/", invitation.body).group(0)
    page.context.clear_cookies()
    page.goto("/" + link.split("/", 3)[3])
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("New password:", exact=True).fill("Sunny-Harbour-2026")
    page.get_by_label("New password confirmation:").fill("Sunny-Harbour-2026")
    page.get_by_role("button", name="Set password").click()

    page.wait_for_url("**/login/")
    sign_in("pat@example.com", "Sunny-Harbour-2026")
    expect(page.get_by_role("heading", name="Order Management")).to_be_visible()
    expect(page.get_by_role("link", name="Merchant settings")).to_have_count(0)
    expect(page.get_by_role("link", name="Case Management")).to_be_visible()
