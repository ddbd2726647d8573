"""Export and import: everything as one JSON document, and merging such a document back in."""

from __future__ import annotations

import tempfile

from flask import Response, current_app, request
from flask.views import MethodView
from werkzeug.wsgi import wrap_file

from ..models import utcnow
from ..problems import ApiError
from ..schemas import ImportSummarySchema
from ..services import transfer
from . import Blueprint

SPOOL_IN_MEMORY = 8 * 1024 * 1024  # larger exports go through a temporary file

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
    """The export document as a dated download. It is written a few hundred people at a time to
    a temporary file (in memory while small), then sent from it: memory stays small with 100,000
    people, and the database is read in one transaction that ends before the answer is sent."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (closed below)
    for text in transfer.export_chunks(current_app.json.dumps):
        spool.write(text.encode("utf-8"))
    size = spool.tell()
    spool.seek(0)
    if size <= SPOOL_IN_MEMORY:
        with spool:
            response = Response(spool.read(), mimetype="application/json")
    else:
        body = wrap_file(request.environ, spool, buffer_size=64 * 1024)
        response = Response(body, mimetype="application/json", direct_passthrough=True)
        response.content_length = size
        response.call_on_close(spool.close)
    day = utcnow().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = f'attachment; filename="rapport-export-{day}.json"'
    return response


@bp.route("/import")
class Import(MethodView):
    @bp.response(200, ImportSummarySchema)
    def post(self) -> dict:
        """Merge an export into the database: all or nothing, and safe to repeat."""
        try:
            document = request.get_json(force=True, silent=True)
        except RecursionError:  # nested too deeply to decode
            document = None
        if document is None:
            raise ApiError(400, "invalid_json", "The body must be an export document in JSON.")
        return transfer.import_document(document)
