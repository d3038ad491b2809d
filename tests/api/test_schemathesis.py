"""Schemathesis against the app's own OpenAPI schema, in process (ASGI), as an administrator with a
full-scope token: valid and invalid inputs for every operation; no server error, responses that
conform to the schema (status codes, content types, bodies), invalid input rejected.

Driven through schemathesis's strategies and Hypothesis directly (its pytest plugin does not run
under pytest 9 yet), with a bounded number of examples per operation and mode. The totals are
printed (run with -s) for the closing note of issue 9.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from yuqing.api.app import create_app
from yuqing.api.auth import create_token, ensure_user

pytestmark = pytest.mark.slow  # fuzzing every operation: run first (tests/conftest.py)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
EXAMPLES = 8  # per operation and mode


class _Dispatch:
    """The ASGI app the schema is loaded from: each test points it at its own app (database)."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


# Per process: the schema, and the cases generated for each operation and mode. Generation is
# derandomized, so the cases are the same on every run and for every database; the second database's
# test sends the first one's cases again instead of drawing them anew (half its time went there).
_DISPATCH = _Dispatch()
_SCHEMA: list[Any] = []
_CASES: dict[tuple[str, str], list[Any] | None] = {}  # None: nothing to make invalid


def _check(case, label: str, headers, totals, failures) -> None:  # type: ignore[no-untyped-def]
    totals["requests"] += 1
    try:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
    except (Exception, BaseExceptionGroup) as exc:  # a check failed: keep going, report all
        totals["failures"] += 1
        failures.append(f"{label}: {str(exc)[:400]}")
        return
    totals[f"{response.status_code // 100}xx"] += 1


def _fuzz(operation, mode, headers, totals, failures) -> None:  # type: ignore[no-untyped-def]
    """EXAMPLES generated requests for one operation in one mode; failed checks are collected."""
    label = f"{operation.label} [{mode.value}]"
    key = (operation.label, mode.value)
    if key in _CASES:
        cases = _CASES[key]
        if cases is None:
            raise Unsatisfiable(label)
        for case in cases:
            _check(case, label, headers, totals, failures)
        return
    drawn: list[Any] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        drawn.append(case)
        _check(case, label, headers, totals, failures)

    try:
        run()
    except Unsatisfiable:
        _CASES[key] = None
        raise
    _CASES[key] = drawn


def test_api_conforms_to_its_schema(settings, session_maker) -> None:  # type: ignore[no-untyped-def]
    _DISPATCH.app = create_app(settings, session_maker)
    with session_maker() as s:
        token = create_token(s, user=ensure_user(s, "fuzz", "x", "admin", "模糊测试"), name="st", actor="t",
                             scope="admin")
        s.commit()
    headers = {"Authorization": f"Bearer {token}"}
    if not _SCHEMA:
        # The event stream never ends: it is covered by tests/api/test_live.py.
        schema = schemathesis.openapi.from_asgi("/openapi.json", _DISPATCH)
        _SCHEMA.append(schema.exclude(path="/api/v1/stream"))
    totals: Counter[str] = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in _SCHEMA[0].get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers, totals, failures)
            except Unsatisfiable:
                # An operation with no inputs (GET /health) has nothing to make invalid.
                assert mode is GenerationMode.NEGATIVE, operation.label
                totals["no_negative_inputs"] += 1
    print(f"\nschemathesis: {len(operations)} operations, {dict(sorted(totals.items()))}")
    assert totals["requests"] > 0
    assert not failures, "\n".join(failures[:20])
