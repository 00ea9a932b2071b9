import logging
import os
from pathlib import Path

import pytest

from pathway_review.library import PathwayLibrary, check_library


def doc(version, status="published", title="Dyspepsia", specialty="Gastroenterology",
        body="## Key messages\n\nTest and treat for H. pylori.\n"):
    dates = ("consultation_opens: 2026-01-01\nconsultation_closes: 2026-03-01\n"
             if status == "consultation" else "")
    return (f"---\ntitle: {title}\nspecialty: {specialty}\nversion: \"{version}\"\n"
            f"status: {status}\ndate: 2025-06-01\n{dates}owning_group: Gastro SDG\n"
            f"approved_by: Interface Group\nsummary: Sample only.\n---\n{body}")


def put(root, relpath, text):
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def touch_later(path, seconds=10):
    # Some file systems keep coarse mtimes; make each edit unmistakable.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 1_000_000_000))


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def root(tmp_path):
    put(tmp_path, "dyspepsia/1.0.md", doc("1.0", "superseded"))
    put(tmp_path, "dyspepsia/2.0.md", doc("2.0", "published"))
    put(tmp_path, "dyspepsia/10.0.md", doc("10.0", "draft"))
    put(tmp_path, "anaemia/1.0.md", doc("1.0", "consultation", title="Anaemia",
                                        specialty="Haematology"))
    return tmp_path


def test_load_groups_and_orders_versions(root):
    library = PathwayLibrary(root)
    library.load()
    assert list(library.pathways) == ["anaemia", "dyspepsia"]  # by title
    dyspepsia = library.get("dyspepsia")
    assert [v.version for v in dyspepsia.versions] == ["1.0", "2.0", "10.0"]  # not string order
    assert dyspepsia.latest.version == "10.0"
    assert dyspepsia.current.version == "2.0"  # published beats a newer draft
    assert dyspepsia.previous(dyspepsia.version("2.0")).version == "1.0"
    assert dyspepsia.previous(dyspepsia.version("1.0")) is None
    assert library.get_version("anaemia", "1.0").status == "consultation"
    assert library.specialties() == ["Gastroenterology", "Haematology"]
    assert library.problems == []


def test_consultation_version_is_current(root):
    put(root, "dyspepsia/11.0.md", doc("11.0", "consultation"))
    library = PathwayLibrary(root)
    library.load()
    assert library.get("dyspepsia").current.version == "11.0"


def test_broken_file_is_skipped_and_the_rest_load(root, caplog):
    put(root, "dyspepsia/3.0.md", doc("3.0").replace("status: published", "status: pending"))
    put(root, "broken/1.0.md", "no front matter at all\n")
    with caplog.at_level(logging.WARNING, logger="pathway_review.library"):
        library = PathwayLibrary(root)
        library.load()
    assert [v.version for v in library.get("dyspepsia").versions] == ["1.0", "2.0", "10.0"]
    assert library.get("broken") is None and library.get("anaemia") is not None
    assert {Path(p.path).relative_to(root).as_posix() for p in library.problems} == {
        "dyspepsia/3.0.md", "broken/1.0.md"}
    assert any("3.0.md:5: unknown status 'pending'" in r.getMessage() for r in caplog.records)


def test_refresh_picks_up_edits_additions_and_removals(root):
    clock, calls = FakeClock(), []
    library = PathwayLibrary(root, on_change=calls.append, check_interval=2.0, clock=clock)
    library.load()
    path = root / "anaemia" / "1.0.md"
    path.write_text(doc("1.0", "consultation", title="Iron deficiency anaemia",
                        specialty="Haematology"), encoding="utf-8")
    touch_later(path)

    clock.now += 1  # within the check interval: nothing is looked at
    assert library.refresh() == set() and library.get("anaemia").current.title == "Anaemia"
    clock.now += 1.5
    assert library.refresh() == {"anaemia"}
    assert calls == [{"anaemia"}]
    assert library.get("anaemia").current.title == "Iron deficiency anaemia"

    clock.now += 3
    assert library.refresh() == set() and len(calls) == 1  # nothing changed on disk

    put(root, "low-back-pain/1.0.md", doc("1.0", title="Low back pain"))
    (root / "dyspepsia" / "10.0.md").unlink()
    clock.now += 3
    assert library.refresh() == {"low-back-pain", "dyspepsia"}
    assert library.get("low-back-pain") is not None
    assert library.get_version("dyspepsia", "10.0") is None


def test_refresh_only_reparses_changed_files(root):
    clock = FakeClock()
    library = PathwayLibrary(root, clock=clock)
    library.load()
    before = library.get_version("dyspepsia", "1.0")
    touch_later(root / "dyspepsia" / "2.0.md")
    clock.now += 5
    library.refresh()
    assert library.get_version("dyspepsia", "1.0") is before
    assert library.get_version("dyspepsia", "2.0") is not None


def test_a_fixed_file_comes_back_and_its_problem_goes(root):
    clock = FakeClock()
    library = PathwayLibrary(root, clock=clock)
    path = put(root, "dyspepsia/3.0.md", doc("3.0").replace("title: Dyspepsia\n", ""))
    library.load()
    assert library.get_version("dyspepsia", "3.0") is None and len(library.problems) == 1
    path.write_text(doc("3.0", "draft"), encoding="utf-8")
    touch_later(path)
    clock.now += 5
    assert library.refresh() == {"dyspepsia"}
    assert library.get_version("dyspepsia", "3.0") is not None and library.problems == []


@pytest.mark.parametrize("slug,version", [
    ("..", "1.0"), ("../dyspepsia", "1.0"), ("dyspepsia%2F..", "1.0"), ("a/b", "1.0"),
    ("dyspepsia", "../2.0"), ("dyspepsia", "2.0/../../x"), ("x" * 100_000, "1.0"),
    ("dyspepsia", "9" * 10_000), (None, None), ("dyspepsia", 2.0), ("", ""),
])
def test_hostile_lookups_return_none(root, slug, version):
    library = PathwayLibrary(root)
    library.load()
    assert library.get_version(slug, version) is None
    if slug != "dyspepsia":
        assert library.get(slug) is None


def test_duplicate_versions_and_two_published(tmp_path):
    put(tmp_path, "dyspepsia/1.0.md", doc("1.0", "published"))
    put(tmp_path, "dyspepsia/1.00.md", doc("1.00", "draft"))
    put(tmp_path, "dyspepsia/2.0.md", doc("2.0", "published"))
    problems = check_library(tmp_path)
    messages = [(Path(p.path).name, p.message) for p in problems]
    assert any(name == "1.00.md" and "duplicates version 1.0" in m for name, m in messages)
    assert any(name == "1.0.md" and "more than one published" in m for name, m in messages)
    library = PathwayLibrary(tmp_path)
    library.load()
    assert [v.version for v in library.get("dyspepsia").versions] == ["1.0", "2.0"]


def test_layout_problems_and_ignored_files(tmp_path):
    put(tmp_path, "dyspepsia/1.0.md", doc("1.0"))
    put(tmp_path, "dyspepsia/notes.txt", "not a document")
    put(tmp_path, "dyspepsia/.1.0.md.swp", "editor swap file")
    put(tmp_path, "README.md", "# About these pathways\n")
    put(tmp_path, "stray.md", doc("1.0"))
    put(tmp_path, "dyspepsia/draft.md", doc("1.0"))
    put(tmp_path, "dyspepsia/archive/0.9.md", doc("0.9"))
    names = sorted(Path(p.path).name for p in check_library(tmp_path))
    assert names == ["archive", "draft.md", "stray.md"]


def test_symlinks_outside_the_root_are_never_read(tmp_path):
    root, outside = tmp_path / "pathways", tmp_path / "secret"
    put(root, "dyspepsia/1.0.md", doc("1.0"))
    put(outside, "leak/1.0.md", doc("1.0", title="Leaked"))
    (root / "leak").symlink_to(outside / "leak")
    (root / "dyspepsia" / "2.0.md").symlink_to(outside / "leak" / "1.0.md")
    put(root, "inside/1.0.md", doc("1.0", title="Inside"))
    (root / "alias").symlink_to(root / "inside")  # inside the root: allowed
    library = PathwayLibrary(root)
    library.load()
    assert library.get("leak") is None
    assert library.get_version("dyspepsia", "2.0") is None
    assert library.get("alias") is not None
    assert sum("outside the pathway folder" in p.message for p in library.problems) == 2


def test_missing_root_is_a_problem_not_a_crash(tmp_path):
    library = PathwayLibrary(tmp_path / "nowhere")
    library.load()
    assert dict(library.pathways) == {} and "cannot read" in library.problems[0].message


def test_failing_on_change_does_not_break_refresh(root):
    clock = FakeClock()

    def explode(slugs):
        raise RuntimeError("listener bug")

    library = PathwayLibrary(root, on_change=explode, clock=clock)
    library.load()
    touch_later(root / "anaemia" / "1.0.md")
    clock.now += 5
    assert library.refresh() == {"anaemia"}
