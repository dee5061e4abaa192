"""Every operation of /openapi.json, called with data generated from its schema (schemathesis),
answers as its document says and never with a server error, for an admin, a manager and a rep.

The schema is read from the app in-process (ASGI) with the role's bearer token, as a client
would read it. Each operation is called with valid data (its parameters' documented examples
and values generated from their schemas) and with invalid data (values its schema rules out),
a few examples each at the gate (tests/depth.py), derandomized by the gate profile. Every
answer must be no 5xx, a status code the operation documents, its documented content type and,
where the document gives one, a body of its schema; and an answer given with the token must be
refused without it (``ignored_auth``: the declared credentials are enforced). The admin reaches
every route; the manager and the rep, with fewer examples, meet the role checks (403 and the
scoped reads), never a 500. The writes (imports, forms, surveys, targets) land in a copy of the
demo of this module's own, never the shared site.

The properties are built here rather than by ``schemathesis.pytest.from_fixture``, the loader
for a schema that only a fixture can make: its test sets ``Function._nodeid``, which this
pytest (9.2) no longer has. Schemathesis's coverage phase (every enum value and boundary of
every parameter) is left out: about 90 s for the admin alone. The ``deep`` profile draws ten
times the examples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from salesmetrics.web import users
from tests.depth import examples
from tests.web.conftest import Site

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]
#: Examples per operation and mode at the gate: the admin reaches every route's work, the
#: other roles mostly its refusal.
AT_GATE = {"admin": 4, "manager": 2, "rep": 2}
#: Seconds a call may take before it counts as failed: generous, since the point is the
#: status, and the machine running the tests may be loaded (schemathesis's default is 10).
TIMEOUT = 60


@pytest.fixture(scope="module")
def fuzz_site(entry_site: Site) -> Site:
    """The module's own served copy of the demo (the fuzz writes), its engine started by one
    dashboard's metrics, so that the first generated call does not pay for it."""
    warm = TestClient(entry_site.app, headers=_bearer(entry_site, "admin"))
    warm.get("/api/metrics").raise_for_status()
    return entry_site


def _bearer(site: Site, role: str) -> dict[str, str]:
    token = users.create_token(site.root, site.email(role))
    return {"Authorization": f"Bearer {token}"}


def _has_input(operation: APIOperation) -> bool:
    """Whether the operation takes parameters or a body (else there is no invalid call)."""
    raw: dict[str, Any] = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


def _property(
    schema: BaseSchema,
    operation: APIOperation,
    mode: GenerationMode,
    headers: dict[str, str],
    at_gate: int,
) -> Callable[[], None]:
    """A Hypothesis property calling ``operation`` with data of ``mode`` and checking the
    answers; valid data draws from the documented examples too, which reach past the
    validation that random strings rarely get through (a real metric, period or filter)."""
    strategies = [operation.as_strategy(mode)]
    if mode is GenerationMode.POSITIVE:
        strategies += schema.get_strategies_from_examples(operation)

    @settings(
        max_examples=examples(at_gate),
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(case=st.one_of(strategies))
    def calls(case: Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=TIMEOUT)

    return calls


@pytest.mark.parametrize("role", list(AT_GATE))
def test_every_operation_answers_as_documented(
    fuzz_site: Site, role: str, subtests: pytest.Subtests
) -> None:
    headers = _bearer(fuzz_site, role)
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_site.app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # the document was read, with every API route
    for operation in operations:
        for mode in GenerationMode:
            if mode is GenerationMode.NEGATIVE and not _has_input(operation):
                continue
            with subtests.test(operation=operation.label, mode=mode.value):
                _property(schema, operation, mode, headers, AT_GATE[role])()
