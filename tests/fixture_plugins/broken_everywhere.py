"""A plugin that raises in every hook the core defines, to prove no page depends on a plugin behaving.

The implementations are generated from the hookspecs, so a hook added later is covered without
anyone remembering to come back here.
"""
import inspect

from pathway_review import hookimpl, hookspecs

title = "Broken everywhere"
description = "Raises in every hook."
optional = False


class PluginExploded(RuntimeError):
    pass


def _explode(hook_name):
    raise PluginExploded(f"broken_everywhere fails in {hook_name}")


def _implementation(name, spec):
    args = ", ".join(inspect.signature(spec).parameters)
    namespace = {"_explode": _explode}
    # pluggy reads argument names from the signature, so each implementation needs the spec's own.
    exec(f"def {name}({args}):\n    _explode({name!r})\n", namespace)
    return hookimpl(namespace[name])


HOOK_NAMES = sorted(name for name, spec in vars(hookspecs).items()
                    if callable(spec) and hasattr(spec, "pathway_review_spec"))
for _name in HOOK_NAMES:
    globals()[_name] = _implementation(_name, getattr(hookspecs, _name))
