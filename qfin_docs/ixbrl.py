"""Inline XBRL: the document set (iXBRL, extension taxonomy, extracted instance)."""
from __future__ import annotations

from .model import Release, Taxonomy


def document_name(release: Release) -> str:
    return f"qfin-{str(release.meta['document_period_end']).replace('-', '')}"


def document_set(release: Release, taxonomy: Taxonomy, inline: str) -> dict[str, bytes]:
    """Every file of the Inline XBRL document set, by name."""
    return {f"{document_name(release)}.htm": inline.encode("utf-8")}
