"""Fuzzing the JSON API from its own OpenAPI document with Schemathesis, in this process, through
Django's WSGI application: every operation, as each role (a bearer token) and anonymously, with
generated parameters and bodies; in half the cases every id (in the path, the query or the body)
is one of a real object, else nearly every request would stop at a 404; in a third, one value is
replaced by a hostile one (a number past 64 bits, a NUL, a month past the last date…).

A server error (5xx) is what must never happen; a response that contradicts the documented schema
is reported too. Used by tests/test_api_fuzz.py (bounded, in `make test`) and scripts/fuzz.py
(`make fuzz`, thousands of cases).
"""

import collections
import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import schemathesis
from django.core.signals import got_request_exception
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

OPENAPI_PATH = "/api/v1/openapi.json"
QUIET_LOGGERS = ("django.request", "django.security")
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass(frozen=True)
class Role:
    """Who calls: a name for the report, and the headers that sign them in (none: anonymous)."""

    name: str
    headers: Callable[[], dict[str, str]] = dict  # called per operation: a token may be revoked


@dataclass
class ServerError:
    role: str
    operation: str
    status: int
    curl: str
    error: str  # the exception's last lines, when the server raised one

    def __str__(self) -> str:
        return f"{self.status} {self.operation} as {self.role}\n  {self.curl}\n{self.error}"


@dataclass
class FuzzRun:
    cases: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    server_errors: list[ServerError] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)

    def summary(self) -> str:
        groups = collections.Counter(f"{status // 100}xx" for status in self.statuses.elements())
        return (
            f"{self.cases} cases, {len(self.server_errors)} server errors "
            f"({', '.join(f'{key}: {value}' for key, value in sorted(groups.items()))})"
        )


def api_schema():
    """The OpenAPI document the API serves, as Schemathesis reads it."""
    document = Client().get(OPENAPI_PATH).json()
    return schemathesis.openapi.from_dict(document)


class ExceptionRecorder:
    """The exception behind the last 500: Django logs it, the response only says 500."""

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, sender, request=None, **kwargs) -> None:
        self.last = "".join(traceback.format_exception(*sys.exc_info())[-4:])

    def __enter__(self):
        got_request_exception.connect(self)
        # The report shows each server error once; Django's own log would print it, and every
        # refused request, per request.
        self._levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        return self

    def __exit__(self, *exc_info) -> None:
        got_request_exception.disconnect(self)
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)


def fuzz(
    schema,
    roles: Iterable[Role],
    *,
    examples: int,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    real_ids: Callable[[Role], dict[str, list]] = lambda role: {},
    random_seed: int = 1,
    run: FuzzRun | None = None,
) -> FuzzRun:
    """Every operation of `schema` as every role, up to `examples` cases each in each mode
    (fewer when an operation has fewer distinct requests). Positive cases fit the documented
    schema, negative ones break it (a wrong type, a missing field); in a third of either, one
    value is replaced by a hostile one (HOSTILE_VALUES). `real_ids(role)`: path parameter name →
    ids of real objects, used in half the cases."""
    run = run or FuzzRun()
    application = get_wsgi_application()
    operations = [result.ok() for result in schema.get_all_operations()]
    with ExceptionRecorder() as recorder:
        for role in roles:
            ids = real_ids(role)
            for operation in operations:
                target = Target(operation, role, role.headers(), ids, application, recorder)
                for mode in modes:
                    strategy = operation.as_strategy(generation_mode=mode)
                    _fuzz_operation(target, strategy, examples, random_seed, run)
    return run


# What a careless or hostile client sends: numbers past 64 bits and past any cap, NUL characters,
# a month past the last date, text far too long, the wrong kind of value altogether.
HOSTILE_VALUES = (
    2**63,
    -(2**63) - 1,
    2**64,
    10**15,
    0,
    -1,
    "9223372036854775808",
    "\x00",
    "beras\x00",
    "9999-12",
    "0000-00",
    "x" * 5_000,
    "\u202e\u200b",
    None,
    [],
    {},
)


@dataclass
class Target:
    """One operation as one role, and where its answers go."""

    operation: object
    role: Role
    headers: dict[str, str]
    ids: dict[str, list]
    application: object
    recorder: ExceptionRecorder


def _fuzz_operation(target: Target, strategy, examples: int, random_seed: int, run: FuzzRun):
    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # nothing fails inside, so nothing to shrink
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def one_case(case, data):
        if target.ids and data.draw(st.booleans()):
            _use_real_ids(case, target.ids, data)
        if data.draw(st.integers(0, 2)) == 0:
            _make_hostile(case, data)
        _send(target, case, run)

    # Negative mode has nothing to break in an operation without parameters or body.
    with contextlib.suppress(Unsatisfiable):
        one_case()


def _send(target: Target, case, run: FuzzRun) -> None:
    target.recorder.last = ""
    response = case.call(app=target.application, headers=target.headers)
    run.cases += 1
    run.statuses[response.status_code] += 1
    if response.status_code >= 500:
        curl = case.as_curl_command(headers=target.headers)
        run.server_errors.append(
            ServerError(
                target.role.name,
                target.operation.label,
                response.status_code,
                curl,
                target.recorder.last,
            )
        )
        return
    if case.meta is None or case.meta.generation.mode.is_negative:
        return  # a request that breaks the schema gets a refusal the schema need not describe
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        for failure in group.exceptions:
            run.nonconforming.append(_failure_line(target.operation, response, failure))
    except Failure as failure:
        run.nonconforming.append(_failure_line(target.operation, response, failure))


def _use_real_ids(case, ids: dict[str, list], data) -> None:
    """Every parameter or body field named like an id of ours (`product_id`, `reference`…) gets
    the id of a real object: a checkout then names products that exist, an order step an order."""
    slots = [(case.path_parameters, name) for name in case.path_parameters or {}]
    slots += [(case.query, name) for name in case.query or {}]
    slots += list(_body_slots(case.body))
    for container, key in slots:
        if isinstance(key, str) and ids.get(key):
            container[key] = data.draw(st.sampled_from(ids[key]))


def _make_hostile(case, data) -> None:
    """One value of the request (a path or query parameter, a field anywhere in the body)
    replaced by one of HOSTILE_VALUES; path parameters take only numbers and text."""
    slots = [(case.path_parameters, name) for name in case.path_parameters or {}]
    slots += [(case.query, name) for name in case.query or {}]
    slots += list(_body_slots(case.body))
    if not slots:
        return
    container, key = data.draw(st.sampled_from(slots))
    value = data.draw(st.sampled_from(HOSTILE_VALUES))
    if container is case.path_parameters and not isinstance(value, int | str):
        value = str(value)
    container[key] = value


def _body_slots(body):
    if isinstance(body, dict):
        for key, value in body.items():
            yield body, key
            yield from _body_slots(value)
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield body, index
            yield from _body_slots(value)


def _failure_line(operation, response, failure) -> str:
    first_line = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
    return f"{response.status_code} {operation.label}: {failure.title}: {first_line}"
