"""The JSON API under /api: one flask-smorest blueprint per resource, each a thin layer that
parses with a schema, calls a service and answers.
"""

from collections.abc import Mapping
from typing import Any

import flask_smorest
from flask import current_app
from flask_smorest import Api
from webargs.flaskparser import FlaskParser


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
    """The relationship engine: captures, suggestions, settings, follow-ups, clean-up."""
    from . import captures, cleanup, followups, settings, suggestions

    for module in (captures, suggestions, settings, followups, cleanup):
        api.register_blueprint(module.bp)
