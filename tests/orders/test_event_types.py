"""Event types are one enum per audit trail, each member with its timeline sentence."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from orders.models import MerchantEvent, MerchantEventType, OrderEvent, OrderEventType
from orders.timeline import EVENT_SENTENCES, event_sentence

ROOT = Path(settings.BASE_DIR)
ENUMS = {"OrderEventType": OrderEventType, "MerchantEventType": MerchantEventType}
MEMBERS = [*OrderEventType, *MerchantEventType]


def _python_files() -> list[Path]:
    files = []
    for app in ("orders", "lifecycle", "tools", "bench"):
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def _event_type_arguments(tree: ast.Module):
    """Each `type=…` given to a recorder or a query of events, and `events__type=…`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("type", "events__type", "type__in"):
                    yield node, keyword.value


def test_every_recorder_records_a_member_of_its_enum():
    recorded = set()
    tree = ast.parse((ROOT / "orders/events.py").read_text())
    for call, value in _event_type_arguments(tree):
        if isinstance(value, ast.Name) and value.id == "type":
            continue  # a helper handing on its caller's member
        assert isinstance(value, ast.Attribute), f"line {call.lineno}: not an enum member"
        assert isinstance(value.value, ast.Name), call.lineno
        assert value.value.id in ENUMS, call.lineno
        recorded.add(getattr(ENUMS[value.value.id], value.attr))
    assert recorded == set(MEMBERS), "a member that no recorder writes, or the reverse"


def test_no_code_names_an_event_type_by_a_string():
    event_types = {str(member) for member in MEMBERS}
    named = []
    for path in _python_files():
        if path == ROOT / "orders/models/event.py":
            continue  # the enums themselves
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in event_types:
                named.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert named == []


def test_every_member_has_its_sentence_and_every_sentence_its_member():
    assert set(EVENT_SENTENCES) == set(MEMBERS)


@pytest.mark.parametrize("member", MEMBERS, ids=str)
def test_each_member_reads_as_a_sentence_even_with_an_empty_payload(member):
    sentence = event_sentence(type=member, payload={})
    assert sentence
    assert sentence != member.replace("_", " ").capitalize()


def test_the_event_fields_offer_exactly_their_enum():
    assert OrderEvent._meta.get_field("type").choices == OrderEventType.choices
    assert MerchantEvent._meta.get_field("type").choices == MerchantEventType.choices


def test_a_type_no_longer_recorded_reads_as_its_name():
    assert event_sentence(type="order_archived", payload={}) == "Order archived"
