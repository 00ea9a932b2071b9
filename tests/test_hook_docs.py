"""Every hook is documented twice: in its hookspec's docstring and in docs/plugins.md for plugin authors."""
import inspect
import re
from pathlib import Path

import pytest

from pathway_review import hookspecs

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
HOOKS = sorted(name for name, spec in vars(hookspecs).items()
               if callable(spec) and hasattr(spec, "pathway_review_spec"))


def test_there_are_hooks_to_check():
    assert len(HOOKS) >= 20 and "pathway_panels" in HOOKS and "permission" in HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_has_a_docstring_with_every_argument(name):
    spec = getattr(hookspecs, name)
    doc = inspect.getdoc(spec)
    assert doc and len(doc) > 40, f"{name} has no real docstring"
    for argument in inspect.signature(spec).parameters:
        assert f":param {argument}:" in doc, f"{name}'s docstring does not describe {argument!r} (:param {argument}:)"
    if spec.pathway_review_spec.get("firstresult"):
        assert "Stops at first non-None result" in doc, f"{name} is firstresult; say so in its docstring"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented_for_plugin_authors(name):
    text = DOCS.read_text(encoding="utf-8")
    heading = re.search(rf"^###\s+`?{name}\(", text, flags=re.M)
    assert heading, f"docs/plugins.md has no '### {name}(...)' section"
    section = text[heading.end():]
    following = re.search(r"^##", section, flags=re.M)
    section = section[:following.start()] if following else section
    assert "```python" in section, f"docs/plugins.md shows no example for {name}"
    assert f"def {name}(" in section, f"the example for {name} does not implement it"
