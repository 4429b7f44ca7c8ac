"""Sending a text message. The backend is a setting (PEKEN_SMS_BACKEND), like Django's e-mail:
ConsoleBackend prints for development, FileBackend appends to a file, MemoryBackend keeps an
outbox for tests. A city plugs in its provider's gateway with a class that has send()."""

import sys
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[tuple[str, str]] = []


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS ke {phone}: {text}\n")


class FileBackend:
    def send(self, phone: str, text: str) -> None:
        path = Path(settings.PEKEN_SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as file:
            file.write(f"{phone}\t{text}\n")


class MemoryBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    import_string(settings.PEKEN_SMS_BACKEND)().send(phone, text)
