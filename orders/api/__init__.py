"""The API at /api/v1/: the order intake and the read API, one django-ninja application.

Its OpenAPI document is generated from the operations and schemas (/api/v1/openapi.json),
with Swagger UI served from the app's own static files at /api/v1/docs. Who may call is
orders/api/auth.py (tokens, scopes, rate limits), every request is logged
(orders/api/request_log.py) and every refusal has one shape (orders/api/errors.py).
"""
