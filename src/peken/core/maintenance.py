"""Database housekeeping that keeps queries fast."""

from django.db import connection


def planner_statistics_refresh() -> None:
    """ANALYZE, after bulk loads: without statistics SQLite's planner guesses badly (it runs a
    full-text query once per shop instead of once), and PostgreSQL's autovacuum may not yet have
    caught up. Outside a transaction on both databases."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
