from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quiz import content, content_io, services


class Command(BaseCommand):
    help = (
        "Replace the working copy with a content file (docs/CONTENT_FORMAT.md) and publish it. "
        "The file is checked as publishing checks content; unpublished edits are kept unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file, as export_content writes it.")
        parser.add_argument("--force", action="store_true", help="Discard unpublished edits in the working copy.")
        parser.add_argument("--no-publish", action="store_true", help="Load into the working copy only.")

    def handle(self, *args, path, force=False, no_publish=False, **options):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            version, published = services.content_import(content_io.parse(text), force=force, publish=not no_publish)
        except content.PublishError as refused:
            raise CommandError("Not imported. Fix these first:\n" + "\n".join(refused.problems)) from None
        if version is None:
            self.stdout.write(self.style.SUCCESS("Imported into the working copy; review and publish it in the admin."))
        elif published:
            self.stdout.write(self.style.SUCCESS(f"Imported and published as version {version.number}."))
        else:
            self.stdout.write(f"Imported; it is the same as version {version.number}, so nothing new was published.")
