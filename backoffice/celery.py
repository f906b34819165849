"""The Celery app: configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.base")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from backoffice import beat_lock  # noqa: E402, F401  (connects the single-beat guard)

# Scheduled work. Each task is idempotent, so a late or repeated run does no harm;
# tests/test_beat_schedule.py checks that every entry names a registered task.
app.conf.beat_schedule = {
    "fold-stage-counts": {
        "task": "orders.tasks.stage_counts_fold_task",
        "schedule": 60.0,
    },
    # Jobs left pending while the broker was down, and running jobs whose worker died.
    "requeue-stalled-jobs": {
        "task": "tools.tasks.job_requeue_stalled_task",
        "schedule": 60.0,
    },
    "release-due-holds": {
        "task": "orders.tasks.hold_release_due_task",
        "schedule": crontab(minute="*/15"),
    },
    # Deleted orders past their merchant's retention_days are removed for good (logged).
    "purge-deleted-orders": {
        "task": "orders.tasks.orders_deleted_purge_task",
        "schedule": crontab(minute=30, hour=3),
    },
    # Hourly: a try happens on its day whatever the hour; tries are counted, so reruns are safe.
    "retry-receivable-cards": {
        "task": "orders.tasks.receivable_retry_due_task",
        "schedule": crontab(minute=5),
    },
    "expire-quotes": {
        "task": "orders.tasks.quote_expire_due_task",
        "schedule": crontab(minute=5),
    },
    "rebill-due-auto-orders": {
        "task": "orders.tasks.rebill_due_task",
        "schedule": crontab(minute="*/5"),
    },
    # One-time form tokens outlive any double submit by far; the money has its own records.
    "purge-form-submissions": {
        "task": "orders.tasks.form_submissions_purge_task",
        "schedule": crontab(minute=45, hour=3),
    },
    # Outgoing webhooks: fan out new changes and send what is due. A run drains the queue
    # for up to 50 s; overlapping runs share the work (rows are claimed with SKIP LOCKED).
    "dispatch-webhooks": {
        "task": "orders.tasks.webhooks_dispatch_task",
        "schedule": 5.0,
    },
    "purge-webhook-outbox": {
        "task": "orders.tasks.webhooks_outbox_purge_task",
        "schedule": crontab(minute=15, hour=4),
    },
    # The API's request log is for recent questions ("who called, what failed"), not history.
    "purge-api-requests": {
        "task": "orders.tasks.api_requests_purge_task",
        "schedule": crontab(minute=50, hour=3),
    },
    "expire-overdue-chargebacks": {
        "task": "orders.tasks.chargeback_expire_due_task",
        "schedule": crontab(minute=5),
    },
}
