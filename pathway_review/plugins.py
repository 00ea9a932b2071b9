"""The plugin host: one pluggy PluginManager per app, and a filtered view of it per board.

Built-in plugins and third-party packages are found the same way, through the ``pathway_review``
entry-point group. Optional plugins run only for boards that enabled them: during a request hooks are
called through a view made with ``PluginManager.subset_hook_caller`` that leaves the others out.
"""
from __future__ import annotations

import importlib
import json
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Iterable

import pluggy
from flask import current_app, g

from . import hookspecs

log = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("pathway_review")
CORE = "core"


@dataclass
class PluginInfo:
    name: str
    title: str
    description: str = ""
    optional: bool = False
    version: str = ""
    source: str = "entry point"
    blueprints: list[str] = field(default_factory=list)
    failure: str | None = None


class _Manager(pluggy.PluginManager):
    # Every (un)registration invalidates the cached board views, so a plugin registered late can
    # never slip into a view built before it existed.
    generation = 0

    def register(self, plugin, name=None):
        self.generation += 1
        return super().register(plugin, name)

    def unregister(self, plugin=None, name=None):
        self.generation += 1
        return super().unregister(plugin, name)


class HookView:
    """The hooks as one board sees them: attribute access returns a (cached) hook caller."""

    def __init__(self, pm: pluggy.PluginManager, remove: list[Any], allowed: frozenset[str]):
        self._pm, self._remove, self.allowed = pm, remove, allowed
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str):
        caller = self._callers.get(name)
        if caller is None:
            caller = getattr(self._pm.hook, name)
            if self._remove:
                caller = self._pm.subset_hook_caller(name, self._remove)
            self._callers[name] = caller
        return caller


class PluginHost:
    def __init__(self):
        self.pm = _Manager("pathway_review")
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self._views: dict[tuple, HookView] = {}
        self.blueprint_owner: dict[str, str] = {}
        self.started = False

    @property
    def hook(self):
        return self.pm.hook

    # ---- discovery -------------------------------------------------------------------------------

    def load(self, extra: Iterable[Any] = (), use_entry_points: bool = True) -> None:
        from . import core_plugin

        self.add(core_plugin, CORE, source="core")
        if use_entry_points:
            for ep in sorted(entry_points(group="pathway_review"), key=lambda e: e.name):
                self._add_entry_point(ep)
        for plugin in extra:
            if isinstance(plugin, str):
                try:
                    plugin = importlib.import_module(plugin)
                except Exception as exc:  # a broken plugin must not stop the app
                    self._failed(plugin, f"import failed: {exc!r}")
                    continue
            self.add(plugin, getattr(plugin, "name", None) or plugin.__name__.rsplit(".", 1)[-1],
                     source="configured")
        self._check_pending()

    def _add_entry_point(self, ep) -> None:
        try:
            module = ep.load()
        except Exception as exc:
            log.exception("plugin %s failed to import", ep.name)
            self._failed(ep.name, f"import failed: {exc!r}")
            return
        version = ep.dist.version if getattr(ep, "dist", None) else ""
        self.add(module, ep.name, source="entry point", version=version)

    def add(self, plugin: Any, name: str, source: str = "configured", version: str = "") -> None:
        if name in self.info and self.info[name].failure is None:
            return  # the same plugin reached through two routes (entry point and config)
        try:
            # A plugin's own events (see outbox.record) are hooks like the core's: it names a module of
            # its hookspecs as ``plugin_hookspecs``.
            if getattr(plugin, "plugin_hookspecs", None) is not None:
                self.pm.add_hookspecs(plugin.plugin_hookspecs)
            self.pm.register(plugin, name=name)
        except Exception as exc:
            log.error("plugin %s could not be registered: %s", name, exc)
            self._failed(name, f"registration failed: {exc}")
            return
        self.info[name] = PluginInfo(
            name=name,
            title=getattr(plugin, "title", None) or name.replace("_", " ").capitalize(),
            description=getattr(plugin, "description", "") or "",
            optional=bool(getattr(plugin, "optional", False)) and name != CORE,
            version=version or str(getattr(plugin, "__version__", "") or ""),
            source=source,
        )

    def _failed(self, name: str, reason: str) -> None:
        self.info[name] = PluginInfo(name=name, title=name, optional=True, failure=reason, source="failed")

    def _check_pending(self) -> None:
        # An implementation of a hook that does not exist is the plugin's fault: drop that plugin,
        # keep the rest.
        while True:
            try:
                self.pm.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                name = self.pm.get_name(exc.plugin) or str(exc.plugin)
                log.error("plugin %s rejected: %s", name, exc)
                self.pm.unregister(exc.plugin)
                self._failed(name, f"rejected: {exc}")

    def record_failure(self, name: str, where: str, exc: BaseException) -> None:
        info = self.info.get(name)
        if info is not None:
            info.failure = f"{where}: {exc!r}"

    def migration_folders(self) -> list[str]:
        return [folder for folder in self.call_each(self.hook.migrations) if folder]

    # ---- views -----------------------------------------------------------------------------------

    @property
    def optional_names(self) -> list[str]:
        return sorted(n for n, i in self.info.items() if i.optional and self.pm.has_plugin(n))

    def allowed_for(self, enabled: Iterable[str] | None) -> frozenset[str]:
        """Names of the registered plugins that run for a board with these optional plugins enabled.

        ``None`` means every plugin (national staff). A plugin the host did not register itself
        (registered late, straight on the manager) counts as optional and off.
        """
        names = {name for name, _ in self.pm.list_name_plugin()}
        if enabled is None:
            return frozenset(names)
        enabled = set(enabled)
        return frozenset(n for n in names if (n in self.info and not self.info[n].optional) or n in enabled)

    def view(self, enabled: Iterable[str] | None) -> HookView:
        # Looked up on every request, so the key is what the caller has, not the computed set.
        key = (self.pm.generation, None if enabled is None else tuple(sorted(enabled)))
        view = self._views.get(key)
        if view is None:
            allowed = self.allowed_for(enabled)
            remove = [plugin for name, plugin in self.pm.list_name_plugin() if name not in allowed]
            view = HookView(self.pm, remove, allowed)
            if len(self._views) > 256:  # one per distinct enablement set; bounded all the same
                self._views.clear()
            self._views[key] = view
        return view

    def call_each(self, caller, **kwargs) -> list[Any]:
        """Call a page-level hook one implementation at a time; a plugin that raises is left out."""
        results = []
        for impl in reversed(caller.get_hookimpls()):
            if impl.hookwrapper or impl.wrapper:
                continue
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                log.exception("plugin %s failed in %s; its output is left out", impl.plugin_name, caller.name)
                self.record_failure(impl.plugin_name, caller.name, exc)
                continue
            if result is not None:
                results.append(result)
        return results

    def notify(self, name: str, **kwargs) -> None:
        """Announce an event to every plugin; one that raises is logged and the others still hear it."""
        self.call_each(getattr(self.hook, name), **kwargs)


def host() -> PluginHost:
    return current_app.extensions["pathway_review.plugins"]


def hooks() -> HookView:
    """The hooks of the current request's board (every plugin outside a request)."""
    view = g.get("hooks") if g else None
    return view if view is not None else host().view(None)


def page_hook(name: str, **kwargs) -> list[Any]:
    """Results of a page-level hook for the current request, with failing plugins left out."""
    return host().call_each(getattr(hooks(), name), **kwargs)


def flatten(results: Iterable[Any]) -> list[Any]:
    out = []
    for result in results:
        out.extend(result if isinstance(result, (list, tuple)) else [result])
    return out


def board_setting(plugin: str, board, key: str) -> Any:
    """A plugin's setting for a board, or its declared default."""
    from sqlalchemy import select

    from .db import get_session
    from .models import PluginSetting

    board_id = getattr(board, "id", board)
    stored = get_session().scalar(select(PluginSetting.value).where(
        PluginSetting.plugin == plugin, PluginSetting.board_id == board_id, PluginSetting.key == key))
    if stored is not None:
        return json.loads(stored)
    for setting in declared_settings(plugin):
        if setting.key == key:
            return setting.default
    return None


def declared_settings(plugin: str) -> list:
    pm = host().pm
    module = pm.get_plugin(plugin)
    if module is None or not hasattr(module, "board_settings"):
        return []
    try:
        return list(module.board_settings() or [])
    except Exception as exc:  # the board's plugin page must still open to switch the plugin off
        log.exception("plugin %s failed in board_settings", plugin)
        host().record_failure(plugin, "board_settings", exc)
        return []
