"""The JSON API under /api: one flask-smorest blueprint per resource, each a thin layer that
parses with a schema, calls a service and answers.
"""

from collections.abc import Mapping

from flask import current_app
from flask_smorest import Api


def thresholds() -> Mapping[str, int]:
    """The configured follower-tier thresholds."""
    return current_app.config["TIER_THRESHOLDS"]


def register_blueprints(api: Api) -> None:
    from . import annotations, health, interactions, lists, notes, people, stages, tags

    for module in (health, people, notes, interactions, stages, lists, tags, annotations):
        api.register_blueprint(module.bp)
