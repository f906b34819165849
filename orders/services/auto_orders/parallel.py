"""Several rebill sweeps side by side (the command's --workers, the benchmark)."""

import threading
import time
from collections import Counter
from datetime import date
from io import TextIOBase

from django.db import connection

from .rebill import rebill_sweep


def rebill_sweeps_run(*, today: date, workers: int, out: TextIOBase | None = None) -> Counter:
    """`workers` sweeps in threads (each its own connection), one share of the IDs each."""
    counts: Counter = Counter()
    lock = threading.Lock()
    started = time.monotonic()
    errors: list[BaseException] = []

    def progress(done: int) -> None:
        if out is not None:
            out.write(f"  {done:,} looked at by one sweep ({time.monotonic() - started:.0f}s)")

    def sweep(shard: int) -> None:
        try:
            result = rebill_sweep(today=today, progress=progress, shard=shard, shards=workers)
            with lock:
                counts.update({str(key): n for key, n in result.counts.items()})
        except BaseException as exc:
            errors.append(exc)
        finally:
            if workers > 1:
                connection.close()

    if workers == 1:
        sweep(0)
    else:
        threads = [threading.Thread(target=sweep, args=(i,)) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return counts
