import re

from pathway_review.compare import compare_versions, word_diff_html
from pathway_review.document import parse_document


def version(tmp_path, number, body):
    path = tmp_path / "suspected-colorectal-cancer" / f"{number}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: Suspected colorectal cancer\nspecialty: Colorectal\nversion: \"{number}\"\n"
        "status: draft\ndate: 2026-11-02\nowning_group: Cancer SDG\napproved_by: Interface Group\n"
        f"summary: Sample only.\n---\n{body}", encoding="utf-8")
    return parse_document(path)


OLD = """\
## Scope

Adults with lower GI symptoms.

## Red flags

Refer within 2 weeks if FIT is 10 or more.

### Rectal mass

Refer at once.

## Old advice

Wait and see.

## Referral {#how-to-refer}

Use SCI Gateway.
"""

NEW = """\
## Scope

Adults with lower GI symptoms.

## Red flags

Refer within 10 days if FIT is 10 or more.

### Rectal mass

Refer at once.

## Safety netting

Review in 6 weeks.

## How to refer {#how-to-refer}

Use SCI Gateway.
"""


def by_id(changes):
    return {c.section_id: c for c in changes}


def test_sections_are_matched_and_classified(tmp_path):
    changes = compare_versions(version(tmp_path, "1.0", OLD), version(tmp_path, "2.0", NEW))
    assert [(c.kind, c.section_id) for c in changes] == [
        ("unchanged", "scope"),
        ("changed", "red-flags"),
        ("unchanged", "rectal-mass"),
        ("removed", "old-advice"),  # where it stood in the old version
        ("added", "safety-netting"),
        ("changed", "how-to-refer"),
    ]
    found = by_id(changes)
    assert found["safety-netting"].old is None and found["safety-netting"].new.title == "Safety netting"
    assert found["old-advice"].new is None and found["old-advice"].level == 2
    assert found["rectal-mass"].level == 3


def test_a_changed_threshold_marks_exactly_those_words(tmp_path):
    changes = compare_versions(version(tmp_path, "1.0", OLD), version(tmp_path, "2.0", NEW))
    assert by_id(changes)["red-flags"].diff_html == (
        'Refer within <del class="pr-diff-del">2 weeks</del>'
        '<ins class="pr-diff-ins">10 days</ins> if FIT is 10 or more.')


def test_added_and_removed_sections_are_wholly_marked(tmp_path):
    found = by_id(compare_versions(version(tmp_path, "1.0", OLD), version(tmp_path, "2.0", NEW)))
    assert found["safety-netting"].diff_html == '<ins class="pr-diff-ins">Review in 6 weeks.</ins>'
    assert found["old-advice"].diff_html == '<del class="pr-diff-del">Wait and see.</del>'
    assert found["scope"].diff_html == "Adults with lower GI symptoms."


def test_explicit_id_keeps_a_renamed_heading_matched(tmp_path):
    found = by_id(compare_versions(version(tmp_path, "1.0", OLD), version(tmp_path, "2.0", NEW)))
    referral = found["how-to-refer"]
    assert referral.kind == "changed" and referral.title_changed
    assert (referral.old.title, referral.title) == ("Referral", "How to refer")
    assert not found["red-flags"].title_changed


def test_renamed_heading_without_explicit_id_is_removed_and_added(tmp_path):
    old = version(tmp_path, "1.0", "## Red flags\n\nText.\n")
    new = version(tmp_path, "2.0", "## Red flag symptoms\n\nText.\n")
    assert [(c.kind, c.section_id) for c in compare_versions(old, new)] == [
        ("removed", "red-flags"), ("added", "red-flag-symptoms")]


def test_removed_first_section_comes_first(tmp_path):
    old = version(tmp_path, "1.0", "## Gone\n\nx\n\n## Kept\n\ny\n")
    new = version(tmp_path, "2.0", "## Kept\n\ny\n")
    assert [c.kind for c in compare_versions(old, new)] == ["removed", "unchanged"]


def test_diff_escapes_html():
    html = word_diff_html("FIT <10 & safe", "FIT <20 & <b>safe</b>")
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert '<del class="pr-diff-del">10</del><ins class="pr-diff-ins">20</ins>' in html


def test_diff_reads_back_as_either_version():
    old, new = "Refer to the colorectal team.", "Refer urgently to the colorectal team today."
    html = word_diff_html(old, new)
    assert re.findall(r'<ins class="pr-diff-ins">(.*?)</ins>', html) in (
        [" urgently", " today"], ["urgently ", " today"])
    assert "<del" not in html
    assert re.sub(r"<ins[^>]*>(.*?)</ins>", r"\1", html) == new
    assert re.sub(r"<ins[^>]*>.*?</ins>", "", html) == old
    assert word_diff_html(old, old) == old


NESTED = """\
## Scope

Adults with lower GI symptoms.

## Red flags

### Refer at once

A rectal mass.

### Refer with a FIT result

FIT of 10 or more.

## How to refer

Use SCI Gateway.
"""


def test_a_parent_is_changed_when_only_a_subsection_changed(tmp_path):
    old = version(tmp_path, "1.0", NESTED)
    new = version(tmp_path, "2.0", NESTED.replace("FIT of 10", "FIT of 20"))
    by_id = {c.section_id: c for c in compare_versions(old, new)}
    assert by_id["red-flags"].kind == "changed"
    assert by_id["red-flags"].changed_subsections == ("Refer with a FIT result",)
    assert by_id["refer-with-a-fit-result"].kind == "changed"
    assert {by_id[s].kind for s in ("scope", "refer-at-once", "how-to-refer")} == {"unchanged"}


def test_a_parent_is_changed_when_a_subsection_is_added_or_removed(tmp_path):
    old = version(tmp_path, "1.0", NESTED)
    new = version(tmp_path, "2.0", NESTED.replace("### Refer at once\n\nA rectal mass.\n\n", ""))
    by_id = {c.section_id: c for c in compare_versions(old, new)}
    assert by_id["refer-at-once"].kind == "removed"
    assert by_id["red-flags"].kind == "changed" and by_id["red-flags"].changed_subsections == ("Refer at once",)
    back = {c.section_id: c for c in compare_versions(new, old)}
    assert back["refer-at-once"].kind == "added" and back["red-flags"].kind == "changed"
