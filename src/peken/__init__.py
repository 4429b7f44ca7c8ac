"""Peken: a city marketplace that spreads civil-servant spending over neighbourhood shops."""
