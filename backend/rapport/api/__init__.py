"""The JSON API under /api: one flask-smorest blueprint per resource, each a thin layer that
parses with a schema, calls a service and answers.
"""

import json
from collections.abc import Mapping
from typing import Any, NoReturn

import flask_smorest
from flask import current_app
from flask_smorest import Api
from webargs.flaskparser import FlaskParser, abort


class Parser(FlaskParser):
    """webargs' parser, with two changes: unknown query parameters are reported like unknown body
    fields (by the schema), and a JSON body too deeply nested or with too long a number to decode
    is a 400 like any other bad JSON."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def load_json(self, req: Any, schema: Any) -> Any:
        try:
            return super().load_json(req, schema)
        except (RecursionError, ValueError) as error:
            return self._handle_invalid_json_error(error, req)

    def _handle_invalid_json_error(
        self, error: Exception, req: Any, *args: Any, **kwargs: Any
    ) -> NoReturn:
        """A 400 that says what is wrong with the body and where."""
        # webargs reports undecodable bytes as a JSONDecodeError of its own.
        if isinstance(error, UnicodeDecodeError) or str(error).startswith("Bytes decoding"):
            problem = "it is not UTF-8 text"
        elif isinstance(error, json.JSONDecodeError):
            problem = f"{error.msg} (line {error.lineno}, column {error.colno})"
        else:
            problem = "it is nested too deeply or holds too long a number"
        abort(400, exc=error, messages={"json": [f"The body is not valid JSON: {problem}."]})


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that parses with `Parser`."""

    ARGUMENTS_PARSER = Parser()


def thresholds() -> Mapping[str, int]:
    """The configured follower-tier thresholds."""
    return current_app.config["TIER_THRESHOLDS"]


def register_blueprints(api: Api) -> None:
    from . import annotations, health, interactions, lists, notes, people, stages, tags, transfer

    for module in (health, people, notes, interactions, stages, lists, tags, annotations, transfer):
        api.register_blueprint(module.bp)
    register_engine_blueprints(api)


def register_engine_blueprints(api: Api) -> None:
    """The relationship engine (captures, suggestions, settings, follow-ups, clean-up) and the X
    sync."""
    from . import captures, cleanup, followups, settings, suggestions, sync

    for module in (captures, suggestions, settings, followups, cleanup, sync):
        api.register_blueprint(module.bp)
