"""Statements built once and run many times, for the paths every order takes.

Building SQL from a queryset costs Django 0.3–0.8 ms of CPU, often more than the database spends
running it. A `Prepared` statement is still written as a queryset — the rules stay readable —
but compiled once per database connection, with placeholder values that each run replaces;
`rows_insert` writes new instances with the columns the models declare.
"""

import functools
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators


class Prepared:
    """`build(*placeholders)` returns a queryset; each `placeholders` value must appear in the
    compiled statement's parameters exactly once (pick ids no row has: -1, -2, …). `rows()`
    and `instances()` run it with other values in their places."""

    def __init__(self, build: Callable[..., QuerySet], *placeholders) -> None:
        self.build = build
        self.placeholders = placeholders

    def _plan(self):
        database = connections[DEFAULT_DB_ALIAS]
        plans = database.__dict__.setdefault("_peken_prepared", {})
        plan = plans.get(self)
        if plan is None:
            plan = plans[self] = self._compile(database)
        return database, plan

    def _compile(self, database):
        query = self.build(*self.placeholders)
        compiler = query.query.get_compiler(connection=database)
        sql, params = compiler.as_sql()
        # Built twice: a rule like "published before now" would give another value the second
        # time, and compiled once it would keep the first value for ever.
        again = self.build(*self.placeholders).query.get_compiler(connection=database).as_sql()
        if again != (sql, params):
            raise RuntimeError(f"the statement changes from one build to the next: {sql}")
        params = list(params)
        slots = []
        for placeholder in self.placeholders:
            if params.count(placeholder) != 1:
                raise RuntimeError(f"placeholder {placeholder} is not in {sql} once")
            slots.append(params.index(placeholder))
        select = compiler.select
        converters = compiler.get_converters([column[0] for column in select])
        return sql, params, slots, compiler, select, converters

    def rows(self, *values) -> list[tuple]:
        database, (sql, params, slots, compiler, _, converters) = self._plan()
        params = list(params)
        for slot, value in zip(slots, values, strict=True):
            params[slot] = value
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def instances(self, *values) -> list[Model]:
        """Model instances, with what the queryset's select_related names attached."""
        database, (_, _, _, compiler, select, _) = self._plan()
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, database.alias)
        model = klass_info["model"]
        found = []
        for row in self.rows(*values):
            instance = model.from_db(database.alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            found.append(instance)
        return found


def rows_insert(rows: list[Model]) -> None:
    """Inserts new instances of one model in one statement and sets their primary keys, as
    bulk_create does, with the SQL built once per model and row count. No signals, no save();
    a field value the database must compute (db_default, an expression) fails to adapt, loudly."""
    model = type(rows[0])
    fields = _insert_fields(model)
    # The connection itself, not the thread-local proxy: each field asks it for its adapters.
    database = connections[DEFAULT_DB_ALIAS]
    values = [
        field.get_db_prep_save(field.pre_save(row, True), database)
        for row in rows
        for field in fields
    ]
    with database.cursor() as cursor:
        cursor.execute(_insert_sql(model, len(rows), database.vendor), values)
        keys = [key for (key,) in cursor.fetchall()]
    for row, key in zip(rows, keys, strict=True):
        row.pk = key
        row._state.adding = False
        row._state.db = DEFAULT_DB_ALIAS


@functools.cache
def _insert_fields(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_sql(model: type[Model], rows: int, vendor: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(quote(field.column) for field in _insert_fields(model))
    row = "(" + ", ".join(["%s"] * len(_insert_fields(model))) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
        f"VALUES {', '.join([row] * rows)} RETURNING {quote(model._meta.pk.column)}"
    )
