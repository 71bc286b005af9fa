"""Create a tutor account (non-staff unless --staff), optionally with an API token."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.services import api_token_create, tutor_create


class Command(BaseCommand):
    help = (
        "Create a tutor who logs in with a password prompted for twice or read from the "
        "first line of --password-file; --api-token also creates an API token and prints "
        "its secret, which is shown this once only (at -v0, the secret alone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-file",
            type=Path,
            help="Read the password from the first line of this file instead of prompting.",
        )
        parser.add_argument(
            "--api-token", action="store_true", help="Also create an API token for scripts."
        )
        parser.add_argument(
            "--staff", action="store_true", help="Let the tutor log in to the admin."
        )

    def handle(
        self,
        *args,
        username: str,
        email: str,
        password_file: Path | None,
        api_token: bool,
        staff: bool,
        **options,
    ) -> None:
        verbosity = options["verbosity"]
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists; nothing was changed.")
        password = self._read_password(password_file) if password_file else self._prompt()

        try:
            with transaction.atomic():
                user = tutor_create(
                    username=username, password=password, email=email, is_staff=staff
                )
                token, secret = (
                    api_token_create(user=user, name="createtutor") if api_token else (None, "")
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        if verbosity >= 1:
            role = "staff tutor" if staff else "tutor"
            self.stdout.write(self.style.SUCCESS(f"Created {role} {username!r}."))
        if token is not None:
            if verbosity >= 1:
                self.stdout.write(
                    f"API token {token.name!r} ({token.prefix}…). Copy it now, "
                    "it will not be shown again:"
                )
            # Printed even at -v0 (alone, for scripts to capture): it can never be shown again.
            self.stdout.write(secret)

    def _read_password(self, path: Path) -> str:
        try:
            with path.open(encoding="utf-8") as handle:
                password = handle.readline().strip()
        except FileNotFoundError as error:
            raise CommandError(f"Password file {path} does not exist.") from error
        except OSError as error:
            raise CommandError(f"Cannot read password file {path}: {error.strerror}.") from error
        if not password:
            raise CommandError(f"Password file {path} is empty: its first line is the password.")
        return password

    def _prompt(self) -> str:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as error:
            raise CommandError("No password given; nothing was changed.") from error
        if password != again:
            raise CommandError("The passwords do not match; nothing was changed.")
        if not password:
            raise CommandError("The password is empty; nothing was changed.")
        return password
