"""Pages about the service itself, linked from every footer: accessibility, privacy and contact.

They are public: someone who cannot sign in still needs to know how to get help and what happens to
their data.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .access import public

bp = Blueprint("about", __name__)


def _page(template: str):
    return render_template(template, contact_email=current_app.config.get("CONTACT_EMAIL"))


@bp.route("/accessibility")
@public
def accessibility():
    return _page("about/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return _page("about/privacy.html")


@bp.route("/contact")
@public
def contact():
    return _page("about/contact.html")
