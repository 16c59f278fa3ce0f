from django.core.management.base import BaseCommand, CommandError

from quiz import content_io
from quiz.models import ContentVersion


class Command(BaseCommand):
    help = "Write the content as JSON (docs/CONTENT_FORMAT.md): the working copy, or a published version."

    def add_arguments(self, parser):
        parser.add_argument("--content-version", type=int, dest="version_number", help="A published version's number.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, version_number=None, output=None, **options):
        version = None
        if version_number is not None:
            version = ContentVersion.objects.filter(number=version_number).first()
            if version is None:
                raise CommandError(f"There is no published version {version_number}.")
        text = content_io.dumps(content_io.export_body(version))
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
