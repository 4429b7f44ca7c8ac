"""Masking personal data for lists and logs."""


def mask_nik(nik: str | None) -> str:
    """`3578011203900001` → `3578********0001`: region kept, birth date and person hidden."""
    if not nik:
        return ""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def mask_phone(phone: str | None) -> str:
    """`081234567890` → `0812****7890`."""
    if not phone:
        return ""
    if len(phone) <= 8:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 8) + phone[-4:]


def mask_account_number(number: str | None) -> str:
    """`0123456789012` → `*********9012`: enough to recognise, not enough to copy."""
    if not number:
        return ""
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]
