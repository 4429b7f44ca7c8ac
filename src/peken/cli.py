"""The `peken` command: Django's management commands under our own name.

`peken import-regions` and `peken import_regions` are the same command; hyphens read better
on a terminal, underscores are what Python modules can be named.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peken.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "peken"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
