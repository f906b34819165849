"""`python manage.py rebill_due`: the rebill sweep by hand (beat runs it every few minutes)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.services.auto_orders.rebill import rebill_sweep


class Command(BaseCommand):
    help = "Rebill every auto order whose next date has come; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Bill as of this day (YYYY-MM-DD); default: today.", default=""
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not “{options['date']}”.") from exc
        today = today or timezone.localdate(timezone.now())
        started = time.monotonic()

        def progress(done: int) -> None:
            self.stdout.write(
                f"  {done:,} auto orders looked at ({time.monotonic() - started:.1f}s)"
            )

        result = rebill_sweep(today=today, progress=progress)
        counts = ", ".join(f"{key} {n:,}" for key, n in sorted(result.counts.items())) or "none due"
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebill sweep for {today}: {counts} in {time.monotonic() - started:.1f}s."
            )
        )
