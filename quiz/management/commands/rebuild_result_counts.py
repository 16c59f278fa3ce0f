from django.core.management.base import BaseCommand

from quiz import services


class Command(BaseCommand):
    help = (
        "Count every stored result again into the daily counts the results list and the dashboard "
        "read (after a restore, a change of TIME_ZONE, or results stored by an older release). "
        "Syncs wait while it runs (a few seconds a million results)."
    )

    def handle(self, *args, **options):
        counts = services.result_counts_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the daily counts of results: {counts} counts."))
