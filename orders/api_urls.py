from django.urls import path

from . import api

urlpatterns = [
    path("orders/", api.order_intake, name="api-order-intake"),
]
