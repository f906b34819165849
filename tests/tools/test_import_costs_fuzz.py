"""Hundreds of malformed cost files: always a clear refusal or errors, never a crash or a change."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders.exceptions import OrderError
from orders.models import Order
from tests.factories import place
from tests.tools.costfiles import HEADER, xlsx_bytes
from tools.imports.services import cost_file_preview

NAMES = st.sampled_from([*HEADER, "order id", " ORDER ID ", "Cost", "", "Actual Payment"])
CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["DEMO-0000001", "$1,234.50", "12.345", "-0", "1e5", "=1+1", "(3)", "1,2,3"]),
)
ROWS = st.lists(st.lists(CELLS, max_size=6), max_size=8)
HEADERS = st.lists(NAMES, min_size=0, max_size=6)


def csv_of(header, rows, encoding) -> bytes:
    lines = [
        ",".join(map(str, header)),
        *(",".join("" if c is None else str(c) for c in r) for r in rows),
    ]
    return "\n".join(lines).encode(encoding, errors="replace")


def snapshot():
    return list(
        Order.objects.order_by("pk").values_list(
            "actual_shipping", "actual_fulfillment", "actual_payment"
        )
    )


def preview_safely(merchant, name, content):
    try:
        preview = cost_file_preview(merchant=merchant, name=name, content=content)
    except OrderError as exc:
        message = str(exc)  # a refusal always says why
        assert message, repr(exc)  # noqa: PT017
        return
    assert preview.plan.rows_read >= 0
    for error in preview.plan.errors:
        assert error.row >= 1
        assert error.message


@pytest.fixture
def fuzz_merchant(merchant):
    place(merchant, email="fuzz@example.com")
    return merchant


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=HEADERS, rows=ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"])
)
def test_generated_csv_files_are_refused_or_previewed_never_crash(
    fuzz_merchant, header, rows, encoding
):
    before = snapshot()
    preview_safely(fuzz_merchant, "costs.csv", csv_of(header, rows, encoding))
    assert snapshot() == before


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=HEADERS,
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.text(max_size=8).filter(lambda t: t.isprintable()),
                st.integers(-(10**6), 10**6),
                st.floats(-1e6, 1e6),
            ),
            max_size=5,
        ),
        max_size=6,
    ),
    cut=st.one_of(st.none(), st.integers(0, 4000)),
    flip=st.one_of(st.none(), st.integers(0, 4000)),
)
def test_generated_and_truncated_workbooks_are_refused_or_previewed_never_crash(
    fuzz_merchant, header, rows, cut, flip
):
    content = bytearray(xlsx_bytes((header or ["Order ID"], rows)))
    if flip is not None and flip < len(content):
        content[flip] ^= 0xFF
    if cut is not None:
        content = content[:cut]
    before = snapshot()
    preview_safely(fuzz_merchant, "costs.xlsx", bytes(content))
    assert snapshot() == before


@pytest.mark.django_db
def test_a_zip_bomb_named_xlsx_is_refused_before_parsing(fuzz_merchant, settings):
    settings.COST_IMPORT_MAX_EXPANDED_BYTES = 10 * 1024 * 1024  # a small bomb builds faster
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (40 * 1024 * 1024))
    with pytest.raises(OrderError, match="would expand"):
        cost_file_preview(merchant=fuzz_merchant, name="bomb.xlsx", content=out.getvalue())
