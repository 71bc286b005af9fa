"""Create the local staff account for `make run` and print how to log in (DEBUG only)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Create a local staff superuser with a generated password (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--port", type=int, default=8000, help="The port serve_local uses.")

    def handle(self, *args, username: str, port: int, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Refusing to create a local admin with DEBUG off.")
        password_file = settings.BASE_DIR / ".data" / f"{username}-password.txt"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            user = user or User(username=username)
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Log in at http://127.0.0.1:{port}/admin/ as {username!r} "
                f"with password {password!r} (kept in .data/{password_file.name})."
            )
