"""`python manage.py rebill_due`: the rebill sweep by hand (beat runs it every few minutes)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.services.auto_orders.parallel import rebill_sweeps_run


class Command(BaseCommand):
    help = "Rebill every auto order whose next date has come; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Bill as of this day (YYYY-MM-DD); default: today.", default=""
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="Sweeps side by side, each on its share."
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not “{options['date']}”.") from exc
        if not 1 <= options["workers"] <= 32:
            raise CommandError("--workers must be between 1 and 32.")
        today = today or timezone.localdate(timezone.now())
        started = time.monotonic()
        counts = rebill_sweeps_run(today=today, workers=options["workers"], out=self.stdout)
        summary = ", ".join(f"{key} {n:,}" for key, n in sorted(counts.items())) or "none due"
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebill sweep for {today}: {summary} in {time.monotonic() - started:.1f}s."
            )
        )
