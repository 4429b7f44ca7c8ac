"""What the import commands share: reading the file and printing every problem by line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peken.core.errors import DomainError
from peken.core.tabular import ImportRejected


def read_file_argument(path: Path) -> bytes:
    if not path.is_file():
        raise CommandError(f"Berkas tidak ditemukan: {path}")
    return path.read_bytes()


def run_import(command: BaseCommand, function, **arguments):
    """Calls an import service; a rejected file becomes one stderr line per problem and exit 1."""
    try:
        return function(**arguments)
    except ImportRejected as error:
        for problem in error.problems:
            command.stderr.write(f"baris {problem.line}, kolom {problem.column}: {problem.message}")
        raise CommandError(error.message) from error
    except DomainError as error:
        raise CommandError(error.message) from error
