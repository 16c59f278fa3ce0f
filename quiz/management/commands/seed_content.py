from django.core.management.base import BaseCommand

from quiz import services


class Command(BaseCommand):
    help = "Load BackCare's shipped content and publish it as version 1 (does nothing if content exists)."

    def handle(self, *args, **options):
        version = services.content_seed()
        if version is None:
            self.stdout.write("Content already present; left as it is.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded the shipped content and published version {version.number}."))
