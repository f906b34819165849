"""Reading an export job's result file in tests."""

import csv
import io

from tools.models import Job


def exported_order_ids(job: Job, header: str = "Order ID") -> list[str]:
    """The order IDs of a CSV export's rows, in file order (the Standard mapping's first
    column is "Order ID")."""
    job.refresh_from_db()
    assert job.result_file, f"job {job.pk} has no result file ({job.status}: {job.error})"
    with job.result_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    column = rows[0].index(header)
    return [row[column] for row in rows[1:]]
