"""What the words around a figure in a draft say of it: the period it is of, and the direction of a change.

"in the prior quarter", "in the same period of 2023", "a year ago", "as of June 30, 2023" after a figure name
its period; "the second quarter of 2024" or "as of June 30, 2024" earlier in the sentence, or the heading of
its section, name the period the sentence is about.  "up 12.2%", "an increase of 12.2%", "a 12.2% increase",
"declined by 9.6%" give the direction of a change; in "RMBx (US$y)", y must translate x.
"""
from __future__ import annotations

import datetime as dt
import re

from ..facts.derivations import meets
from ..facts.load import Loaded
from ..facts.numbers import Printed
from ..facts.periods import DAY, read_day
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


_UNIT_WORDS = r"\s*(?:[a-z]+\s+)?"      # "11.00 months in the same period of 2023", "160 partners as of ..."
_FOR_WORDS = r"\s*(?:[A-Za-z]+\s+){0,3}?"    # "US$0.60 per ADS for the first half of 2024"


def period_hint(after: str, loaded: Loaded):
    """What the words after a figure say of its period: "in the prior quarter", "in the same period of 2023"."""
    end = dt.date.fromisoformat(str(loaded.release.meta["document_period_end"]))
    quarter_start = dt.date(end.year, end.month - 2, 1) if end.month > 2 else dt.date(end.year - 1, end.month + 10, 1)
    if re.match(_UNIT_WORDS + r"in the prior quarter", after):
        prior_end = quarter_start - dt.timedelta(days=1)
        prior_start = dt.date(prior_end.year, prior_end.month - 2, 1) if prior_end.month > 2 else \
            dt.date(prior_end.year - 1, prior_end.month + 10, 1)
        return lambda period: period == Period(prior_end, prior_start)
    match = re.match(_UNIT_WORDS + r"in the same period of ([0-9]{4})", after)
    if match:
        year = int(match.group(1))
        return lambda period: period.end.year == year and (period.end.month, period.end.day) == (end.month, end.day)
    if re.match(_UNIT_WORDS + r"a year ago", after):
        return lambda period: period.end == _year_before(end)
    match = re.match(_FOR_WORDS + r"for the first half of ([0-9]{4})", after)
    if match:
        year = int(match.group(1))
        return lambda period: period.end.year == year and not period.is_instant and \
            (period.start.month, period.end.month) == (1, 6)
    match = re.match(_FOR_WORDS + r"(?:for|in) the (first|second|third|fourth) quarter of ([0-9]{4})", after)
    if match:
        quarter = _quarter(_ORDINAL[match.group(1)], int(match.group(2)))
        return lambda period: period == quarter
    match = re.match(_UNIT_WORDS + r"as of (" + DAY + ")", after)
    if match:
        day = read_day(match.group(1))
        return lambda period: day is not None and period.end == day
    return None


_QUARTER = re.compile(r"\b(first|second|third|fourth) quarter(?: of| )?\s*([0-9]{4})?", re.IGNORECASE)
_HALF = re.compile(r"\b(?:first half|six months ended June 30,?) (?:of )?([0-9]{4})\b", re.IGNORECASE)
_AS_OF = re.compile(r"\b[Aa]s of (" + DAY + ")")
_DATE = re.compile(DAY)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def _year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1)


def named_period(text: str, loaded: Loaded) -> Period | None:
    """The period the last phrase of ``text`` names: "second quarter of 2024", "as of June 30, 2024"."""
    end = dt.date.fromisoformat(str(loaded.release.meta["document_period_end"]))
    found = [(m.start(), m) for pattern in (_QUARTER, _AS_OF, _HALF) for m in pattern.finditer(text)]
    if not found:
        return None
    _, match = max(found, key=lambda item: item[0])
    if match.re is _AS_OF:
        day = read_day(match.group(1))
        return Period(day) if day else None
    if match.re is _HALF:
        return Period(dt.date(int(match.group(1)), 6, 30), dt.date(int(match.group(1)), 1, 1))
    year = int(match.group(2)) if match.group(2) else end.year
    return _quarter(_ORDINAL[match.group(1).lower()], year)


_LISTED = re.compile(r"\s*,?\s*and\s+(?:as of\s+)?")


def listed_periods(text: str) -> bool:
    """Whether the last periods ``text`` names are a list ("As of December 31, 2024 and September 30, 2025,
    ... were $X and $Y, respectively"): each figure is then of its own period, not of the last one named."""
    found = sorted((m for pattern in (_QUARTER, _AS_OF, _HALF, _DATE) for m in pattern.finditer(text)),
                   key=lambda m: m.start())
    return any(_LISTED.fullmatch(text[a.end():b.start()]) for a, b in zip(found, found[1:]))


def _quarter(quarter: int, year: int) -> Period:
    start = dt.date(year, quarter * 3 - 2, 1)
    last = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, quarter * 3 + 1, 1) - dt.timedelta(days=1)
    return Period(last, start)


def period_fits(period: Period, expected: Period) -> bool:
    """Whether a fact's period is the one expected, or a balance at its end."""
    if period == expected or period.end == expected.end and (expected.is_instant or period.is_instant):
        return True
    return False


def stale(engine, facts: list[Fact], expected: Period | None) -> str:
    """When every fact a figure equals is of another period than the one the text is about, while each of
    those items has a fact for that period: what the mistake is ("" when there is none)."""
    if expected is None or not facts or any(period_fits(f.period, expected) for f in facts):
        return ""
    mistakes = []
    for fact in facts:
        right = next((f for f in engine.numeric if (f.concept, f.dimensions, f.unit) ==
                      (fact.concept, fact.dimensions, fact.unit) and period_fits(f.period, expected)), None)
        if right is None:
            return ""           # an item with no fact of that period (a programme's size) may be quoted then
        mistakes.append(f"this is {fact.concept} for {fact.period} ({fact.value:,f}); the text is about "
                        f"{expected}, where the fact is {right.value:,f}")
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
                                   f"its RMB figure ({twin.value:,f}), nor translates to {second.text} at {engine.rate}")
        else:
            results[index + 1] = Entry(second.text, location, "inconsistent",
                                       f"{second.text} is not the translation of {first.text} at {engine.rate}: "
                                       f"expected about {arithmetic}")


def expected(engine, printed: Printed, pool: list[Fact], when, about: Period | None, within=None) -> str:
    """What the named item's fact is, for the period the words give, when the figure is not it (and, with
    ``within``, only a fact that close to the figure, a share of its value: a misprint, not another item)."""
    for fact in pool:
        if within is not None and abs(fact.value - printed.value) > within * abs(fact.value):
            continue
        if _unit_fits_prose(fact, printed) and (when(fact.period) if when is not None else
                                                about is not None and period_fits(fact.period, about)):
            return f"the text names {fact.concept} for {fact.period}, where the fact is {fact.value:,f}"
    return ""


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
