"""What a draft shows that a final release never does (a placeholder's marker, in words; prose carried as it
was from the previous release, marked for a reviewer), and the mark of a restated comparative."""
from __future__ import annotations

from markupsafe import Markup

from ..facts.taxonomy import describe

# What a derived figure's placeholder marker calls it ("[TODO % change (Q3-2024 vs Q3-2023), waits for: ...]").
DERIVED_HELPERS = {"change": "% change", "share": "share of the total", "total": "sum", "translate": "US$ translation",
                   "per_ads": "per ADS (2 shares)"}


def marker_text(helper: str, args, missing, release, taxonomy) -> str:
    """A placeholder's marker in words: the fact's label, members, unit and period; a derived figure's
    names its derivation, its periods and the facts it waits for."""
    words = "; ".join(describe(f.key, taxonomy) for f in missing)
    if helper not in DERIVED_HELPERS:
        return f"[TODO: {words}]"
    periods = [str(a) for a in args[1:] if isinstance(a, str) and (a in release.periods or a[:1].isdigit())]
    named = " vs ".join(periods)
    return f"[TODO {DERIVED_HELPERS[helper]}{' (' + named + ')' if named else ''}, waits for: {words}]"


def carried_block(origin: str, kind: str, where: str, body: str) -> Markup:
    """Prose carried as it was (a quote, a one-off section), shown marked in a draft for a reviewer to
    confirm (delete the call) or rewrite; the strict check lists every one (facts/carried.py)."""
    return Markup('<div class="carried" data-carried="{}" data-kind="{}" data-source="{}">'
                  '<p class="carried-flag">Carried as it was from the previous release ({}): confirm or '
                  'rewrite</p>{}</div>').format(origin, kind, where, kind, Markup(body))


def restated_mark(fact) -> Markup:
    """`` (restated)`` after a comparative the release restated, where the template asks for it with
    ``restated(ref, period)`` (its original value is in the facts and figures.json); nothing otherwise."""
    if fact.restated is None:
        return Markup("")
    return Markup(' <span class="restated" title="{}">(restated)</span>').format(
        f"first published in {fact.restated.first_published}: {fact.restated.reason}")
