"""The plugin host: one pluggy PluginManager per app, and a filtered view of it per board.

Built-in plugins and third-party packages are found the same way, through the ``pathway_review``
entry-point group. Optional plugins run only for boards that enabled them: during a request hooks are
called through a view made with ``PluginManager.subset_hook_caller`` that leaves the others out.

Every hook call in the core and the built-in plugins goes through :meth:`PluginHost.call` (or its
per-plugin variant), which honours each hookspec and isolates the hooks marked in
:data:`hookspecs.ISOLATED`; a loop over implementations anywhere else would miss both.
"""
from __future__ import annotations

import importlib
import json
import logging
import re
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any, Iterable, Iterator

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


class PluginHookFailed(Exception):
    """An implementation raised, and the caller asked to stop there (``call_per_plugin``)."""

    def __init__(self, plugin: str, hook: str):
        super().__init__(f"plugin {plugin} failed in {hook}")
        self.plugin, self.hook = plugin, hook


class _Manager(pluggy.PluginManager):
    # Every (un)registration invalidates the cached board views, so a plugin registered late can
    # never slip into a view built before it existed.
    generation = 0

    def register(self, plugin, name=None):
        self.generation += 1
        already = self.is_registered(plugin)
        try:
            registered = super().register(plugin, name)
        except Exception:
            # pluggy keeps the implementations it added before one failed validation.
            if not already and self.is_registered(plugin):
                self.unregister(plugin)
            raise
        if registered is not None:
            self._refuse_wrappers(plugin)
        return registered

    def unregister(self, plugin=None, name=None):
        self.generation += 1
        return super().unregister(plugin, name)

    def _refuse_wrappers(self, plugin) -> None:
        # Checked here rather than in the host so a plugin registered straight on the manager is refused too.
        for caller in self.get_hookcallers(plugin) or ():
            if caller.name not in hookspecs.ISOLATED:
                continue
            if any(impl.plugin is plugin and (impl.wrapper or impl.hookwrapper) for impl in caller.get_hookimpls()):
                self.unregister(plugin)
                raise pluggy.PluginValidationError(
                    plugin, f"{caller.name} is called one plugin at a time, so it cannot be a wrapper "
                            "(wrapper=True or hookwrapper=True)")


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
        # Failures not yet in the database (it may not exist yet at import time); see failures.py.
        self.unsaved_failures: dict[tuple[str, str], Any] = {}
        self.failures_lock = threading.Lock()

    @property
    def hook(self):
        """pluggy's own callers: for tests and tools; the platform calls hooks through :meth:`call`."""
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
            self.add(plugin, plugin_name(plugin), source="configured")
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
        if (name in self.info and self.info[name].failure is None) or self.pm.is_registered(plugin):
            return  # the same plugin reached through two routes (entry point and config)
        try:
            # A plugin's own events (see outbox.record) are hooks like the core's: it names a module of
            # its hookspecs as ``plugin_hookspecs``.
            if getattr(plugin, "plugin_hookspecs", None) is not None:
                self.pm.add_hookspecs(plugin.plugin_hookspecs)
                # A plugin's own events are isolated like the core's: one failing listener silences no other.
                hookspecs.ISOLATED.update(name for name, spec in vars(plugin.plugin_hookspecs).items()
                                          if hasattr(spec, "pathway_review_spec"))
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
        self.record_failure(name, "loading", reason)

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

    def record_failure(self, name: str, hook: str, problem: BaseException | str) -> None:
        """Remember that plugin ``name`` failed in ``hook``, where every worker will see it.

        An exception is described by its type and the line that raised it, never its message, which
        may quote what a person typed; the full error is in the log.
        """
        from . import failures

        failures.record(self, name, hook, problem)

    def migration_folders(self) -> list[str]:
        return [folder for folder in self.call("migrations") if folder]

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

    def plugin_view(self, plugin: str) -> HookView:
        """The hooks of one plugin alone (for hooks about that plugin, such as ``board_settings``)."""
        key = ("only", self.pm.generation, plugin)
        view = self._views.get(key)
        if view is None:
            remove = [p for name, p in self.pm.list_name_plugin() if name != plugin]
            view = HookView(self.pm, remove, frozenset({plugin}) if self.pm.has_plugin(plugin) else frozenset())
            self._views[key] = view
        return view

    # ---- calling hooks -----------------------------------------------------------------------------

    def call(self, name: str, *, view: HookView | None = None, around=None, **kwargs) -> Any:
        """Call hook ``name`` through ``view`` (a board's view; None for every plugin), as its spec says.

        ``firstresult`` hooks return the first non-None answer or None; the others return the list of
        non-None answers in pluggy's order. Historic hooks are pluggy's business and return None.
        Hooks in :data:`hookspecs.ISOLATED` run one implementation at a time: one that raises (or
        answers with the wrong type, see :data:`hookspecs.RESULT_TYPES`) is logged, left out and
        recorded as failed. Other hooks go through pluggy's own caller, wrappers and all. ``around``, for
        isolated hooks, makes a context manager entered around each implementation (a savepoint).
        """
        caller = getattr(view if view is not None else self.pm.hook, name)
        opts = caller.spec.opts if caller.spec is not None else {}
        if opts.get("historic"):
            caller.call_historic(kwargs=kwargs)
            return None
        if name not in hookspecs.ISOLATED:
            return caller(**kwargs)
        first = opts.get("firstresult", False)
        results = []
        for _plugin, result in self._each(name, caller, kwargs, around=around):
            if first:
                return result
            results.append(result)
        return None if first else results

    def call_per_plugin(self, name: str, *, view: HookView | None = None, stop_on_failure: bool = False,
                        **kwargs) -> Iterator[tuple[str, Any]]:
        """Yield ``(plugin name, answer)`` for each non-None answer of an isolated hook, in pluggy's order.

        For callers that must say which plugin gave what (blueprints have owners; search streams each
        contributor's documents). An implementation that raises is left out and recorded, like in
        :meth:`call`; with ``stop_on_failure`` the iteration ends there with :class:`PluginHookFailed`.
        """
        if name not in hookspecs.ISOLATED:
            raise TypeError(f"{name} is not an isolated hook; call it with call()")
        caller = getattr(view if view is not None else self.pm.hook, name)
        yield from self._each(name, caller, kwargs, stop_on_failure)

    def implemented(self, name: str, *, view: HookView | None = None) -> bool:
        """Whether any plugin (in ``view``) implements hook ``name``: skip building what nobody hears."""
        return bool(getattr(view if view is not None else self.pm.hook, name).get_hookimpls())

    def notify(self, name: str, **kwargs) -> None:
        """Announce an event to every plugin; one that raises is logged and the others still hear it."""
        self.call(name, **kwargs)

    def _each(self, name, caller, kwargs, stop_on_failure=False, around=None) -> Iterator[tuple[str, Any]]:
        if caller.spec is not None:
            missing = [arg for arg in caller.spec.argnames if arg not in kwargs]
            if missing:  # the caller's mistake, not the plugin's: do not blame a plugin for it
                raise TypeError(f"hook {name} called without {', '.join(missing)}")
        expected = hookspecs.RESULT_TYPES.get(name)
        for impl in reversed(caller.get_hookimpls()):
            if impl.wrapper or impl.hookwrapper:
                continue  # refused at registration; this keeps a wrapper from ever being run as an answer
            try:
                with around() if around is not None else nullcontext():
                    result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as exc:
                log.exception("plugin %s failed in %s; its answer is left out", impl.plugin_name, name)
                self.record_failure(impl.plugin_name, name, exc)
                if stop_on_failure:
                    raise PluginHookFailed(impl.plugin_name, name) from exc
                continue
            if result is None:
                continue
            if expected is not None and not isinstance(result, expected):
                log.error("plugin %s answered %s with a %s; ignored", impl.plugin_name, name, type(result).__name__)
                self.record_failure(impl.plugin_name, name, f"answered with a {type(result).__name__}, not "
                                                            f"{expected.__name__} or None; the answer was ignored")
                continue
            yield impl.plugin_name, result


def plugin_name(plugin: Any) -> str:
    """The name a configured plugin is known by: its ``name`` attribute, else its module's or class's name.

    A listener object (an instance whose methods are hook implementations) has no ``__name__``; it is
    named after its class, in the snake_case plugin names use (``SearchJournal`` → ``search_journal``).
    """
    explicit = getattr(plugin, "name", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    if isinstance(plugin, ModuleType):
        return plugin.__name__.rsplit(".", 1)[-1]
    cls = plugin if isinstance(plugin, type) else type(plugin)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower()


def host() -> PluginHost:
    return current_app.extensions["pathway_review.plugins"]


def hooks() -> HookView:
    """The hooks of the current request's board (every plugin outside a request)."""
    view = g.get("hooks") if g else None
    return view if view is not None else host().view(None)


def page_hook(name: str, **kwargs) -> Any:
    """A hook called through the current request's board view: a list of answers, or for a
    ``firstresult`` hook the first answer (see :meth:`PluginHost.call`)."""
    return host().call(name, view=hooks(), **kwargs)


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
    """The settings ``plugin`` declares; a plugin that fails here has none (its page must still open
    so a board can switch it off)."""
    plugins = host()
    return flatten(plugins.call("board_settings", view=plugins.plugin_view(plugin)))
