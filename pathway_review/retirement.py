"""Plugins that leave: their tables outlive them until someone decides otherwise.

A plugin's tables belong to its own Alembic branch. When the plugin is uninstalled (or fails to import)
its revision stays recorded in ``alembic_version`` but no script defines it, and Alembic refuses to
upgrade anything from a revision it cannot find. ``init`` therefore sets such revisions aside while it
upgrades the rest, and keeps the tables and data: uninstalling is not a decision to delete records.
``pathway-review plugins retire NAME`` is that decision.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import bindparam, text


class RetirementError(Exception):
    pass


def plugin_of(revision: str) -> str | None:
    """The plugin a revision belongs to, by the documented naming (``<plugin>_0001``)."""
    found = re.fullmatch(r"(\w+?)_\d+", revision)
    return found.group(1) if found else None


def unknown_revisions(config, connection) -> list[str]:
    """Revisions recorded in the database that no installed migration script defines."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(config)
    unknown = []
    for revision in sorted(MigrationContext.configure(connection).get_current_heads()):
        try:
            if script.get_revision(revision) is None:
                unknown.append(revision)
        except (RevisionError, CommandError):
            unknown.append(revision)
    return unknown


@contextmanager
def unknown_set_aside(config, connection):
    """Hide unknown revisions from Alembic for the length of the block, then record them again."""
    unknown = unknown_revisions(config, connection)
    if unknown:
        _delete(connection, unknown)
    yield unknown
    if unknown:
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:revision)"),
                           [{"revision": revision} for revision in unknown])


def _delete(connection, revisions) -> None:
    connection.execute(text("DELETE FROM alembic_version WHERE version_num IN :revisions")
                       .bindparams(bindparam("revisions", expanding=True)), {"revisions": list(revisions)})


def kept_message(host, revision: str) -> str:
    """One line for ``init`` about a revision whose plugin is gone."""
    name = plugin_of(revision)
    if name is None:
        return f"revision {revision} belongs to no installed plugin; its tables are kept"
    info = host.info.get(name)
    if info is not None and info.failure:
        why = "failed to load"
    elif host.pm.has_plugin(name):
        why = "did not say where its migrations are"
    else:
        why = "is not installed"
    return (f"plugin {name} {why}; its tables are kept (revision {revision}). "
            f"`pathway-review plugins retire {name}` drops them.")


@dataclass(frozen=True)
class Plan:
    plugin: str
    drop_tables: bool       # its migrations are installed: downgrade its branch to base
    revisions: tuple[str, ...]

    def question(self) -> str:
        if self.drop_tables:
            return f"Retire plugin {self.plugin}: drop its tables and every record in them?"
        return (f"Retire plugin {self.plugin}: its migrations are not installed, so its tables cannot be "
                f"dropped here; forget its revision ({', '.join(self.revisions)}) and keep the tables?")


def plan(app, name: str) -> Plan:
    from alembic.script import ScriptDirectory

    from .db import alembic_config

    if name == "core":
        raise RetirementError("The core cannot be retired.")
    with app.extensions["pathway_review.db"].engine.connect() as connection:
        config = alembic_config(app, connection)
        labels = {label for revision in ScriptDirectory.from_config(config).walk_revisions()
                  for label in revision.branch_labels}
        unknown = [r for r in unknown_revisions(config, connection) if plugin_of(r) == name]
    if name in labels:
        return Plan(name, True, tuple(unknown))
    if unknown:
        return Plan(name, False, tuple(unknown))
    raise RetirementError(f"No tables are recorded for a plugin called {name!r}.")


def retire(app, chosen: Plan) -> list[str]:
    """Carry out a plan; return what was done, one line each."""
    from alembic import command

    from . import audit
    from .db import alembic_config
    from .models import PluginFailure

    database = app.extensions["pathway_review.db"]
    with database.engine.begin() as connection:
        config = alembic_config(app, connection)
        if chosen.drop_tables:
            with unknown_set_aside(config, connection):
                command.downgrade(config, f"{chosen.plugin}@base")
        else:
            _delete(connection, chosen.revisions)
    with database.transaction() as session:
        session.query(PluginFailure).filter(PluginFailure.plugin == chosen.plugin).delete()
        audit.record("plugin.retired", target=chosen.plugin, session=session, tables_dropped=chosen.drop_tables)
    if not chosen.drop_tables:
        return [f"plugin {chosen.plugin}: revision {', '.join(chosen.revisions)} is no longer recorded; its tables "
                "are still there. Drop them by hand if their data should go (installing the plugin again would "
                "try to create them again)."]
    lines = [f"plugin {chosen.plugin}: its tables and their records are dropped."]
    if app.extensions["pathway_review.plugins"].pm.has_plugin(chosen.plugin):
        lines.append(f"plugin {chosen.plugin} is still installed: `pathway-review init` will create its tables "
                     "again. Uninstall it to retire it for good.")
    return lines
