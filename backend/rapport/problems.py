"""The errors services raise; the HTTP layer turns each into a JSON error with its status."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error to answer with `status` and a JSON body naming what went wrong."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


class NotFoundError(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(404, "not_found", message)


class ConflictError(ApiError):
    def __init__(self, message: str, fields: dict[str, Any] | None = None) -> None:
        super().__init__(409, "conflict", message, fields)


class InvalidError(ApiError):
    """A value that passed the schema but does not fit the data (an unknown stage, say)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, "validation_error", message, {field: [message]})
