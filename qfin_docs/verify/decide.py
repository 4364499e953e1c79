"""The decision of the filing tie-out (the filing policy): a value match is tied only where the words around the
figure name its item, and a figure is reported as another's misstatement only where its words name one item of
a period the text gives, with the value expected.  The release's own drafts keep the release policy (their
labels are exact), and these decisions pass their candidates through unchanged."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from ..facts.derivations import interval, magnitude, meets
from ..facts.numbers import SCALE_NAMES, Printed
from ..model import Fact, Period
from ..facts.periods import listed_periods, named_period, period_hint
from .context import unit_fits
from .expected import unread_period
from .evidence import spoken
from .report import Entry

MISPRINT = Decimal("0.2")      # a figure a fifth or less from the named item's fact may be its misprint
STRONG = 0.75     # the share of an item's label a clause must say to name it, for a figure to be called its misprint


def unique_facts(facts) -> list[Fact]:
    """Facts in their order, each fact (by its key) once."""
    seen, out = set(), []
    for fact in facts:
        if fact.key not in seen:
            seen.add(fact.key)
            out.append(fact)
    return out


def transposed(shown: Printed, value: Decimal) -> bool:
    """Whether a printed figure has the digits of ``value`` (rounded as it is printed) in another order: the
    slip of typing "1,324" for 1,234, however far the two are apart."""
    want = abs(value).quantize(Decimal(1).scaleb(-shown.decimals), rounding=ROUND_HALF_UP)
    printed, wanted = (format(abs(v), "f").replace(".", "").lstrip("0") for v in (shown.value, want))
    return printed != wanted and sorted(printed) == sorted(wanted)


def describe(fact: Fact) -> str:
    dims = "".join(f"[{m.local}]" for _, m in fact.dimensions)
    return f"fact {fact.concept}{dims} {fact.period} {fact.unit} = {fact.value:,f}"


def clause(text: str, start: int, end: int, after: int = 5) -> frozenset[str]:
    """The item words of the clause a figure of ``text`` stands in: from the sentence's start (or the last
    semicolon) to the figure, and the few words after it ("$5.3 billion of stock-based compensation")."""
    begin = max(text.rfind(". ", 0, start), text.rfind("; ", 0, start), 0)
    return spoken(text[begin:start] + " " + " ".join(text[end:].split()[:after]))


def misstated(engine, printed, said: frozenset[str], about: Period | None, facts: list[Fact]) -> Fact | None:
    """The fact a figure should have been, where the evidence is strong: its clause names one item (most of one
    of its labels, by two words or more, and no other item as well), the text gives the period, that item has a
    fact of the period, and the figure is not it (beyond rounding) though near it (0.67 to 1.5 times: a
    misprint, a stale figure; not another item) or is it under another scale word ("million" for "billion").
    None where a fact of the period that the clause names the figure is."""
    if about is None or any(f.period == about and engine.items.score(said, f) for f in facts):
        return None
    scored = sorted(((engine.items.score(said, f), f) for f in engine.numeric
                     if f.period == about and f.value and unit_fits(f, printed, "prose")),
                    key=lambda item: -item[0])
    if not scored or scored[0][0] < STRONG or engine.items.shared(said, scored[0][1]) < 2:
        return None             # a one-word name ("inventory") is too weak to call a figure another's misprint
    best, fact = scored[0]
    if any(score >= best - 0.25 and (other.concept, other.dimensions) != (fact.concept, fact.dimensions)
           for score, other in scored[1:]):
        return None
    ratio = abs(printed.value) / abs(fact.value)
    rescaled = any(meets(magnitude(shown.interval()), magnitude(interval(fact))) for shown in _other_scales(printed))
    if not (rescaled or Decimal("0.67") <= ratio <= Decimal("1.5") or transposed(printed, fact.value)) or \
            meets(magnitude(printed.interval()), magnitude(interval(fact))):
        return None
    return fact


def misstatement(engine, token, said: frozenset[str], about: Period | None, facts: list[Fact],
                 location: str) -> Entry | None:
    """A prose figure reported as its item's misstatement, with the value expected (the filing policy only)."""
    if not engine.policy.evidence_required:
        return None
    fact = misstated(engine, token.printed, said, about, facts)
    return None if fact is None else Entry(
        token.text, location, "inconsistent",
        f"the text names {fact.concept} for {fact.period}, where the fact is {fact.value:,f}", fact=fact,
        expected=fact.value)


def rescaled(engine, token, said: frozenset[str], about: Period | None, when, location: str) -> Entry | None:
    """A prose figure no fact gives that is, under the other scale word ("$555 billion" for "$555 million"), a
    fact of one item its clause names, of the period its text gives: reported with the value expected (the
    filing policy; the evidence a tie needs, and a period)."""
    printed = token.printed
    if not engine.policy.evidence_required or printed.percent or about is None and when is None or \
            not any(word in SCALE_NAMES.values() for word in re.findall("[a-z]+", token.text.lower())):
        return None
    fits = when if when is not None else about.__eq__
    for shown in _other_scales(printed):
        facts = [f for f in engine.facts_matching(shown, "prose", [f for f in engine.numeric if fits(f.period)])
                 if engine.items.score(said, f) > 0]
        if len({(f.concept, f.dimensions) for f in facts}) == 1:
            fact = facts[0]
            return Entry(token.text, location, "inconsistent", f"the text names {fact.concept} for {fact.period}, "
                         f"where the fact is {fact.value:,f}: the figure under another scale word", fact=fact,
                         expected=fact.value)
    return None


def _other_scales(printed: Printed) -> tuple[Printed, Printed]:
    """A figure as it would read under the next scale word up and down ("$555 billion" as $555 million, and
    as $555 trillion)."""
    return tuple(Printed(printed.value.scaleb(s), printed.decimals - s, printed.currency) for s in (3, -3))


def weigh(engine, token, facts: list[Fact], said: frozenset[str], about: Period | None,
          location: str) -> tuple[list[Fact], Entry | None]:
    """A prose figure's candidates best first (of the period the text is about, then by how well its clause
    names their item), and, where the clause names none of them, its entry as a coincidental value (the filing
    policy only: a release's drafts keep the order they are given).  Equals keep the order they come in, the
    filing's (``TieOut.named``), never a set's."""
    if not engine.policy.evidence_required:
        return facts, None
    facts = sorted(facts, key=lambda f: (about is not None and f.period != about, -engine.items.score(said, f)))
    if engine.items.score(said, facts[0]):
        return facts, None
    return facts, Entry(token.text, location, "coincidental",
                        f"equals {describe(facts[0])}, but its sentence does not name that item", fact=facts[0])


def prefer_context(facts: list[Fact], paragraph, section: list[Fact]) -> list[Fact]:
    """Order candidate facts: the concept already tied nearby first, then facts named by the paragraph."""
    nearby = {(f.concept, f.dimensions) for f in paragraph.tied + section}
    words = set(re.sub(r"[^a-z0-9]+", " ", paragraph.text.lower()).split())

    def score(fact: Fact) -> tuple:
        label = set(re.findall(r"[a-z]+", fact.concept.local.lower()))
        return ((fact.concept, fact.dimensions) not in nearby, -len(label & words), fact.decimals or 0)
    return sorted(facts, key=score)


def periods_of(engine, paragraph, found: list, index: int) -> tuple:
    """(a test of the periods a figure's words give it, or None; the period its text is about, or None)."""
    token = found[index]
    listed = engine.period_of(paragraph, found, index)
    when = period_hint(paragraph.text[token.end:token.end + 40], engine.loaded.calendar) if listed is None else \
        listed.__eq__         # "$X and $Y as of A and B": the k-th figure is of the k-th period, not the first
    sentence = paragraph.text[max(paragraph.text.rfind(". ", 0, token.start) + 1, 0):token.start]
    about = listed or (
        None if when is not None or listed_periods(sentence) or unread_period(paragraph.text[token.end:]) else
        named_period(sentence, engine.loaded.calendar) or engine.section_period)
    return when, about


__all__ = ["MISPRINT", "STRONG", "clause", "describe", "misstated", "misstatement", "periods_of", "prefer_context",
           "rescaled", "transposed", "unique_facts", "weigh"]
