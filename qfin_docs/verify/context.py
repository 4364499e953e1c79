"""What the words around a figure in a draft say of it: whether a fact's period is the one its words name
(the periods themselves are read by the period grammar, facts/periods.py), and the direction of a change.

"up 12.2%", "an increase of 12.2%", "a 12.2% increase",
"declined by 9.6%" give the direction of a change; in "RMBx (US$y)", y must translate x.
"""
from __future__ import annotations

import re

from ..facts.derivations import meets
from ..facts.numbers import Printed
from ..model import Fact, Period
from .report import Entry, Report

_UP = ("increase", "increased", "growth", "grew", "rise", "rose", "up", "higher")
_DOWN = ("decrease", "decreased", "decline", "declined", "fall", "fell", "drop", "dropped", "down", "lower")
# How financial writing puts a change: "an increase of 12.2%", "up 12.2%", "grew 12.2%", "declined by 9.6%"
# (before the figure); "a 12.2% increase", "12.2% higher" (after it).
_DIRECTION_BEFORE = re.compile(r"\b(increase|decrease|growth|decline|rise|fall|drop)\s+of\s*$"
                               r"|\b(up|down|increased|decreased|grew|declined|rose|fell|dropped)(?:\s+by)?\s*$")
_DIRECTION_AFTER = re.compile(r"^\s*(increase|decrease|growth|decline|rise|drop|higher|lower)\b")


def direction(before: str, after: str) -> int:
    """+1 for a rise, -1 for a fall, 0 when the words around a percentage name no change."""
    match = _DIRECTION_BEFORE.search(before[-40:]) or _DIRECTION_AFTER.match(after[:30])
    if not match:
        return 0
    word = next(g for g in match.groups() if g)
    return 1 if word in _UP else -1


def period_fits(period: Period, expected: Period) -> bool:
    """Whether a fact's period is the one expected, or a balance at its end."""
    if period == expected or period.end == expected.end and (expected.is_instant or period.is_instant):
        return True
    return False


def stale(engine, facts: list[Fact], expected: Period | None) -> tuple[str, Fact | None]:
    """When every fact a figure equals is of another period than the one the text is about, while each of
    those items has a fact for that period: what the mistake is, and the fact of that period it names (the
    value expected); ("", None) when there is none."""
    if expected is None or not facts or any(period_fits(f.period, expected) for f in facts):
        return "", None
    mistakes = []
    for fact in facts:
        right = next((f for f in engine.numeric if (f.concept, f.dimensions, f.unit) ==
                      (fact.concept, fact.dimensions, fact.unit) and period_fits(f.period, expected)), None)
        if right is None:
            return "", None     # an item with no fact of that period (a programme's size) may be quoted then
        mistakes.append((f"this is {fact.concept} for {fact.period} ({fact.value:,f}); the text is about "
                         f"{expected}, where the fact is {right.value:,f}", right))
    return mistakes[0]


def check_pairs(engine, paragraph, found, results: dict, tied: dict, report: Report,
                 location: str) -> None:
    """Every "RMBx (US$y)": y must be x translated at the tagged rate, within the rounding of both.  When x
    and y are the RMB and US$ facts of one item and period, the mismatch is in the facts themselves: the
    source's own anomaly, explained in a note."""
    if not engine.rate:
        return
    for index, (first, second) in enumerate(zip(found, found[1:])):
        if not (first.printed and second.printed and first.printed.currency == "CNY"
                and second.printed.currency == "USD" and re.fullmatch(r"\s*\(?\s*",
                                                                        paragraph.text[first.end:second.start])):
            continue
        low, high = first.printed.interval()
        expected = (low / engine.rate, high / engine.rate)
        if meets(second.printed.interval(), expected):
            continue
        middle = first.printed.value / engine.rate
        arithmetic = f"{first.text.strip('()')} / {engine.rate} = US${middle:,.{max(second.printed.decimals, 0) + 2}f}"
        entry = results.get(index + 1)
        rmb, usd = tied.get(index), tied.get(index + 1)
        same_item = rmb is not None and usd is not None and \
            (rmb.concept, rmb.dimensions, rmb.period) == (usd.concept, usd.dimensions, usd.period)
        twin = None if usd is None or same_item else next(
            (f for f in engine.numeric if (f.concept, f.dimensions, f.period) == (usd.concept, usd.dimensions, usd.period)
             and f.unit is not None and f.unit.numerator == "iso4217:CNY"), None)
        if entry is not None and entry.status == "tied" and same_item:
            report.notes.append(f"{location}: {second.text} is a fact of the release, but not {first.text} "
                                f"translated ({arithmetic}): an anomaly of the source ({entry.explanation})")
        elif index in results and not results[index].ok:
            continue            # the RMB figure is already found wrong; its US$ twin is the fact's
        elif twin is not None:
            results[index] = Entry(first.text, location, "inconsistent",
                                   f"{second.text} is {usd.concept} for {usd.period} in US$, but {first.text} is not "
                                   f"its RMB figure ({twin.value:,f}), nor translates to {second.text} at {engine.rate}",
                                   expected=twin.value)
        else:
            results[index + 1] = Entry(second.text, location, "inconsistent",
                                       f"{second.text} is not the translation of {first.text} at {engine.rate}: "
                                       f"expected about {arithmetic}")


def expected(engine, printed: Printed, pool: list[Fact], when, about: Period | None,
             within=None) -> tuple[str, Fact | None]:
    """What the named item's fact is, for the period the words give, when the figure is not it (and, with
    ``within``, only a fact that close to the figure, a share of its value: a misprint, not another item): the
    words, and that fact; ("", None) when there is none."""
    for fact in pool:
        if within is not None and abs(fact.value - printed.value) > within * abs(fact.value):
            continue
        if _unit_fits_prose(fact, printed) and (when(fact.period) if when is not None else
                                                about is not None and period_fits(fact.period, about)):
            return f"the text names {fact.concept} for {fact.period}, where the fact is {fact.value:,f}", fact
    return "", None


def other_period(engine, printed: Printed, facts: list[Fact], about: Period | None) -> str:
    """A figure that is only other periods' facts, in a sentence about a period the release has facts of
    in its unit (a forecast quarter, say) but none that prints as it.  An amount at a date (a programme's
    size, a balance) may be quoted in any later period."""
    if about is None or any(period_fits(f.period, about) or f.period.is_instant for f in facts):
        return ""
    if not any(period_fits(f.period, about) and _unit_fits_prose(f, printed) for f in engine.numeric):
        return ""
    fact = facts[0]
    return f"this is {fact.concept} for {fact.period} ({fact.value:,f}); the text is about {about}, " \
           f"and no fact of that period prints as {printed.value:,f}"


def _unit_fits_prose(fact: Fact, printed: Printed) -> bool:
    return unit_fits(fact, printed, "prose")


def unit_fits(fact: Fact, printed: Printed, where: str) -> bool:
    concept_unit = fact.unit
    if concept_unit is None:
        return False
    currency = concept_unit.numerator.partition(":")[2] if concept_unit.numerator.startswith("iso4217") else None
    if printed.percent:
        return concept_unit.numerator == "xbrli:pure" and fact.decimals is not None and fact.decimals >= 2 \
            and fact.concept.local not in ("ForeignCurrencyExchangeRateTranslation1",)
    if printed.currency:
        return currency == printed.currency
    return currency is None or where == "table"
