"""What an ERP would do with only the two integrations: keep a copy of every order from the
webhooks it receives, then check the copy against the read API. They must agree exactly."""

import json
import sqlite3
from decimal import Decimal

import pytest

from orders.models import ApiScope, Role
from orders.models.webhook import WebhookTopic
from orders.services.api_tokens import api_token_create
from orders.services.deletion import order_delete
from orders.services.refunds import order_refund
from orders.services.transitions import order_transition
from orders.services.webhook_endpoints import webhook_endpoint_create
from orders.services.webhooks import webhooks_dispatch
from tests.factories import member, place
from tests.webhook_receiver import Receiver, webhook_receiver


class ErpCopy:
    """The receiver's own database: one row per order, the latest document it was sent; a
    redelivered event (same id) is applied once."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE orders (order_id TEXT PRIMARY KEY, document TEXT)")
        self.db.execute("CREATE TABLE seen (event_id TEXT PRIMARY KEY)")

    def apply(self, receiver: Receiver) -> None:
        for request in receiver.requests:
            body = request.json
            if self.db.execute("SELECT 1 FROM seen WHERE event_id = ?", [body["id"]]).fetchone():
                continue
            self.db.execute("INSERT INTO seen VALUES (?)", [body["id"]])
            document = body["data"]["object"]
            self.db.execute(
                "INSERT INTO orders VALUES (?, ?) ON CONFLICT (order_id) "
                "DO UPDATE SET document = excluded.document",
                [document["order_id"], json.dumps(document)],
            )
        receiver.requests.clear()

    def orders(self) -> dict[str, dict]:
        rows = self.db.execute("SELECT order_id, document FROM orders")
        return {order_id: json.loads(document) for order_id, document in rows}


def api_orders(client, token: str) -> dict[str, dict]:
    documents: dict[str, dict] = {}
    params = {"include_deleted": "true", "limit": 2}
    while True:
        page = client.get("/api/v1/orders/", params, HTTP_AUTHORIZATION=f"Bearer {token}").json()
        documents.update({item["order_id"]: item for item in page["items"]})
        if not page["next_cursor"]:
            return documents
        params["cursor"] = page["next_cursor"]


@pytest.mark.django_db
def test_a_copy_kept_from_webhooks_equals_the_read_api(client, merchant):
    owner = member(merchant, Role.OWNER)
    _, token = api_token_create(
        merchant=merchant,
        name="ERP",
        scopes=[ApiScope.READ_ORDERS, ApiScope.READ_CUSTOMERS],
        by=owner,
    )
    copy = ErpCopy()
    with webhook_receiver() as receiver:
        webhook_endpoint_create(
            merchant=merchant, url=receiver.url, topics=WebhookTopic.values, by=owner
        )
        receiver.script = [503, 200, 500]  # a few failures on the way, retried

        def step(change) -> None:
            change()
            webhooks_dispatch(seconds=5)

        orders = [place(merchant, email=f"buyer{n}@example.com") for n in range(4)]
        webhooks_dispatch(seconds=5)
        step(lambda: order_transition(order=orders[0], name="hold", by=owner, reason="Stock"))
        step(lambda: order_refund(order=orders[1], by=owner, amount=Decimal("3.00")))
        step(
            lambda: order_transition(order=orders[2], name="mark_shipped", by=owner, carrier="UPS")
        )
        step(lambda: order_delete(order=orders[3], reason="duplicate", by=owner))
        step(lambda: order_transition(order=orders[0], name="release_hold", by=owner))
        # Retries that are not due yet: send them as the next beat runs would, later.
        from datetime import timedelta

        from django.utils import timezone

        from orders.services.webhooks import deliveries_claim, delivery_send, outbox_fan_out

        later = timezone.now() + timedelta(hours=2)
        while True:
            outbox_fan_out()
            claimed = deliveries_claim(now=later)
            if not claimed:
                break
            for pk in claimed:
                delivery_send(delivery_pk=pk)
        copy.apply(receiver)

    assert copy.orders() == api_orders(client, token)
    assert len(copy.orders()) == 4
