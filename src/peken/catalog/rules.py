"""Catalog rules: pure functions, no Django."""


def search_text_for(*, name: str, description: str, merchant_name: str) -> str:
    """The words a keyword search looks through: the product's and its shop's."""
    return " ".join(part.strip() for part in (name, description, merchant_name) if part)
