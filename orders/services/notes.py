from orders.actors import Actor
from orders.events import order_note_added_event
from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import Order, OrderNote
from orders.writes import row_insert

from .locking import order_change_atomic, order_lock

MAX_NOTE_LENGTH = 5000


def order_note_append(
    *,
    order: Order | int,
    text: str,
    by: Actor = None,
    via: str = "",
    job_id: int | None = None,
    lock_held: bool = False,
) -> OrderNote:
    """Append a merchant note to an order. Side effect: an order_note_added event."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("The note is empty.")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(f"A note has at most {MAX_NOTE_LENGTH} characters.")
    with order_change_atomic(lock_held=lock_held):
        locked = order_lock(order, lock_held=lock_held)
        if locked.deleted_at is not None:
            raise InvalidInput(f"{locked.order_id} is deleted.")
        if by is not None and not by.has_perm("orders.add_note", locked):
            raise TransitionNotPermitted("You may not add notes to orders.")
        user = by if by is not None and by.is_authenticated else None
        note = row_insert(OrderNote(order=locked, text=text, created_by=user))
        order_note_added_event(order=locked, text=text, by=by, via=via, job_id=job_id)
    return note
