"""Export and import: everything as one JSON document, and merging such a document back in."""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import Response, current_app, request
from flask.views import MethodView
from werkzeug.wsgi import ClosingIterator, wrap_file

from .. import transfer_process
from ..models import utcnow
from ..schemas import ImportSummarySchema
from . import Blueprint

SEND_FROM_MEMORY = 8 * 1024 * 1024  # larger exports are sent from their file as it is read

bp = Blueprint(
    "transfer", __name__, url_prefix="/api", description="Export and import of all your data"
)


@bp.route("/export")
class Export(MethodView):
    @bp.response(200, description="The export document (see docs/export-format.md)")
    def get(self) -> Response:
        """Everything: stages, lists and people with their notes, history, tags and lists."""
        return export_response()


def export_response() -> Response:
    """The export document as a dated download. A child process writes it to a temporary file
    next to the database (transfer_process: the server's memory stays small with 100,000
    people), reading the database in one transaction; the answer is sent from that file."""
    name = transfer_process.scratch_file(current_app.config["DATABASE"], "export")
    try:
        transfer_process.export_to(current_app.config["DATABASE"], name)
        file = open(name, "rb")  # noqa: SIM115 (closed once sent)
    except BaseException:
        os.unlink(name)
        raise
    after_sending: list[Callable[[], None]] = []
    try:
        os.unlink(name)  # POSIX: the open file stays readable, and nothing is left behind
    except OSError:  # Windows: removed once sent
        after_sending.append(lambda: os.unlink(name))
    size = os.fstat(file.fileno()).st_size
    if size <= SEND_FROM_MEMORY:
        with file:
            response = Response(file.read(), mimetype="application/json")
        for step in after_sending:
            step()
    else:
        body = wrap_file(request.environ, file, buffer_size=64 * 1024)
        if after_sending:
            body = ClosingIterator(body, after_sending)
        response = Response(body, mimetype="application/json", direct_passthrough=True)
        response.content_length = size
    day = utcnow().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = f'attachment; filename="rapport-export-{day}.json"'
    return response


@bp.route("/import")
class Import(MethodView):
    @bp.response(200, ImportSummarySchema)
    def post(self) -> dict:
        """Merge an export into the database: all or nothing, and safe to repeat."""
        return transfer_process.import_stream(current_app.config["DATABASE"], request.stream)
