"""Reading pages in English without waiting for the catalogue.

The English catalogue is refreshed by hand after new messages land. Under the fixture
`english_catalogue_with_gaps_marked` (tests/conftest.py) every message the catalogue lacks reads
as a marker (`EN-1a2b3c4d`, its placeholders kept): text that went through the catalogue reads
as its translation or its marker, text that skipped it still reads in Bahasa Indonesia.
"""

import hashlib
import re
from html.parser import HTMLParser

from django.utils import translation

PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%[sdif]|\{\w*\}")


def marker(message: str) -> str:
    """What a message missing from the English catalogue reads as: its placeholders kept, so
    that formatting it works as with a real translation."""
    digest = hashlib.sha1(message.encode()).hexdigest()[:8]
    return " ".join([f"EN-{digest}", *PLACEHOLDER.findall(message)])


def mark_catalogue_gaps(english, monkeypatch) -> None:
    catalogue = english._catalog  # what the committed .mo files hold for English
    real_gettext, real_ngettext = english.gettext, english.ngettext

    def gettext(message):
        return real_gettext(message) if message in catalogue else marker(message)

    def ngettext(singular, plural, number):
        if (singular, 0) in catalogue:
            return real_ngettext(singular, plural, number)
        return marker(singular if number == 1 else plural)

    monkeypatch.setattr(english, "gettext", gettext)
    monkeypatch.setattr(english, "ngettext", ngettext)


def in_english(words) -> str:
    """Indonesian words, or a lazy label, as a visitor who chose English reads them here."""
    with translation.override("en"):
        return translation.gettext(words) if isinstance(words, str) else str(words)


class VisibleText(HTMLParser):
    """What a person reads: text and the labels screen readers speak, not classes or values."""

    SPOKEN = {"aria-label", "title", "alt", "placeholder"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())
