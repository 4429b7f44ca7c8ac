"""The `peken` command: Django's management commands under our own name.

`peken import-regions` and `peken import_regions` are the same command; hyphens read better
on a terminal, underscores are what Python modules can be named.
"""

import os
import secrets
import sys

HELP_WORDS = {"help", "--help", "-h", "--version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peken.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "peken"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    if HELP_WORDS.intersection(argv[1:]) and not os.environ.get("SECRET_KEY"):
        # Help signs nothing: a throwaway key lets `peken simulate --help` work on a bare shell.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)
    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        sys.exit(f"peken: {error}")


if __name__ == "__main__":
    main()
