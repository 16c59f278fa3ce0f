"""Create the local `admin` superuser for `make run`, with a generated password.

The password is kept in an ignored file (`.local/admin-password`) so that running
`make run` again prints the same password instead of failing or resetting it.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

PASSWORD_FILE = Path(settings.BASE_DIR) / ".local" / "admin-password"


class Command(BaseCommand):
    help = "Create the local superuser 'admin' (password generated once, printed every time)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        password = self._stored_or_new_password()
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user_model.objects.create_superuser(username=username, email="", password=password)
        elif not user.check_password(password):
            # The database was reset or the password changed elsewhere: keep the file true.
            user.set_password(password)
            user.save(update_fields=["password"])
        url = f"http://127.0.0.1:8000/{settings.ADMIN_URL}"
        self.stdout.write(self.style.SUCCESS(f"Admin: {url}  user: {username}  password: {password}"))

    def _stored_or_new_password(self) -> str:
        if PASSWORD_FILE.exists():
            return PASSWORD_FILE.read_text().strip()
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(12)
        PASSWORD_FILE.write_text(password + "\n")
        PASSWORD_FILE.chmod(0o600)
        return password
