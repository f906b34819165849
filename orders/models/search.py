"""The expressions of the order's search columns, computed by the database on every write.

They are STORED generated columns (Order.search_document, Order.phone_digits), so every writer
keeps them right: services, COPY, bulk UPDATEs of jobs and imports. On PostgreSQL the document
is folded by orders_search_fold (lower-cased and accent-stripped, migration
0001_squashed_0016); SQLite, which has no unaccent, lower-cases only.
"""

from django.db.models import F, Func, TextField

# The order's own text that search matches as fragments (custom field values included). Not
# the order ID: it is matched exactly, by number (orders.selectors.search), and its prefix,
# shared by all the merchant's orders, would make the trigram index read them all.
DOCUMENT_FIELDS = (
    "email", "first_name", "last_name", "shipping_name", "company",
    "billing_city", "shipping_city", "billing_postal_code", "shipping_postal_code",
    "billing_country", "shipping_country",
    *(f"custom_{number}" for number in range(1, 11)),
)  # fmt: skip
POSTAL_FIELDS = ("billing_postal_code", "shipping_postal_code")
SPACELESS = "REPLACE(%(expressions)s, ' ', '')"


class SearchDocument(Func):
    """' a b c … ': the fields joined by spaces, with a space at each end so that a whole
    short word can be matched as '% w %'; postal codes also without their spaces; the IP."""

    output_field = TextField()

    def __init__(self):
        super().__init__(
            *(F(name) for name in DOCUMENT_FIELDS),
            *(Func(F(name), template=SPACELESS) for name in POSTAL_FIELDS),
            F("ip_address"),
        )

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError("The search document is PostgreSQL's or SQLite's only.")

    def _joined(self, compiler, connection, *, ip_template: str, fold: str) -> tuple[str, list]:
        parts, params = [], []
        *texts, ip = self.source_expressions
        for expression in texts:
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        ip_sql, ip_params = compiler.compile(ip)
        parts.append(ip_template % ip_sql)
        params.extend(ip_params)
        return f"{fold}(' ' || " + " || ' ' || ".join(parts) + " || ' ')", params

    def as_postgresql(self, compiler, connection, **extra):
        return self._joined(
            compiler, connection, ip_template="COALESCE(HOST(%s), '')", fold="orders_search_fold"
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self._joined(compiler, connection, ip_template="COALESCE(%s, '')", fold="LOWER")


class Digits(Func):
    """The field's digits only: `+1 (899) 333-8191` → `18993338191`."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="REGEXP_REPLACE(%(expressions)s, '[^0-9]+', '', 'g')"
        )

    def as_sqlite(self, compiler, connection, **extra):
        template = "%(expressions)s"
        for char in " +()-./":
            template = f"REPLACE({template}, '{char}', '')"
        return super().as_sql(compiler, connection, template=template)
