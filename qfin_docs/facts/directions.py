"""Direction words of a paragraph ("The year-over-year and sequential decreases were ..."), checked against
the paragraph's own figures: the build check reports them, the review page marks them with their result."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..model import Fact

DIRECTION = re.compile(r"\b(year-over-year|sequential)(?: and (sequential))? (increases?|decreases?|declines?|growth)\b")


@dataclass(frozen=True)
class DirectionCheck:
    """One comparison a direction word makes, and whether the figures agree."""

    match: int              # which direction phrase of the paragraph (0, 1, ...)
    word: str               # "increases", "decreases", ...
    comparison: str         # "year-over-year" or "sequential"
    status: str             # "derived" (agrees) or "inconsistent"
    explanation: str


def check_directions(text: str, facts: list[Fact]) -> list[DirectionCheck]:
    """The direction phrases of ``text`` checked against its RMB facts in order of appearance (the first is
    the paragraph's current figure; the others give the same item a year ago and in the prior period)."""
    matches = list(DIRECTION.finditer(text))
    facts = [f for f in facts if f.unit is not None and f.unit.numerator == "iso4217:CNY"]
    if not matches or len(facts) < 2:
        return []
    current = facts[0]
    by_period = {f.period: f for f in facts if (f.concept, f.dimensions) == (current.concept, current.dimensions)}
    year_ago = next((f for p, f in by_period.items() if p.end.year == current.period.end.year - 1), None)
    prior = next((f for p, f in by_period.items() if p.start and current.period.start
                  and p.end == current.period.start - dt.timedelta(days=1)), None)
    checks = []
    for number, match in enumerate(matches):
        word = match.group(3)
        sign = 1 if word.startswith(("increase", "growth")) else -1
        for comparison in filter(None, (match.group(1), match.group(2))):
            other = year_ago if comparison == "year-over-year" else prior
            if other is None:
                continue
            actual = 1 if current.value > other.value else -1
            checks.append(DirectionCheck(
                number, word, comparison, "derived" if actual == sign else "inconsistent",
                f"{comparison} {'rise' if actual > 0 else 'fall'}: {current.concept.local} "
                f"{current.value:,f} vs {other.value:,f}"))
    return checks


__all__ = ["DIRECTION", "DirectionCheck", "check_directions"]
