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
    # The instance folder (database, secret key, search index) can live anywhere: tests, servers.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("PATHWAY_REVIEW_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True,
                instance_path=str(instance_path) if instance_path else None)
    os.makedirs(app.instance_path, exist_ok=True)
    from .config import load_config

    load_config(app, test_config)
    if app.config.get("FAST_PASSWORD_HASHING"):
        from . import accounts

        accounts.use_fast_hashing()  # tests only: argon2id with minimal cost
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from . import db, security
    from .converters import SlugConverter, VersionConverter

    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["version"] = VersionConverter
    app.url_map.strict_slashes = True
    db.init_app(app)
    security.init_app(app)
    from . import jobs

    jobs.init_app(app)

    from .plugins import PluginHost

    plugins = PluginHost()
    app.extensions["pathway_review.plugins"] = plugins
    from .cache import FragmentCache

    app.extensions["pathway_review.fragments"] = FragmentCache()
    plugins.load(app.config.get("PLUGINS") or (), use_entry_points=app.config.get("LOAD_ENTRY_POINTS", True))

    _load_library(app, plugins)
    _register_blueprints(app, plugins)
    _register_templates(app, plugins)

    from . import cli

    cli.register(app)
    for impl in reversed(plugins.hook.register_commands.get_hookimpls()):
        _guarded(plugins, impl, "register_commands", cli=app.cli)

    from .auth import load_identity

    app.before_request(_refresh_library)
    app.before_request(load_identity)
    app.context_processor(_template_context)
    app.add_template_filter(lambda value: (value, value), "pr_pair")
    app.add_template_filter(lambda section: ("#" + section.id, section.title), "pr_anchor")

    plugins.started = True
    for impl in reversed(plugins.hook.app_started.get_hookimpls()):
        _guarded(plugins, impl, "app_started", app=app)
    return app


def _guarded(plugins, impl, where, **kwargs):
    try:
        return impl.function(*[kwargs[a] for a in impl.argnames])
    except Exception as exc:
        log.exception("plugin %s failed in %s", impl.plugin_name, where)
        plugins.record_failure(impl.plugin_name, where, exc)
        return None


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
    from . import admin, api, auth, pathways

    for module in (auth, pathways, api, admin):
        app.register_blueprint(module.bp)
    for impl in reversed(plugins.hook.register_blueprints.get_hookimpls()):
        for blueprint in _guarded(plugins, impl, "register_blueprints", app=app) or ():
            app.register_blueprint(blueprint)
            plugins.blueprint_owner[blueprint.name] = impl.plugin_name
            plugins.info[impl.plugin_name].blueprints.append(blueprint.name)


def _register_templates(app, plugins) -> None:
    folders = []
    for impl in reversed(plugins.hook.template_folders.get_hookimpls()):
        folders.extend(_guarded(plugins, impl, "template_folders") or ())
    if folders:
        app.jinja_loader = ChoiceLoader([app.jinja_loader, *(FileSystemLoader(f) for f in folders)])


def _template_context():
    from flask import request, url_for

    from .cache import fragments

    user = g.get("user")
    if user is None or g.get("hooks") is None:
        return {"current_user": user, "nav_links": [], "search_url": None}
    key = ("chrome", user.id, user.role, user.board_id, g.hooks.allowed, g.get("generation"))
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
    found = page_hook("header_search_url")
    return tuple(links), (found[0] if found else None)
