"""The export mapping editor: columns picked from the catalogue, moved, removed and saved with
plain form posts (no script needed); the text form stays as the advanced view."""

import pytest
from django.urls import reverse

from tests.factories import place
from tests.tools.conftest import login
from tools.export_forms import columns_rearrange
from tools.exports.services import export_mapping_get
from tools.models import ExportMapping

pytestmark = pytest.mark.django_db

NEW = reverse("export-mapping-create")
PREVIEW = reverse("export-mapping-preview")


def picker_data(rows, name="Accounting", **extra):
    data = {
        "name": name,
        "format": "csv",
        "granularity": "order",
        "col-TOTAL_FORMS": str(len(rows)),
        "col-INITIAL_FORMS": str(len(rows)),
    }
    for number, (field, header, fmt, values) in enumerate(rows):
        data.update(
            {
                f"col-{number}-field": field,
                f"col-{number}-header": header,
                f"col-{number}-format": fmt,
                f"col-{number}-values": values,
            }
        )
    return {**data, **extra}


def shown_rows(response) -> list[tuple[str, str]]:
    return [(form.initial["field"], form.initial["header"]) for form in response.context["rows"]]


def test_the_editor_offers_the_catalogue_as_rows_and_a_text_view(client, manager, merchant):
    mapping = export_mapping_get(merchant=merchant)
    login(client, manager)

    page = client.get(reverse("export-mapping-edit", args=[mapping.pk]))
    text = client.get(reverse("export-mapping-edit", args=[mapping.pk]), {"view": "text"})

    body = page.content.decode()
    assert [field for field, _ in shown_rows(page)] == [c["field"] for c in mapping.columns]
    assert '<optgroup label="Line fields">' in body
    assert 'name="row_action" value="add"' in body
    assert 'aria-label="Move column 2 up"' in body
    assert 'name="columns"' not in body
    assert 'name="columns"' in text.content.decode()


def test_add_remove_and_move_buttons_change_the_rows_without_saving(client, manager, merchant):
    login(client, manager)
    rows = [("order_id", "Reference", "", "code"), ("total", "Amount", "thousands", "code")]

    added = client.post(NEW, picker_data(rows, row_action="add", add_field="stage"))
    moved = client.post(NEW, picker_data(rows, row_action="up-1"))
    removed = client.post(NEW, picker_data(rows, row_action="remove-0"))

    assert shown_rows(added) == [("order_id", "Reference"), ("total", "Amount"), ("stage", "Stage")]
    assert shown_rows(moved) == [("total", "Amount"), ("order_id", "Reference")]
    assert shown_rows(removed) == [("total", "Amount")]
    assert moved.context["form"]["name"].value() == "Accounting"
    unnamed = client.post(NEW, picker_data(rows, name="", row_action="down-0"))
    assert shown_rows(unnamed) == [("total", "Amount"), ("order_id", "Reference")]
    assert "This field is required" not in unnamed.content.decode()  # moving is not saving
    assert not ExportMapping.objects.filter(name="Accounting").exists()


def test_saving_the_picked_columns_goes_through_the_mapping_service(client, manager, merchant):
    login(client, manager)
    rows = [
        ("total", "Amount", "thousands", "code"),
        ("stage", "Stage", "", "label"),
        ("order_id", "", "", "code"),
    ]

    response = client.post(NEW, picker_data(rows))

    assert response.status_code == 302
    mapping = ExportMapping.objects.get(merchant=merchant, name="Accounting")
    assert mapping.columns == [
        {"field": "total", "header": "Amount", "format": "thousands"},
        {"field": "stage", "header": "Stage", "format": "", "values": "label"},
        {"field": "order_id", "header": "Order ID", "format": ""},
    ]


def test_a_refused_mapping_says_why_and_changes_nothing(client, manager, merchant):
    login(client, manager)
    rows = [("line_sku", "SKU", "", "code")]

    response = client.post(NEW, picker_data(rows))

    assert response.status_code == 400
    assert "Column 1: line fields need one row per line." in response.content.decode()
    assert shown_rows(response) == [("line_sku", "SKU")]
    assert not ExportMapping.objects.filter(name="Accounting").exists()


def test_the_editor_s_message_goes_away_once_the_fault_is_fixed(client, manager, merchant):
    place(merchant)
    login(client, manager)
    taken = export_mapping_get(merchant=merchant).name
    rows = [("order_id", "Reference", "", "code")]

    refused = client.post(NEW, picker_data(rows, name=taken))
    still = client.post(PREVIEW, picker_data(rows, name=taken), HTTP_HX_REQUEST="true")
    fixed = client.post(PREVIEW, picker_data(rows, name="Fresh"), HTTP_HX_REQUEST="true")

    message = f"There is already a mapping named “{taken}”."
    assert message in refused.content.decode()
    assert '<div id="mapping-problem" hx-swap-oob="true">' in still.content.decode()
    assert message in still.content.decode()
    assert '<div id="mapping-problem" hx-swap-oob="true"></div>' in fixed.content.decode()
    assert "<th>Reference</th>" in fixed.content.decode()


def test_moving_past_either_end_or_an_unknown_button_changes_nothing():
    rows = [{"field": "a"}, {"field": "b"}]
    assert columns_rearrange(rows, "up-0") == rows
    assert columns_rearrange(rows, "down-1") == rows
    assert columns_rearrange(rows, "remove-7") == rows
    assert columns_rearrange(rows, "explode-0") == rows
    assert columns_rearrange(rows, "down-0") == [{"field": "b"}, {"field": "a"}]
