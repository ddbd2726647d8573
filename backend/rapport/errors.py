"""Uniform JSON errors: `{"error": {"code", "message", "fields"}}` for every failure.

Services raise `ApiError` and its kinds (see `problems`); validation errors from marshmallow
arrive as webargs' 422 and are flattened so `fields` maps each offending field to its messages.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from flask_smorest import Api
from marshmallow import Schema, fields
from peewee import IntegrityError
from werkzeug.exceptions import HTTPException

from .problems import ApiError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


class ErrorDetailSchema(Schema):
    code = fields.String(metadata={"description": "A stable machine-readable code."})
    message = fields.String(metadata={"description": "What went wrong, in plain words."})
    fields = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Each invalid field with its messages (dotted paths inside)."},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema)


class RapportApi(Api):
    """flask-smorest's Api, documenting Rapport's error body in the OpenAPI spec."""

    ERROR_SCHEMA = ErrorSchema


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> ResponseReturnValue:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def _flatten_messages(messages: Any) -> dict[str, Any]:
    """webargs groups errors by location ({"json": {...}, "query": {...}}); merge the locations."""
    fields: dict[str, Any] = {}
    if not isinstance(messages, dict):
        return {"body": messages}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            fields.update(errors)
        else:
            fields[location] = errors
    return fields


def _summary(fields: dict[str, Any]) -> str:
    names = [name for name in fields if name != "_schema"]
    if "json" in fields and isinstance(fields["json"], list):
        return "; ".join(str(m) for m in fields["json"])
    if names:
        return "Invalid value for " + ", ".join(sorted(names)) + "."
    schema_errors = fields.get("_schema")
    if schema_errors:
        return "; ".join(str(m) for m in schema_errors)
    return "The request is not valid."


def handle_http_exception(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if messages is not None:
        fields = _flatten_messages(messages)
        if "json" in fields and isinstance(fields["json"], list):
            return error_response(400, "invalid_json", _summary(fields), {"body": fields["json"]})
        return error_response(status, CODES.get(status, "error"), _summary(fields), fields)
    message = data.get("message") or error.description or error.name
    return error_response(status, CODES.get(status, "error"), message)


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> ResponseReturnValue:
        return error_response(error.status, error.code, error.message, error.fields)

    app.register_error_handler(HTTPException, handle_http_exception)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> ResponseReturnValue:
        return error_response(409, "conflict", "That change conflicts with existing data.")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return error_response(500, "internal_error", "Something went wrong; nothing was changed.")
