"""Rapport's companion server: `create_app(config)` builds the Flask app on the local database."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Flask

try:
    __version__ = version("rapport")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database (migrated to the latest schema), guards, API."""
    from . import migrations
    from .api import register_blueprints
    from .config import load_config
    from .dashboard import register as register_dashboard
    from .db import database, open_database
    from .errors import RapportApi, install_error_handlers
    from .security import install_guards

    settings = load_config(config)
    app = Flask(__name__)
    app.config.update(settings)
    app.config.update(
        API_TITLE="Rapport",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=None,
    )
    app.json.sort_keys = False
    app.url_map.merge_slashes = False  # '//' is a 404 in JSON, not an HTML redirect

    settings["HOME"].mkdir(mode=0o700, parents=True, exist_ok=True)
    open_database(settings["DATABASE"])
    with database.connection_context():
        migrations.upgrade(database)

    api = RapportApi(app)
    register_blueprints(api)
    register_dashboard(app, api)  # pages at /, its session key, sign-in links
    install_error_handlers(app)
    install_guards(app)

    @app.before_request
    def _connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc: BaseException | None) -> None:
        if not database.is_closed():
            database.close()

    return app
