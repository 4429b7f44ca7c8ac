"""WhatsApp links (https://wa.me/…) to Indonesian phone numbers. Pure: no Django."""

import re
from urllib.parse import quote

# What people put between digits: `0812-3456 7890`, `(031) 123.4567`.
_SEPARATORS = re.compile(r"[\s\-().]")
# 62, then the number without its trunk 0: mobile (8…) or a city line (31… for Surabaya).
_INTERNATIONAL = re.compile(r"62[1-9]\d{7,12}")


def phone_international(phone: str | None) -> str | None:
    """A stored Indonesian number in the digits wa.me wants (country code, no `+`, no trunk 0):
    `081234567890`, `+62 812-3456-7890`, `6281234567890` → `6281234567890`.
    None when it is not an Indonesian number: a link to a wrong person is worse than none."""
    digits = _SEPARATORS.sub("", phone or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):  # the international call prefix, dialled from Indonesia
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    if digits.startswith("620"):  # `+62 (0)812…`: the trunk 0 written after the country code
        digits = "62" + digits[3:]
    return digits if _INTERNATIONAL.fullmatch(digits) else None


def whatsapp_url(phone: str | None, text: str) -> str | None:
    """A chat with `phone` with `text` typed in, ready to send; None without a usable number."""
    number = phone_international(phone)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(text, safe='')}"
