"""The facts of every transition, read from the transition itself; the one reader of django-fsm.

Each transition of Order.stage, Chargeback.status and Case.status declares what the rest of the
code needs to know in its django-fsm `custom`:

    label        what a button, a message and the timeline call it
    form         dotted path of its input form (an orders.forms.TransitionForm), if it has one
    preparer     dotted path of its step in orders.services.transition_steps (Order only): it
                 validates the inputs and does the money work; none: the transition needs none
    moves_money  its preparer may charge, capture, void or refund at the gateway, so a job's
                 item runs it in a durable commit (tests/orders/test_transition_specs.py checks
                 this against the test gateway)
    danger       its button is red
    screens      {list screen slug: position}: the stage screens that offer it first as a bulk
                 action, in that order
    unavailable  why it is refused when its conditions fail
    system       only the system (beat, webhooks, customers) runs it; no button, no operation
    one_order    its inputs belong to one order (a customer's card): a button, no operation

and its permission in django-fsm's `permission=`: a codename, an AllOf of codenames, or a
system-only callable. Who holds a codename is orders.permissions.ROLE_PERMISSIONS alone.

Forms and preparers are named by dotted path because they import the models (the forms also
the services), so the models cannot import them; this module resolves the paths on first use.
Nothing else touches django-fsm's private `_django_fsm` metadata.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models
from django.utils.module_loading import import_string
from django_fsm import FSMFieldMixin

from orders.models import Order
from orders.models.transitions import AllOf


class RefusalKind(enum.StrEnum):
    DELETED = "deleted"  # the object is soft-deleted: nothing runs on it
    STATE = "state"  # no such transition from the object's current state
    CONDITIONS = "conditions"  # the transition's conditions are not met
    PERMISSION = "permission"  # the person acting lacks the transition's permission


@dataclass(frozen=True)
class Refusal:
    """Why a transition may not run now: its kind, and a short reason for a skip list."""

    kind: RefusalKind
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    # The states it runs from (one method may have several sources; they share the facts).
    sources: tuple[str, ...]
    # Every permission a person needs to run it; None: only the system runs it.
    permissions: tuple[str, ...] | None
    system: bool = False
    one_order: bool = False
    form: str = ""
    preparer: str = ""
    moves_money: bool = False
    danger: bool = False
    unavailable: str = "its conditions are not met"
    screens: tuple[tuple[str, int], ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        """It moves money or cannot be undone: a person confirms it, seeing the amount and
        the number of orders, before it runs."""
        return self.moves_money or self.danger

    @property
    def form_class(self) -> type | None:
        return _resolved(self.form) if self.form else None

    @property
    def prepare(self) -> Callable[..., Any] | None:
        return _resolved(self.preparer) if self.preparer else None

    def screen_position(self, slug: str | None) -> int | None:
        """Where the stage screen `slug` lists it among its first bulk actions, if it does."""
        return dict(self.screens).get(slug or "")


@cache
def _resolved(path: str) -> Any:
    return import_string(path)


def _state_field(model: type[models.Model]) -> FSMFieldMixin:
    return next(f for f in model._meta.get_fields() if isinstance(f, FSMFieldMixin))


def _meta(model: type[models.Model], name: str):
    return getattr(model, name)._django_fsm


def _permissions(permission) -> tuple[str, ...] | None:
    if isinstance(permission, str):
        return (permission,)
    if isinstance(permission, AllOf):
        return tuple(permission.permissions)
    return None


@cache
def transition_specs(model: type[models.Model] = Order) -> dict[str, TransitionSpec]:
    """Every transition of the model's state field by name, in declaration order."""
    specs = {}
    for name in _state_field(model).transitions[model]:
        meta = _meta(model, name)
        first = next(iter(meta.transitions.values()))
        custom = first.custom
        specs[name] = TransitionSpec(
            name=name,
            label=custom.get("label", name.replace("_", " ")),
            sources=tuple(meta.transitions),
            permissions=_permissions(first.permission),
            system=bool(custom.get("system")),
            one_order=bool(custom.get("one_order")),
            form=custom.get("form", ""),
            preparer=custom.get("preparer", ""),
            moves_money=bool(custom.get("moves_money")),
            danger=bool(custom.get("danger")),
            unavailable=custom.get("unavailable", TransitionSpec.unavailable),
            screens=tuple(custom.get("screens", {}).items()),
        )
    return specs


def transition_spec(name: str, model: type[models.Model] = Order) -> TransitionSpec:
    """The transition's facts; KeyError for a name that is no transition of the model."""
    return transition_specs(model)[name]


def transition_label(name: str, model: type[models.Model] = Order) -> str:
    """The transition's label; for a name no longer (or never) a transition, the name itself,
    as old events may name one."""
    spec = transition_specs(model).get(name)
    return spec.label if spec else name.replace("_", " ")


def transition_refusal(obj: models.Model, name: str, user=None) -> Refusal | None:
    """Why `user` (None: the system) may not run transition `name` on `obj` now; None if they
    may. Asked in this order: deleted, state, conditions, permission."""
    if getattr(obj, "deleted_at", None) is not None:
        return Refusal(RefusalKind.DELETED, "deleted")
    meta = _meta(type(obj), name)
    state = meta.field.get_state(obj)
    if not meta.has_transition(state):
        display = getattr(obj, f"get_{meta.field.name}_display")()
        return Refusal(RefusalKind.STATE, f"not possible in {display}")
    if not meta.conditions_met(obj, state):
        why = meta.get_transition(state).custom.get("unavailable", TransitionSpec.unavailable)
        return Refusal(RefusalKind.CONDITIONS, why)
    if user is not None and not meta.has_transition_perm(obj, state, user):
        return Refusal(RefusalKind.PERMISSION, "not permitted")
    return None


def transitions_for_user(obj: models.Model, user) -> list[TransitionSpec]:
    """The transitions `user` may run on `obj` now, for its buttons (system ones never)."""
    specs = transition_specs(type(obj))
    return [
        spec
        for spec in specs.values()
        if not spec.system and transition_refusal(obj, spec.name, user) is None
    ]
