"""What a wrong figure of a draft should have been: the one fact of the item and period its words name (which
then stands in for it, so that one mistake is one finding), that fact in words with its value, the % change a
sentence's figures give; and whether the words after a figure begin a period the text then cuts off."""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from ..facts.derivations import interval, meets

from ..facts.taxonomy import describe as describe_fact
from ..model import CNY, USD, Fact, Period
from ..facts.numbers import Printed
from .context import direction, other_period, stale, unit_fits
from .drafts import Paragraph
from .report import Entry


def meant_fact(engine, printed: Printed, pool, when, about: Period | None) -> Fact | None:
    """The one fact of the named item for the period the words give (what a wrong figure should have been)."""
    if not pool:
        return None
    found = [f for f in pool if unit_fits(f, printed, "prose") and
             (when(f.period) if when is not None else about is not None and f.period == about)]
    found.sort(key=lambda f: len(f.dimensions))        # the item itself before its parts
    return found[0] if found and (len(found) == 1 or len(found[0].dimensions) < len(found[1].dimensions)) else None


def expected_words(engine, fact: Fact | None, text: str) -> str:
    """"; expected RMB84,609 million, Total facilitation ..., Ongoing services, RMB, Q2 2025 (qfin:...)"."""
    if fact is None:
        return ""
    return f"; expected {shown_like(fact.value, fact, text)}, {describe_fact(fact.key, engine.loaded.taxonomy)} " \
           f"({fact.concept})"


def shown_like(value: Decimal, fact: Fact, text: str) -> str:
    """A value written as the figure it replaces is written: its currency mark, scale word and places."""
    word = next((w for w in ("billion", "million", "thousand") if w in text), "")
    power = {"billion": 9, "million": 6, "thousand": 3}.get(word, 0)
    number = re.search(r"[0-9][0-9,]*(?:\.([0-9]+))?", text)
    places = len(number.group(1) or "") if number else 0
    mark = "RMB" if fact.unit == CNY else "US$" if fact.unit == USD else ""
    shown = value.scaleb(-power).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    return f"{mark}{shown:,f}{' ' + word if word else ''}"


def stand_in(fact: Fact | None, index: int, tied: dict, paragraph: Paragraph) -> None:
    """The fact a reported figure should have been stands in for it, so that the changes and shares around
    it are still checked (one mistake is one finding)."""
    if fact is not None:
        tied[index] = fact
        paragraph.tied.append(fact)


def expected_change(engine, text: str, found: list, index: int, tied: dict) -> str:
    """A % change between the figures of one item on either side of it ("RMB84,609 million, an increase of
    16.4% from RMB72,864 million") that is not their change: the change they give, as expected value."""
    token = found[index]
    sign = direction(text[:token.start], text[token.end:])
    after = [tied[i] for i in sorted(tied) if i > index]
    if not sign or not after or not after[0].value:
        return ""
    old = after[0]
    before = [tied[i] for i in sorted(tied) if i < index and (tied[i].concept, tied[i].dimensions, tied[i].unit)
              == (old.concept, old.dimensions, old.unit) and tied[i].period != old.period]
    if not before:
        return ""
    new = before[0]         # the item's figure the sentence starts from ("reached X, ... from Y")
    change = (new.value - old.value) / abs(old.value) * 100
    places = max(0, -token.printed.value.as_tuple().exponent - 2) if token.printed.decimals is None else \
        max(0, token.printed.decimals - 2)
    shown = abs(change).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP")
    word = "increase" if change > 0 else "decrease"
    return (f"the % change of {describe_fact(new.key, engine.loaded.taxonomy)} from {old.value:,f} "
            f"({old.period}) is {change:.3f}%: expected an {word} of {shown}%" if word[0] == "i" else
            f"the % change of {describe_fact(new.key, engine.loaded.taxonomy)} from {old.value:,f} "
            f"({old.period}) is {change:.3f}%: expected a {word} of {shown}%")


OWN_PERIOD = re.compile(r"\s*(?:as of|as at|in the|for the)\s*(?:\[GAP\]|\.\.\.|…)?\s*$")


def unread_period(after: str) -> bool:
    """The words after a figure begin its own period, and the text ends before it (an excerpt cut off):
    the period of the sentence is then not the figure's."""
    return bool(OWN_PERIOD.match(after))


def first_published(engine, facts: list[Fact]) -> tuple[str, Fact | None]:
    """When every fact a figure matches is the line a restated fact of the release was first published as
    (e.g. all services' volume, where the release restated it to ongoing services), that mistake, naming
    both; else ""."""
    found = []
    for fact in facts:
        restated = [r for r in engine.numeric if r.restated is not None and r.period == fact.period
                    and r.concept == fact.concept and r.unit == fact.unit and r.dimensions != fact.dimensions
                    and isinstance(r.restated.original, Decimal)
                    and meets(interval(replace(r, value=r.restated.original)), interval(fact))]
        if not restated:
            return "", None
        found.append((fact, restated[0]))
    fact, restated = found[0]
    taxonomy = engine.loaded.taxonomy
    return (f"the first-published figure where the restated one is meant: this is {describe_fact(fact.key, taxonomy)} "
            f"as first published ({restated.restated.first_published}, {fact.value:,f}); expected the restated "
            f"{describe_fact(restated.key, taxonomy)}, {restated.value:,f}: {restated.restated.reason}"), restated

def placeholder_of(engine, subject: set, when, about: Period | None) -> str:
    """In a draft, the placeholder of the item a sentence names for the period its words give, when the
    facts have no value of that item for the period yet."""
    missing = engine.loaded.release.missing
    if not missing or (when is None and about is None):
        return ""
    fits = (lambda p: when(p)) if when is not None else (lambda p: p == about)

    def named(fact: Fact) -> bool:
        return (fact.concept, fact.dimensions) in subject or (fact.concept, ()) in subject

    if any(named(f) and fits(f.period) for f in engine.numeric):
        return ""
    waiting = sorted((f for f in missing if named(f) and fits(f.period)), key=lambda f: len(f.dimensions))
    return f"{describe_fact(waiting[0].key, engine.loaded.taxonomy)} is still TODO in the facts" if waiting \
        else ""                                     # the item itself before its parts


def named_mistake(engine, token, subject: set, mistake: tuple[str, Fact | None], pool, when, about: Period | None,
                  location: str) -> tuple[Entry, Fact | None]:
    """A figure that is not the fact of the item its sentence names: the finding, and the fact meant.
    ``mistake``: the words of the mistake, if known, and the fact they name."""
    names = ", ".join(sorted({str(c) for c, _ in subject}))
    meant = meant_fact(engine, token.printed, pool, when, about) if engine.policy.binding_subjects else None
    words, named = mistake
    right = meant if meant is not None else named
    return Entry(token.text, location, "inconsistent", (words or f"the text names {names} here, but this "
                                                        "figure is another fact's") + expected_words(engine, meant,
                                                                                                      token.text),
                 expected=None if right is None else right.value), meant


def another_line_or_period(engine, token, facts: list[Fact], when, about: Period | None,
                           paragraph: Paragraph, location: str) -> tuple[Entry, Fact | None] | None:
    """A figure that is a fact, but as first published where the release has it restated, or another
    period's: the finding, and the fact meant (None when it is the figure's own)."""
    first, restated = first_published(engine, facts)
    if first:
        return Entry(token.text, location, "restated", first), restated
    printed = token.printed
    mistake, right = ("", None) if when is not None else stale(engine, facts, about)
    mistake = mistake or ("" if when is not None else other_period(engine, printed, facts, about))
    if not mistake or not engine.may_claim(facts, about, paragraph.text):
        return None
    meant = meant_fact(engine, printed, engine.by_name.get((facts[0].concept, facts[0].dimensions)), None,
                       about) if engine.policy.binding_subjects else None   # exact labels name what was meant
    right = meant if meant is not None else right
    return Entry(token.text, location, "inconsistent", mistake + expected_words(engine, meant, token.text),
                 expected=None if right is None else right.value), meant
