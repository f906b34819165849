"""python manage.py export_orders --merchant CODE [--mapping NAME] [--stage SLUG]
[--format csv|tsv|xlsx|xml] --out FILE"""

import sys

from django.core.management.base import BaseCommand

from backoffice.common.words import counted
from orders.events import orders_exported_event
from orders.exceptions import OrderError
from orders.models import Merchant
from tools.exports.services import export_mapping_get, export_queryset, export_write
from tools.models import ExportMapping


class Command(BaseCommand):
    help = "Export a merchant's orders through one of its mappings (default: its default)."

    def add_arguments(self, parser):
        parser.add_argument("--merchant", required=True)
        parser.add_argument("--mapping")
        parser.add_argument("--stage", default="")
        parser.add_argument("--format", choices=ExportMapping.Format.values)
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        merchant = Merchant.objects.filter(code=options["merchant"].upper()).first()
        if merchant is None:
            self._refuse(f"No merchant with code {options['merchant']}.")
        try:
            mapping = export_mapping_get(merchant=merchant, name=options["mapping"])
        except ExportMapping.DoesNotExist:
            self._refuse(f"{merchant.code} has no mapping named “{options['mapping']}”.")
        try:
            queryset = export_queryset(merchant=merchant, stage=options["stage"])
            with open(options["out"], "wb") as out:
                count = export_write(
                    mapping=mapping, queryset=queryset, out=out, format=options["format"]
                )
        except (OrderError, OSError) as exc:
            self._refuse(str(exc))
        orders_exported_event(
            merchant=merchant,
            count=count,
            mapping=mapping.name,
            mapping_id=mapping.pk,
            format=options["format"] or mapping.format,
            via="command export_orders",
            stage=options["stage"],
        )
        self.stdout.write(
            f"Exported {counted(count, 'order')} with “{mapping.name}” to {options['out']}."
        )

    def _refuse(self, message: str):
        self.stderr.write(message)
        sys.exit(1)
