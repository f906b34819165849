"""The bulk actions each list offers: the transitions that can run from a stage the screen
shows (its own first, as buttons), everything else grouped in a More menu, and only what the
person's role may run."""

import re

import pytest

from lifecycle.screens import list_screen_get
from orders.fsm import transition_specs
from orders.models import Role
from orders.states import STAGE_SCREENS, Stage
from tests.factories import member
from tests.orders.builders import order_in_stage
from tools.models import Job

from .conftest import login

pytestmark = pytest.mark.django_db


def bar(body: str) -> str:
    return body.split('class="bulk-bar"')[1].split("</form>")[0]


def first_group(body: str) -> str:
    """The buttons before the More menu and the print group."""
    return re.split(r'role="group"|more-actions', bar(body))[1]


def more_menu(body: str) -> str:
    return bar(body).split('class="action-form more-actions"')[1]


def offered(html: str) -> list[str]:
    return re.findall(r'name="operation" value="([a-z_]+)"', html)


def test_quote_requests_offer_no_shipping_or_payment_actions(manager_client, merchant):
    order_in_stage(merchant, Stage.QUOTE_REQUEST)

    body = manager_client.get("/stages/quote-requests/").content.decode()

    names = offered(bar(body))
    assert offered(first_group(body)) == ["send_quote", "reject"]
    for name in ("mark_shipped", "mark_shipped_from_list", "process_payment", "full_refund"):
        assert name not in names
    assert "resend_shipment_confirmation" not in names


def test_every_screen_offers_only_transitions_from_its_stages_and_groups_the_rest(
    manager_client, merchant
):
    specs = transition_specs()
    for screen in STAGE_SCREENS:
        order_in_stage(merchant, screen.stages[0])
        body = manager_client.get(f"/stages/{screen.slug}/").content.decode()
        first, more = offered(first_group(body)), offered(more_menu(body))
        for name in first + more:
            if name in specs:
                assert set(specs[name].sources) & set(screen.stages), (screen.slug, name)
        # Buttons: the transitions that name this screen, in their order.
        listed = sorted(
            (spec for spec in specs.values() if spec.screen_position(screen.slug) is not None),
            key=lambda spec: spec.screen_position(screen.slug),
        )
        assert first == [spec.name for spec in listed], screen.slug
        # Notes, tags, export, delete: in the menu, never among the buttons.
        assert {"append_note", "add_tag", "export", "delete"} <= set(more), screen.slug
        assert len(first) <= 3, screen.slug


def test_the_more_menu_is_a_details_element_with_named_groups(manager_client, merchant):
    order_in_stage(merchant, Stage.SHIPPING)

    body = manager_client.get("/stages/shipping/").content.decode()

    menu = more_menu(body)
    groups = re.findall(r'<h3 id="more-group-\d+">([^<]+)</h3>', menu)
    assert groups[:3] == ["Other stage actions", "Notes, tags and fields", "Shipping"]
    assert "Export and delete" in groups
    assert offered(first_group(body)) == ["mark_shipped", "hold"]
    assert "mark_shipped_from_list" in offered(menu)
    assert "<script" not in menu
    assert not re.search(r"\son[a-z]+=", menu)  # no inline handlers


def test_a_shipping_clerk_is_offered_only_what_the_role_may_run(client, merchant):
    order_in_stage(merchant, Stage.SHIPPING)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    body = client.get("/stages/shipping/").content.decode()

    assert set(offered(bar(body))) == {"mark_shipped", "hold", "mark_shipped_from_list"}
    assert "More ▾" in body


def test_an_action_the_screen_does_not_offer_is_refused(manager_client, merchant):
    quote = order_in_stage(merchant, Stage.QUOTE_REQUEST)

    response = manager_client.post(
        "/stages/quote-requests/bulk/",
        {"operation": "resend_shipment_confirmation", "order": [quote.pk]},
        follow=True,
    )

    assert "Choose an action this list offers." in response.content.decode()
    assert not Job.objects.exists()


def test_the_screens_operations_come_from_the_registry_with_stage_facts(manager, merchant):
    def names(slug: str) -> set[str]:
        operations = list_screen_get(slug).operations(user=manager, merchant=merchant)
        return {operation.name for operation in operations}

    assert "resend_shipment_confirmation" in names("completed")
    assert "full_refund" in names("completed")
    for name in ("resend_shipment_confirmation", "resend_receipt", "full_refund"):
        assert name not in names("quote-requests")
