"""Figures of listed periods, each of its own: "Shipping costs were $23.5 billion and $25.3 billion in Q3 2024
and Q3 2025, and $67.3 billion and $71.2 billion for the nine months ended September 30, 2024 and 2025";
"As of December 31, 2024 and September 30, 2025, ... were $101.2 billion and $94.2 billion, respectively".

A list of periods after a run of figures (or before them, with "respectively") gives the k-th figure the k-th
period, when the counts agree.  Periods are snapped to the periods the filing's facts have (a fiscal quarter
that ends on the last Sunday of the month is the quarter the text calls Q3): the nearest, then the one most
facts have, then the one the filing gives first.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from ..model import Period
from ..facts.periods import DAY, MONTH, length_words, read_day
from .scan import Token

_DAY = DAY.replace(" ", r"\s")
_LISTS = [
    ("quarters", re.compile(r"\bQ([1-4])\s([0-9]{4})(?:,?\s(?:and\s)?Q([1-4])\s([0-9]{4}))+")),
    ("months", re.compile(r"\b(three|six|nine|twelve)\smonths\sended\s(" + MONTH + r"\s[0-9]{1,2}),\s([0-9]{4})"
                          r"(?:,\s([0-9]{4}))?,?\sand\s([0-9]{4})", re.IGNORECASE)),
    ("days", re.compile(r"\b(" + _DAY + r")(?:,\s(" + _DAY + r"))?,?\sand\s(" + _DAY + r")")),
    ("fiscal years", re.compile(r"\bfiscal\syears\s([0-9]{4}),\s([0-9]{4})(?:,\s([0-9]{4}))?,?\sand\s([0-9]{4})"
                                r"|\bfiscal\syears\s([0-9]{4})\sand\s([0-9]{4})")),
]
_SINGLES = [
    ("quarter", re.compile(r"\bQ([1-4])\s([0-9]{4})\b(?!,?\s(?:and\s)?Q[1-4])")),
    ("fiscal year", re.compile(r"\bfiscal\syear\s([0-9]{4})\b(?!\s(?:and|,))")),
    ("months", re.compile(r"\b(three|six|nine|twelve)\smonths\sended\s(" + MONTH + r"\s[0-9]{1,2}),\s([0-9]{4})\b"
                          r"(?!,?\s(?:and\s)?[0-9]{4})", re.IGNORECASE)),
]
_END = re.compile(r"[.;](?:\s+(?=[A-Z])|$)")


def respective(text: str, found: list[Token], periods: Counter[Period]) -> dict[int, Period]:
    """The period of each figure (by index in ``found``) that a list of periods in its sentence gives;
    ``periods``: the filing's periods, each with the number of its facts, in the order the facts give them."""
    out: dict[int, Period] = {}
    start = 0
    for end in [m.end() for m in _END.finditer(text)] + [len(text)]:
        lists = sorted(((m.start(), m.end(), _periods(kind, m, periods)) for kind, pattern in _LISTS
                        for m in pattern.finditer(text, start, end)), key=lambda item: item[0])
        figures = [i for i, t in enumerate(found) if start <= t.start < end and not t.kind and t.printed
                   and not t.printed.percent]
        singles = [(m.start(), m.end(), _single(kind, m, periods)) for kind, pattern in _SINGLES
                   for m in pattern.finditer(text, start, end)]
        for i in figures:             # "Revenue for fiscal year 2025 was $130.5 billion", "... in Q3 2025"
            after = [p for low, _, p in singles if found[i].end <= low <= found[i].end + 12]
            before = [p for _, high, p in sorted(singles) if high <= found[i].start]
            if after or before and not any(low < found[i].start for low, _, _ in lists):
                out[i] = (after or before)[-1] if not after else after[0]
        previous = start
        for low, high, listed in lists:
            before = [i for i in figures if previous <= found[i].start < low]
            if listed and len(before) == len(listed):
                out.update(zip(before, listed))
            elif listed and not before and "respectively" in text[high:end]:
                after = [i for i in figures if found[i].start >= high]
                if len(after) == len(listed):
                    out.update(zip(after, listed))
            previous = high
        start = end
    return out


def _periods(kind: str, match: re.Match, periods: Counter[Period]) -> list[Period]:
    groups = [g for g in match.groups() if g]
    if kind == "quarters":
        quarters = re.findall(r"Q([1-4])\s([0-9]{4})", match.group())
        return [_snap(_quarter_end(int(q), int(y)), 3, periods) for q, y in quarters]
    if kind == "months":
        months, day = length_words()[groups[0].lower()], groups[1]
        return [_snap(_day(f"{day}, {year}"), months, periods) for year in groups[2:]]
    if kind == "days":
        return [Period(_day(text)) for text in groups]
    return [_fiscal_year(int(year), periods) for year in groups]


def _single(kind: str, match: re.Match, periods: Counter[Period]) -> Period:
    if kind == "quarter":
        return _snap(_quarter_end(int(match.group(1)), int(match.group(2))), 3, periods)
    if kind == "fiscal year":
        return _fiscal_year(int(match.group(1)), periods)
    return _snap(_day(f"{match.group(2)}, {match.group(3)}"), length_words()[match.group(1).lower()], periods)


def _day(text: str) -> dt.date:
    return read_day(text) or dt.date(1900, 1, 1)


def _quarter_end(quarter: int, year: int) -> dt.date:
    return dt.date(year, 12, 31) if quarter == 4 else dt.date(year, quarter * 3 + 1, 1) - dt.timedelta(days=1)


def _snap(end: dt.date, months: int, periods: Counter[Period]) -> Period:
    """The filing's period of about ``months`` months ending within a week of ``end``: of several, the one
    ending nearest it, then the nearest in length, then the one most facts have (the first the filing gives
    of equals)."""
    near = periods_near(end, months, periods)
    if near:
        return min(near, key=lambda p: (abs((p.end - end).days), abs((p.end - p.start).days - months * 30.4),
                                        -periods[p]))
    start = dt.date(end.year - (1 if end.month <= months else 0), (end.month - months) % 12 + 1, 1)
    return Period(end, start)


def periods_near(end: dt.date, months: int, periods) -> list[Period]:
    """Of ``periods``, those of flows about ``months`` months long that end within a week of ``end`` (a fiscal
    quarter ending on the last Sunday of its month is the quarter a text dates at the month's end)."""
    return [p for p in periods if not p.is_instant and abs((p.end - end).days) <= 7 and
            abs((p.end - p.start).days - months * 30.4) <= 12]


def _fiscal_year(year: int, periods: Counter[Period]) -> Period:
    """A fiscal year: the filing's period of about a year that ends in ``year`` (or just into it); of several,
    the one most facts have (the first the filing gives of equals)."""
    spans = [p for p in periods if not p.is_instant and 350 <= (p.end - p.start).days <= 380
             and p.end.year == year]
    return max(spans, key=lambda p: periods[p]) if spans else \
        Period(dt.date(year, 12, 31), dt.date(year, 1, 1))


__all__ = ["periods_near", "respective"]
