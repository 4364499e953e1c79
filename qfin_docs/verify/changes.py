"""The derivations a filing's prose needs beyond the library's (``TieOut.derivations``), applied where the policy
says so (``Policy.prose_changes``): a year-over-year change of an item its sentence names ("Gaming revenue ...
was up 9% from a year ago"), in percent or in points of a margin; a per-share amount ("$0.65 per diluted
share"); and a figure near the fact of the one item its sentence names, for the period it gives, as that
fact's misprint.

A filing's labels are made from concept names, so an item is named here by two words of its concept and member
names (or by its head word), not by an exact label.  ``may_claim`` reads a sentence the same way.
"""
from __future__ import annotations

import functools
import itertools
import re
from decimal import Decimal

from ..facts.derivations import add, change_bounds, difference_bounds, divide, interval, magnitude, meets, share_bounds
from ..facts.numbers import Printed
from ..model import Fact, Period
from .context import direction, period_fits, unit_fits
from .evidence import no_item, stem
from .filing import words
from .report import Explained
from .subjects import norm

_PER_SHARE = re.compile(r"\s*per\s(?:basic\s|diluted\s)?(?:common\s|ordinary\s)?share\b", re.IGNORECASE)
_POINTS = re.compile(r"\s*(?:(basis points|bps)|percentage points)\b")
_VERBS = re.compile(r"\b(increased|decreased|grew|declined|rose|fell)\b", re.IGNORECASE)
_UP = ("increased", "grew", "rose")


def prose_changes(engine, printed: Printed, before: str, after: str, found: list[Explained]) -> list[Explained]:
    """The explanations of a figure of a filing's prose, given those the library ``found``: a per-share amount
    where it found none; a misprint where it found none and the words give no direction; a year-over-year
    change where they give one ("increased 11% in Q3 2025, and 10% for the nine months")."""
    sentence = before[max(before.rfind(". "), 0):]
    verbs = _VERBS.findall(sentence)
    sign = direction(before, after) or (0 if not verbs else 1 if verbs[-1].lower() in _UP else -1)
    if not found and printed.currency and _PER_SHARE.match(after):
        found = per_share(engine, printed, before, after, "diluted" in after[:30].lower())
    if not found and not sign and not printed.percent:
        return misprint(engine, printed, before, after)
    if found or not sign:
        return found
    points = _POINTS.match(after)
    if points:
        return year_over_year(engine, printed, before, after, sign, points=4 if points.group(1) else 2)
    return year_over_year(engine, printed, before, after, sign) if printed.percent else []


def year_over_year(engine, printed: Printed, before: str, after: str, sign: int, points: int = 0) -> list[Explained]:
    """ "Gaming revenue for fiscal year 2025 was up 9% from a year ago": the change from the same period a
    year before, of an item the sentence names by at least two words of its concept and members; with
    ``points`` (4: "gross margin decreased 120 basis points"; 2: percentage points), the change of a ratio
    fact, or of the item's share of revenue (a margin)."""
    want = printed.interval() if not points else \
        Printed(printed.value.scaleb(-points), printed.decimals + points).interval()
    want = want if sign > 0 else (-want[1], -want[0])
    found = []
    for (concept, dims), facts in named_by(engine, before, after):
        for new, old in itertools.permutations(facts, 2):
            if new.unit != old.unit or new.period.is_instant or old.period.is_instant or \
                    abs((new.period.end - old.period.end).days - 365) > 3 or \
                    abs((new.period.start - old.period.start).days - 365) > 3:
                continue
            for bounds in ([change_bounds(new, old)] if not points else point_changes(engine, new, old)):
                if bounds is not None and meets(want, bounds):
                    found.append(Explained(f"{'change' if not points else 'change in points of'} {concept.local}"
                                           f"{''.join(f'[{m.local}]' for _, m in dims)} {old.period} -> "
                                           f"{new.period} in [{bounds[0]:.3%}, {bounds[1]:.3%}]"))
    return found


def per_share(engine, printed: Printed, before: str, after: str, diluted: bool) -> list[Explained]:
    """ "$0.65 per diluted share": an amount the sentence names (or net income) over the weighted average
    number of shares of its period (diluted or basic, as the words say)."""
    items = {concept for (concept, _), _ in named_by(engine, before, after)}
    out = []
    for shares in engine.numeric:
        if shares.unit is None or shares.unit.numerator != "xbrli:shares" or shares.dimensions or \
                "WeightedAverage" not in shares.concept.local or ("Diluted" in shares.concept.local) != diluted:
            continue
        for amount in engine.numeric:
            if amount.period != shares.period or amount.dimensions or amount.unit is None or \
                    amount.unit.numerator != f"iso4217:{printed.currency}" or amount.unit.denominator or \
                    (amount.concept not in items and amount.concept.local != "NetIncomeLoss"):
                continue
            ratio = divide(interval(amount), interval(shares))
            if ratio is not None and meets(magnitude(printed.interval()), magnitude(ratio)):
                out.append(Explained(f"per share: {amount.concept.local} / {shares.concept.local} for "
                                     f"{amount.period} in [{ratio[0]:.4f}, {ratio[1]:.4f}]"))
    return out


def misprint(engine, printed: Printed, before: str, after: str) -> list[Explained]:
    """A figure close to (within a fifth of) the fact of the one item its sentence names by its head word and
    another, for the period the sentence gives, but not that fact: "Interest expense was $603 million and
    $540 million during Q3 2024 and Q3 2025", where Q3 2025's is $538 million."""
    about = engine.figures_about.get(len(before))
    if about is None or printed.value == 0:
        return []
    head_words = stems(norm(before[max(before.rfind(". "), 0):]))        # named before the figure
    named = [f for (concept, dims), facts in named_by(engine, before, after)
             if item_head(concept.local)[0] in head_words
             for f in facts if f.dimensions == dims and f.period.is_instant == about.is_instant  # a flow is no
             and period_fits(f.period, about) and unit_fits(f, printed, "prose") and f.value != 0]     # balance
    # one item named, or the figure may be their sum ("proceeds from short-term debt, and long-term debt")
    if len({(f.concept, f.dimensions) for f in named}) != 1:
        return []
    near = [f for f in named if Decimal("0.8") <= abs(printed.value / f.value) <= Decimal("1.25")]
    if not near:
        return []
    fact = near[0]
    return [Explained(f"the text names {fact.concept} for {fact.period}, where the fact is {fact.value:,f} "
                      f"(the one item of that period the sentence names, and a fifth or less from the figure)",
                      consistent=False, expected=fact.value)]


def named_by(engine, before: str, after: str):
    """The (concept, dimensions) items the figure's sentence names by two words of their names."""
    start, end = max(before.rfind(". "), 0), after.find(". ")
    sentence = stems(norm(before[start:] + " " + (after if end < 0 else after[:end])))
    for (concept, dims), facts in engine.by_name.items():
        names = _item_words(concept, dims)
        if len(names & sentence) >= min(2, len(names)) > 0 or "margin" in sentence and "profit" in names:
            yield (concept, dims), facts


def point_changes(engine, new: Fact, old: Fact) -> list:
    """The change of a ratio fact, or of a monetary item's share of the revenue of its period."""
    if new.unit is not None and new.unit.numerator == "xbrli:pure":
        return [difference_bounds(new, old)]
    out = []
    for whole_new in engine.revenues.get(new.period, []):
        for whole_old in engine.revenues.get(old.period, []):
            if whole_new.concept == whole_old.concept and whole_new.unit == new.unit:
                a, b = share_bounds(new, whole_new), share_bounds(old, whole_old)
                if a is not None and b is not None:
                    out.append(add(a, b, -1))
    return out


def may_claim(facts: list[Fact], about: Period, text: str) -> bool:
    """Whether a figure equal to ``facts`` may be called another period's figure: only of an item the text
    names (by two words of its concept's name, or its head word), of a period like the one it is about."""
    said = stems(norm(text))
    return any(_alike(f.period, about) and (len(named & said) >= min(2, len(named)) > 0 or head in said)
               for f in facts for head, named in [item_head(f.concept.local)])


def stems(text: str) -> set[str]:
    """The stems of a normalised text's words, less those that name no item."""
    return {stem(w) for w in text.split()} - no_item()


@functools.lru_cache(maxsize=None)
def _item_words(concept, dims: tuple) -> frozenset[str]:
    """The stems of an item's concept and member names, once per item."""
    return frozenset(stems(words(concept.local + "".join(m.local for _, m in dims))))


@functools.lru_cache(maxsize=None)
def item_head(local: str) -> tuple[str, frozenset[str]]:
    """A concept name's first word (its head: "Revenue...", "Inventory...") and all its words, as stems."""
    named = [stem(w) for w in words(local).split()]
    first = next((w for w in named if w not in no_item()), "")
    return first, frozenset(named) - no_item()


def _alike(period: Period, other: Period) -> bool:
    """Periods of one kind and length (a quarter and a quarter; an instant and an instant)."""
    if period.is_instant or other.is_instant:
        return period.is_instant and other.is_instant
    return abs((period.end - period.start).days - (other.end - other.start).days) <= 5


__all__ = ["may_claim", "misprint", "named_by", "per_share", "point_changes", "prose_changes", "year_over_year"]
