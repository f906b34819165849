"""Producing items in a thread a little ahead of their consumer.

The import parses a file (pure Python) and stores each chunk of rows (waiting on the
database). With the parsing in a thread, PostgreSQL works on one chunk while the next one is
parsed, on the machine's other core; the thread never touches the database.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(produce: Callable[[], Iterator[T]], *, depth: int = 2) -> Iterator[T]:
    """The items of `produce()`, made in a thread at most `depth` items ahead; an exception
    raised by the producer is raised here, and the producer stops when the consumer does."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item) -> bool:
        while not stopped.is_set():
            try:
                items.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def run() -> None:
        try:
            for item in produce():
                if not put(item):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it
            put(_Failed(error))

    thread = threading.Thread(target=run, name="read-ahead", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stopped.set()
        thread.join()
