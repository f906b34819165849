"""The one router every operation is declared on: the intake's POST and the list's GET share
/orders/, and ninja serves one path's methods only from one router. Reads need orders:read
unless an operation names its own scope."""

from ninja import Router

from orders.api.auth import READ_ORDERS

router = Router(auth=READ_ORDERS)
