"""The tie-out of a filing (``qfin-docs tieout FILING.htm``): the release tie-out's engine (verify/tieout.py)
over the filing's own facts, under the filing policy (``report.FILING``): a figure that is itself tagged is
checked against its tag (verify/tags.py), its prose is read with the derivations a filing needs
(verify/changes.py), and a figure no tag gives is unverifiable rather than a finding.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..model import BadInput, Problem, Source
from .filing import Filing
from .report import FILING, Report
from .tieout import TieOut, tie


def filing_engine(filing: Filing) -> TieOut:
    """The engine for a filing: its facts, under the filing policy."""
    return TieOut(filing.loaded(), FILING)


def tieout_filing(path: Path, html: Path | None = None) -> Report:
    """Tie every number of a filing's narrative to the filing's own tags; with ``html``, also write the filing
    with each number marked by its status (see verify/marks.py)."""
    if not path.is_file():
        raise BadInput([Problem(Source(str(path), 0), "QF-DRAFT-READ", "filing not found")])
    filing = Filing(path)
    report = tieout_of(filing)
    if html is not None:
        from .marks import marked, write_marked
        write_marked(html, marked(filing, report))
        report.notes.append(f"wrote {html}: every number marked by its status")
    return report


def tieout_of(filing: Filing) -> Report:
    """The tie-out of a filing already read."""
    path = filing.path
    report = tie(filing_engine(filing), filing.paragraphs, filing.rows, str(path))
    numeric = sum(1 for f in filing.facts if isinstance(f.value, Decimal))
    report.notes.insert(0, f"read {numeric} numeric and {len(filing.facts) - numeric} text facts, "
                           f"{len(filing.paragraphs)} paragraphs and {len(filing.rows)} table rows of {path}")
    return report


__all__ = ["filing_engine", "tieout_filing", "tieout_of"]
