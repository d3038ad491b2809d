"""Errors the alerts service raises; both are ValueErrors carrying a Chinese message for users."""

from __future__ import annotations


class AlertsError(ValueError):
    """Base of the layer's refusals: the message is shown to users as is."""


class NotFound(AlertsError):
    """The incident, case or deadline asked for does not exist."""


class InvalidTransition(AlertsError):
    """The change asked for is not allowed from the current state (or the input is invalid)."""
