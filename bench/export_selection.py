"""Export of a selection (a list's rows or "all matching", a batch) beside the Export Orders
tool's export of the same orders, both as jobs run in this process.

    DATABASE_URL=postgres://… python bench/export_selection.py --orders 10000,95000

For each size, a fresh merchant with exactly that many orders (removed afterwards), then:
  baseline   export_start over the merchant's live orders (no order list) and its job
  selection  what a list's "all matching" export does: resolve the filter to order pks,
             check every order again (operation_job_create of "export"), create the export
             job over those pks; then the same job, narrowed to the pks
The selection's request part (resolve, re-check, create) is printed apart from its job.
"""

import argparse
import os
import random
import string

from _setup import django_setup, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", default="10000,95000", help="sizes, comma-separated")
    args = parser.parse_args()
    django_setup()
    import tools.jobs

    # Jobs are run below by job_run, not on commit: the request and the job are timed apart.
    tools.jobs._job_enqueue = lambda job_id, queue: None
    print("Export of a selection through the Standard mapping (CSV) beside Export Orders")
    for size in (int(n) for n in args.orders.split(",")):
        merchant = _merchant_with(size)
        try:
            _compare(merchant, size)
        finally:
            _remove(merchant)


def _compare(merchant, size: int) -> None:
    from tools.exports.services import export_mapping_get

    mapping = export_mapping_get(merchant=merchant)
    base, base_count = timed(lambda: baseline(merchant, mapping))
    request, ran, count = selection(merchant, mapping)
    ours = request + ran
    print(
        f"{size:>7,} orders · selection {ours:6.2f}s (request {request:5.2f}s: resolve, "
        f"re-check, create · job {ran:6.2f}s; {count:,} exported) · baseline {base:6.2f}s "
        f"({base_count:,} exported) · ratio {ours / base:4.2f}×"
    )


def baseline(merchant, mapping) -> int:
    from tools.exports.services import export_start
    from tools.job_runner import job_run

    return job_run(job_id=export_start(merchant=merchant, mapping=mapping).pk).done


def selection(merchant, mapping) -> tuple[float, float, int]:
    from orders.selectors.selection import OrderSelection, SelectionKind, order_selection_resolve
    from tools.job_runner import job_run
    from tools.operations.registry import operation_get, operation_job_create

    def request():
        everything = OrderSelection(kind=SelectionKind.FILTER, newest_first=True)
        pks = order_selection_resolve(merchant=merchant, selection=everything).order_pks
        return operation_job_create(
            merchant=merchant,
            operation=operation_get("export"),
            inputs={"mapping": mapping.pk, "format": ""},
            order_pks=pks,
            selection={"screen": "all", "query": "", "all_matching": True},
        )

    request_time, job = timed(request)
    run_time, job = timed(lambda: job_run(job_id=job.pk))
    return request_time, run_time, job.done


def _merchant_with(size: int):
    from bench.seed import orders_seed
    from orders.models import Merchant

    code = "BX" + "".join(random.choices(string.ascii_uppercase, k=6))
    merchant = Merchant.objects.create(code=code, name="Export selection benchmark")
    orders_seed(merchant=merchant, count=size)
    return merchant


def _remove(merchant) -> None:
    from orders.models import MerchantEvent, Order, OrderSequence
    from tools.models import ExportMapping, Job

    for model in (Job, MerchantEvent, ExportMapping, Order, OrderSequence):
        model.objects.filter(merchant=merchant).delete()
    merchant.delete()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
