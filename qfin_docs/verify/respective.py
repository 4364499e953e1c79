"""Figures of listed periods, each of its own: "Shipping costs were $23.5 billion and $25.3 billion in Q3 2024
and Q3 2025, and $67.3 billion and $71.2 billion for the nine months ended September 30, 2024 and 2025";
"As of December 31, 2024 and September 30, 2025, ... were $101.2 billion and $94.2 billion, respectively".

A list of periods after a run of figures (or before them, with "respectively") gives the k-th figure the k-th
period, when the counts agree.  Periods are snapped to the periods the filing's facts have (a fiscal quarter
that ends on the last Sunday of the month is the quarter the text calls Q3): the nearest, then the one most
facts have, then the one the filing gives first.
"""
from __future__ import annotations

import re
from collections import Counter

from ..facts.periods import period_lists, single_periods
from ..model import Period
from .scan import Token

_END = re.compile(r"[.;](?:\s+(?=[A-Z])|$)")


def respective(text: str, found: list[Token], periods: Counter[Period]) -> dict[int, Period]:
    """The period of each figure (by index in ``found``) that a list of periods in its sentence gives;
    ``periods``: the filing's periods, each with the number of its facts, in the order the facts give them."""
    out: dict[int, Period] = {}
    start = 0
    for end in [m.end() for m in _END.finditer(text)] + [len(text)]:
        lists = period_lists(text, start, end, periods)
        figures = [i for i, t in enumerate(found) if start <= t.start < end and not t.kind and t.printed
                   and not t.printed.percent]
        singles = single_periods(text, start, end, periods)
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


__all__ = ["respective"]
