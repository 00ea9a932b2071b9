"""A state-changing API route, to show bearer-token calls skip CSRF while cookie calls do not."""
from flask import Blueprint, g, jsonify, request

from pathway_review import hookimpl
from pathway_review.access import signed_in

title = "Bearer echo"
bp = Blueprint("bearer_echo", __name__, url_prefix="/api/v1/fixture-echo")


@bp.post("")
@signed_in
def echo():
    return jsonify({"user": g.user.email, "received": request.get_json(silent=True)})


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def openapi_paths():
    return {"/api/v1/fixture-echo": {"post": {
        "summary": "Echo the request body (test fixture)", "operationId": "fixtureEcho",
        "responses": {"200": {"description": "What was sent"}}}}}
