"""The fuzz run: schemathesis over the whole OpenAPI document (``/api/v1/openapi.json``) for
one administrator, the community admin ``shequ`` with a bearer token from
``POST /api/v1/auth/token``, in-process through the WSGI application, on the demo district.

Every operation gets its own test (``schema.parametrize()``): schemathesis' explicit and
boundary cases, then a few generated ones, each sent with the token. The suite fails on any
5xx and on any response whose body the document does not describe (``not_a_server_error`` and
``response_schema_conformance``); 4xx answers to bad input are what is wanted. Bounded: a few
examples per operation, no shrinking, a per-response time limit.

PostgreSQL only (the production database; ``make test-pg``): on the embedded SQLite default the
same run costs the SQLite pass minutes it has not got. Each operation's test is one
transaction, rolled back after it, as for every other test; each request a savepoint in it.

Known failures that others are fixing are listed in ``KNOWN_FAILURES`` with the request they
match; they are recorded rather than failed, and ``test_known_failures`` reports them as an
xfail, so the run stays on for everything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, connection, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from xianfeng.api import api

PERSONA, PASSWORD = "shequ", "xianfeng-demo"
MAX_EXAMPLES = 3
MAX_RESPONSE_SECONDS = 10

ON_POSTGRESQL = connection.vendor == "postgresql"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="the fuzz run is part of the PostgreSQL pass (make test-pg)",
    ),
]

# The document as clients read it (lazy translations rendered to plain strings).
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))
)
schema.app = WSGIHandler()
# Logging in and out is not fuzzed: it would lock or end the persona's own session.
schema = schema.exclude(path="/api/v1/auth/token")


def fuzzed(test):
    """``schema.parametrize()`` on PostgreSQL; elsewhere the plain test, skipped, so the SQLite
    pass spends no time generating cases it would not send."""
    return schema.parametrize()(test) if ON_POSTGRESQL else test


# Known failures that other work is fixing: why -> a predicate on the case. A 5xx whose request
# matches one is recorded, not failed, so the rest of the operation's examples still run;
# test_known_failures (after the run) lists what was seen as an xfail. Remove an entry once it
# is fixed: from then on the same request fails the run again. Empty now: the first run's one
# (integers above 2^63-1, e.g. ?page=10384309929575768064 on the paginated lists, answered 500
# "bigint out of range") was fixed by the input limits (422).
KNOWN_FAILURES: dict[str, Callable[[Any], bool]] = {}
seen_known: dict[str, set[str]] = {}


@pytest.fixture
def bearer(personas) -> dict[str, str]:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": PERSONA, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    # The fuzzed requests run inside the test's transaction: as Django's test client does
    # (after the request above), keep the end of each request from closing the connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {response.json()['token']}"}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@fuzzed
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_without_5xx_and_as_documented(case, bearer):
    label = f"{case.method.upper()} {case.operation.path}"
    # Each request in a savepoint, rolled back after it: every example meets the demo district
    # as built, and a request that failed in the database (aborting PostgreSQL's transaction)
    # leaves nothing behind for the next one.
    savepoint = transaction.savepoint()
    try:
        response = case.call(headers=bearer)
    finally:
        transaction.savepoint_rollback(savepoint)
    assert response.elapsed < MAX_RESPONSE_SECONDS, label
    if response.status_code >= 500:
        known = [why for why, matches in KNOWN_FAILURES.items() if matches(case)]
        if known:
            seen_known.setdefault(known[0], set()).add(label)
            return
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def test_known_failures():
    """Runs after the fuzz run: an xfail naming the known failures it met, a pass if none."""
    if seen_known:
        pytest.xfail(
            "; ".join(f"{why}: {', '.join(sorted(ops))}" for why, ops in seen_known.items())
        )
