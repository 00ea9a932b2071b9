"""Everything a consultation report says, gathered once and laid out twice (PDF and Word).

The findings come through the ``consultation_findings`` hook (the feedback plugin answers), the governance
record from this plugin's table, and what changed from the pathway library: sections of the next version
compared with this one's by their fingerprints.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pathway_review.plugin_api import ConsultationFindings, database, host, library, today

from .governance import Record, record_for

SAMPLE_NOTICE = "Illustrative sample content – not clinical guidance"


@dataclass
class Report:
    version: object
    findings: ConsultationFindings
    governance: Record
    next_version: object | None = None
    changes: list = field(default_factory=list)   # (section title, what happened)
    made_on: date | None = None

    @property
    def title(self) -> str:
        return f"Consultation report: {self.version.title}, version {self.version.version}"

    @property
    def sample(self) -> bool:
        return bool(self.version.is_sample)

    @property
    def dates(self) -> str:
        opens, closes = self.version.consultation_opens, self.version.consultation_closes
        if not opens or not closes:
            return "This version was not put out for consultation with dates."
        return f"Open for feedback from {opens.strftime('%-d %B %Y')} to {closes.strftime('%-d %B %Y')}."

    @property
    def reach(self) -> list[tuple[str, int]]:
        f = self.findings
        return [("Responses", f.responses), ("GPs responding", f.respondents), ("Health Boards", f.boards),
                ("Practices", f.practices)]

    @property
    def hours_sentence(self) -> str:
        w = self.findings.workload or {}
        if not w.get("respondents"):
            return "No respondent estimated the extra GP time."
        count = w["respondents"]
        return (f"{w['total_hours']:,.0f} extra GP hours a year in all, median {w['median_hours']:,.1f} hours a "
                f"year per practice, from {count} respondent{'' if count == 1 else 's'}.")


def changes_between(current, following) -> list[tuple[str, str]]:
    """What happened to each section of ``current`` in ``following``, then the sections it added."""
    out = []
    for section in current.sections:
        later = following.section(section.id)
        if later is None:
            out.append((section.title, "Removed"))
        elif later.fingerprint != section.fingerprint:
            out.append((section.title, "Changed"))
        else:
            out.append((section.title, "Unchanged"))
    out += [(s.title, "New in this version") for s in following.sections if current.section(s.id) is None]
    return out


def gather(version) -> Report:
    found = host().call("consultation_findings", version=version, detail=True)
    with database().sessions() as session:
        governance = record_for(session, version.slug, version.version)
        session.expunge_all()
    pathway = library().get(version.slug)
    later = sorted((v for v in pathway.versions if v.version_key > version.version_key), key=lambda v: v.version_key)
    following = later[0] if later else None
    return Report(version=version, findings=found or ConsultationFindings(), governance=governance,
                  next_version=following, changes=changes_between(version, following) if following else [],
                  made_on=today())
