"""Operations over many orders: the one registry that stage bulk actions and the Batch Order
Operation tool both use.

An operation has a dry-run rule (`check`: why it would skip an order, or None when it applies)
and an `apply` that does it to one order. The preview runs `check` over the selection; the job
runs `check` again on each order (it may have changed since) and then `apply`, and commits each
order's change together with its outcome row (tools.job_runner). An operation that moves money at
the gateway gets a transaction per order, its outcome claimed first; every other operation does
a chunk of 200 orders (tools.job_runner.CHUNK_SIZE) in one transaction, locked together, and
falls back to a savepoint per order only when one of the chunk raises. Operations call orders'
services: the rules live there, so a preview, a run, the order page and the admin can never
disagree.

A whole-job operation (export with a mapping) has no `apply`: its run checks every order the
same way, then starts one job of its own over the orders that apply (one file, not per-order
work); the orders it skips become that job's "skipped" outcomes.

What an operation is: .base; every operation by name, its preview and its run: .registry.
This package's own module imports neither, so that an operation module importing .base does
not import the registry (and through it every other operation) in a cycle.
"""
