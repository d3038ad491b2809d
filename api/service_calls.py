"""Calling alerts.service from a route: its refusals become HTTP errors with their Chinese message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from alerts.errors import InvalidTransition, NotFound


@contextmanager
def refusals_as_http() -> Iterator[None]:
    """NotFound → 404, InvalidTransition → 409, any other ValueError (bad input) → 422."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except InvalidTransition as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
