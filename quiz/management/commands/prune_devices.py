from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quiz import services
from quiz.models import Device


class Command(BaseCommand):
    help = (
        "Delete anonymous devices that hold no results and have not been seen for --days days "
        "(registrations whose reply never reached the phone, phones that never synced)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Idle for at least this many days (default 30).")
        parser.add_argument("--dry-run", action="store_true", help="Count them; delete nothing.")

    def handle(self, *args, days, dry_run, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        since = timezone.now() - timedelta(days=days)
        if dry_run:
            count = Device.objects.idle_without_results(since=since).count()
            self.stdout.write(f"{count} idle devices without results would be deleted.")
            return
        # A phone whose device is pruned gets 401 on its next sync and registers again.
        deleted = services.devices_prune_idle(since=since)
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} idle devices without results."))
