"""Pathway Review: national clinical pathways, reviewed by the people who deliver them.

``create_app`` builds the Flask app: configuration, database, pathway library, and one plugin manager
through which every feature beyond reading pathways arrives.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, g
from jinja2 import ChoiceLoader, FileSystemLoader

from .plugins import hookimpl  # noqa: F401  (re-exported for plugin authors)

__all__ = ["create_app", "hookimpl"]
__version__ = "0.1.0"

log = logging.getLogger(__name__)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app, and only that: no file written, no folder made, no connection opened, no thread
    started, so ``--help``, ``check`` and ``config`` are instant and harmless. Start-up work belongs to
    whatever starts serving (:func:`pathway_review.serving.start`); the database and the instance's
    secret key are made by ``pathway-review init``.

    Raises :class:`pathway_review.config.ConfigError` for a setting that cannot be used.
    """
    # The instance folder (database, secret key, search index) can live anywhere: tests, servers.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("PATHWAY_REVIEW_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.path.abspath(instance_path) if instance_path else None)
    from .config import load_config

    load_config(app, test_config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from . import db, security
    from .converters import IdConverter, SlugConverter, VersionConverter

    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["version"] = VersionConverter
    # Every <int:...> in core and plugin routes is a record id: bounded, so 2^31 is a 404, not an overflow.
    app.url_map.converters["int"] = app.url_map.converters["id"] = IdConverter
    app.url_map.strict_slashes = True
    db.init_app(app)
    security.init_app(app)
    from . import failures

    failures.init_app(app)
    from . import jobs

    jobs.init_app(app)

    from .plugins import PluginHost

    plugins = PluginHost()
    app.extensions["pathway_review.plugins"] = plugins
    from .cache import FragmentCache

    app.extensions["pathway_review.fragments"] = FragmentCache()
    plugins.load(app.config["PLUGINS"], use_entry_points=app.config["LOAD_ENTRY_POINTS"])
    _load_plugin_settings(app, plugins)

    _load_library(app, plugins)
    _register_blueprints(app, plugins)
    _register_templates(app, plugins)

    from . import cli

    cli.register(app)
    plugins.call("register_commands", cli=app.cli)

    from .auth import load_identity

    app.before_request(_refresh_library)
    app.before_request(load_identity)
    from . import inputs

    inputs.init_app(app)
    app.context_processor(_template_context)
    app.add_template_filter(lambda value: (value, value), "pr_pair")
    app.add_template_filter(lambda section: ("#" + section.id, section.title), "pr_anchor")
    return app


def _load_plugin_settings(app, plugins) -> None:
    from .config import apply_plugin_settings

    declared, owners = [], app.extensions.setdefault("pathway_review.setting_owners", {})
    for plugin, settings in plugins.call_per_plugin("config_settings"):
        for setting in settings or ():
            declared.append(setting)
            owners[setting.name] = plugin
    failed = any(info.failure for info in plugins.info.values())
    apply_plugin_settings(app, declared, failed_plugins=failed)


def _load_library(app, plugins) -> None:
    from .library import PathwayLibrary

    def changed(slugs):
        plugins.notify("pathway_library_changed", app=app, slugs=set(slugs))

    library = PathwayLibrary(Path(app.config["PATHWAYS_DIR"]), on_change=changed,
                             check_interval=float(app.config["LIBRARY_CHECK_INTERVAL"]))
    library.load()
    app.extensions["pathway_review.library"] = library
    from .core_plugin import remember_sections

    remember_sections(app)


def _refresh_library():
    from flask import current_app

    current_app.extensions["pathway_review.library"].refresh()


def _register_blueprints(app, plugins) -> None:
    from . import about, admin, api, auth, health, pathways

    for module in (auth, pathways, api, admin, health, about):
        app.register_blueprint(module.bp)
    for owner, blueprints in plugins.call_per_plugin("register_blueprints", app=app):
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
            plugins.blueprint_owner[blueprint.name] = owner
            plugins.info[owner].blueprints.append(blueprint.name)


def _register_templates(app, plugins) -> None:
    folders = [folder for found in plugins.call("template_folders") for folder in found]
    if folders:
        app.jinja_loader = ChoiceLoader([app.jinja_loader, *(FileSystemLoader(f) for f in folders)])


def _template_context():
    from flask import request, url_for

    from .cache import fragments

    user = g.get("user")
    if user is None or g.get("hooks") is None:
        return {"current_user": user, "nav_links": [], "search_url": None}
    key = ("chrome", user.id, user.role, user.board_id, g.hooks.allowed, g.get("marks"))
    links, search_url = fragments().get_or_build(key, _chrome)
    home = url_for("pathways.catalogue")
    nav = [{"href": link.href, "label": link.label,
            "current": link.href == request.path or (link.href != home and request.path.startswith(link.href))}
           for link in links]
    return {"current_user": user, "nav_links": nav, "search_url": search_url}


def _chrome():
    """Navigation and the search box: the same for every page a user sees until data changes."""
    from .plugins import flatten, page_hook

    links = sorted(flatten(page_hook("nav_links", user=g.user)), key=lambda link: link.order)
    return tuple(links), page_hook("header_search_url")
