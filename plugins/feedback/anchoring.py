"""Comments follow the text: where a comment written on one version belongs in another.

A comment keeps the id and fingerprint of the section it was written on. In any version of the same
pathway it is then on the same section (unchanged or changed since), on the whole pathway, or on a
section that version no longer has.
"""
from __future__ import annotations

SAME, CHANGED, GONE, WHOLE = "same", "changed", "gone", "whole"
LABELS = {CHANGED: "section changed since this comment", GONE: "on a section no longer in this version"}


def anchor(version, section_id: str | None, fingerprint: str | None) -> str:
    if section_id is None:
        return WHOLE
    section = version.section(section_id)
    if section is None:
        return GONE
    return SAME if section.fingerprint == fingerprint else CHANGED


def label(place: str) -> str | None:
    return LABELS.get(place)


def section_order(version) -> dict[str, int]:
    """Position of each section in the version, for ordering comments as the document reads."""
    return {section.id: i for i, section in enumerate(version.sections)}
