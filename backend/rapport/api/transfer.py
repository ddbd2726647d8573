"""Export and import: everything as one JSON document, and merging such a document back in."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask.views import MethodView

from ..problems import ApiError
from ..schemas import ImportSummarySchema
from ..services import transfer
from . import Blueprint

bp = Blueprint(
    "transfer", __name__, url_prefix="/api", description="Export and import of all your data"
)


@bp.route("/export")
class Export(MethodView):
    @bp.response(200, description="The export document (see docs/export-format.md)")
    def get(self) -> Response:
        """Everything: stages, lists and people with their notes, history, tags and lists."""
        document = transfer.export_document()
        response = jsonify(document)
        day = document["exported_at"][:10].replace("-", "")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="rapport-export-{day}.json"'
        )
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
