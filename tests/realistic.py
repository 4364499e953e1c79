"""Realistic single-change drafts of the reference: the mistakes people make when they write a release by hand.

A mutant generator that changes digits finds what its author thought of; the mistakes that reach a published
release are real figures in the wrong place: last quarter's figure, the six-month figure in a quarter's slot,
the line above, the per-share figure where the ADS figure belongs, an RMB figure marked US$, a US$ figure
translated at another rate, a change computed against the wrong base.  Each draft here makes one such change
to the reference, built from the release's facts (never from the tie-out under test), and knows where it is.

Rewordings are the other half: a release written differently but correctly (billion for million, fewer
places, "approximately", "up 12.2%", clauses in another order, a figure repeated) must not be flagged.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from qfin_docs.model import Fact, Period

KINDS = ("stale period", "six-month as three-month", "wrong line item", "per share as per ADS",
         "basic for diluted", "RMB/US$ swapped", "US$ not the translation", "misround by one unit",
         "transposed digits", "% change against the wrong base")
REWORDINGS = ("billion for million", "fewer places", "approximately", "up/down X%", "reordered clauses",
              "figure repeated")

SCALE = {"thousand": 3, "million": 6, "billion": 9}
# A figure of running text: an optional mark, digits, and a percent sign or a scale word.
FIGURE = re.compile(r"(?<![\w.^{*])(?P<mark>RMB|US\\\$)?(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)"
                    r"(?:(?P<pct>%)|\s(?P<scale>thousand|million|billion)\b)?(?![0-9,]*[0-9]|\.[0-9])")
CELL = re.compile(r"\(?[0-9][0-9,]*(?:\.[0-9]+)?%?\)?")
_UP = re.compile(r"(an increase of|a decrease of|up|down|increased|decreased|grew|declined)(?: by)?\s*$")


@dataclass(frozen=True)
class Slot:
    """A figure of the reference and the one fact it prints."""

    line: int              # 1-based
    start: int             # offset in the line
    end: int
    text: str
    fact: Fact
    table: bool


@dataclass(frozen=True)
class Draft:
    kind: str
    line: int
    before: str            # the figure as published
    after: str             # the figure as changed (both, for a swap: "x|y")
    text: str              # the whole draft


def _places(number: str) -> int:
    return len(number.partition(".")[2])


def _show(value: Decimal, places: int, grouped: bool) -> str:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{places}f}" if grouped else f"{rounded:.{places}f}"


def _unit_mark(fact: Fact) -> str | None:
    numerator = fact.unit.numerator if fact.unit else ""
    return {"iso4217:CNY": "RMB", "iso4217:USD": "US\\$"}.get(numerator, "" if numerator else None)


class Reference:
    """The reference text, its figures and the facts they print."""

    def __init__(self, text: str, loaded):
        self.text = text
        self.lines = text.split("\n")
        self.loaded = loaded
        release = loaded.release
        self.facts = [f for f in release.facts if isinstance(f.value, Decimal)]
        self.end = dt.date.fromisoformat(str(release.meta["document_period_end"]))
        self.rate = next(f.value for f in self.facts if f.concept == release.exchange_rate)
        self.per_ads = {str(k): str(v) for k, v in loaded.taxonomy.relations.per_ads.items()}
        self.slots = self._slots()

    # ------------------------------------------------------------------ printing a fact as a figure prints
    def prose_text(self, match: re.Match, value: Decimal) -> str:
        places = _places(match.group("num"))
        scale = SCALE.get(match.group("scale") or "", 0)
        shown = value * 100 if match.group("pct") else value.scaleb(-scale)
        body = _show(shown, places, "," in match.group("num") or abs(shown) >= 10000)
        return (match.group("mark") or "") + body + (match.group("pct") or "") + \
            (f" {match.group('scale')}" if match.group("scale") else "")

    def cell_text(self, cell: str, value: Decimal, thousands: bool) -> str:
        body = cell.strip("()%")
        shown = value.scaleb(-3) if thousands else value
        text = _show(abs(shown), _places(body), "," in body or abs(shown) >= 1000)
        return f"({text})" if shown < 0 else text

    def _prose_facts(self, match: re.Match) -> list[Fact]:
        mark = match.group("mark") or ""
        out = []
        for fact in self.facts:
            unit_mark = _unit_mark(fact)
            if unit_mark is None or unit_mark != mark:
                continue
            is_pure = fact.unit.numerator == "xbrli:pure"
            if match.group("pct") and (not is_pure or abs(fact.value) > 5):
                continue
            if self.prose_text(match, fact.value) == match.group(0):
                out.append(fact)
        return out

    def _slots(self) -> list[Slot]:
        slots = []
        for number, line in enumerate(self.lines, 1):
            if "\t" in line:
                label, *cells = line.split("\t")
                offset = len(label) + 1
                for cell in cells:
                    value = cell.strip()
                    if CELL.fullmatch(value) and label.strip():
                        facts = self._cell_facts(value)
                        if len(facts) == 1:
                            start = offset + cell.index(value)
                            slots.append(Slot(number, start, start + len(value), value, facts[0], True))
                    offset += len(cell) + 1
                continue
            for match in FIGURE.finditer(line):
                if not (match.group("mark") or match.group("pct") or match.group("scale")):
                    continue
                facts = self._prose_facts(match)
                if len(facts) == 1:
                    slots.append(Slot(number, match.start(), match.end(), match.group(0), facts[0], False))
        return slots

    def _cell_facts(self, cell: str) -> list[Fact]:
        out = []
        for fact in self.facts:
            if _unit_mark(fact) is None:
                continue
            thousands = _unit_mark(fact) in ("RMB", "US\\$") and not (fact.unit.denominator or "")
            if self.cell_text(cell, fact.value, thousands).strip("()") == cell.strip("()%"):
                out.append(fact)
        return out

    def show(self, slot: Slot, value: Decimal) -> str:
        if slot.table:
            thousands = _unit_mark(slot.fact) in ("RMB", "US\\$") and not (slot.fact.unit.denominator or "")
            return self.cell_text(slot.text, value, thousands)
        return self.prose_text(FIGURE.fullmatch(slot.text), value)

    def replace(self, kind: str, slot: Slot, after: str) -> Draft | None:
        if after == slot.text:
            return None
        line = self.lines[slot.line - 1]
        lines = list(self.lines)
        lines[slot.line - 1] = line[:slot.start] + after + line[slot.end:]
        return Draft(kind, slot.line, slot.text, after, "\n".join(lines))

    # ------------------------------------------------------------------ facts related to a slot's fact
    def twin(self, fact: Fact, period: Period | None = None, concept: str | None = None) -> Fact | None:
        for other in self.facts:
            if (str(other.concept) == (concept or str(fact.concept)) and other.dimensions == fact.dimensions
                    and other.unit == fact.unit and other.period == (period or fact.period)):
                return other
        return None

    def current(self, fact: Fact) -> bool:
        return fact.period.end == self.end and (fact.period.is_instant or months(fact.period) == 3)


def months(period: Period) -> int:
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def shift(period: Period, months_back: int) -> Period:
    def back(day: dt.date) -> dt.date:
        index = day.year * 12 + day.month - 1 - months_back
        first_next = dt.date(index // 12 + (index % 12 + 1) // 12, (index % 12 + 1) % 12 + 1, 1)
        return first_next - dt.timedelta(days=1)
    if period.is_instant:
        return Period(back(period.end))
    start_index = period.start.year * 12 + period.start.month - 1 - months_back
    return Period(back(period.end), dt.date(start_index // 12, start_index % 12 + 1, 1))


# ---------------------------------------------------------------------- the mistakes, one generator per kind
def stale_period(ref: Reference, slot: Slot, rng):
    if not ref.current(slot.fact):
        return []
    out = []
    for back in (3, 12) + ((6,) if slot.fact.period.is_instant else ()):
        other = ref.twin(slot.fact, shift(slot.fact.period, back))
        if other is not None:
            out.append(ref.replace("stale period", slot, ref.show(slot, other.value)))
    return out


def six_month(ref: Reference, slot: Slot, rng):
    fact = slot.fact
    if fact.period.is_instant or not ref.current(fact):
        return []
    other = ref.twin(fact, Period(fact.period.end, dt.date(fact.period.end.year, fact.period.end.month - 5, 1)))
    return [ref.replace("six-month as three-month", slot, ref.show(slot, other.value))] if other else []


def wrong_line(ref: Reference, slot: Slot, rng):
    fact = slot.fact
    if fact.value == 0:
        return []
    near = [f for f in ref.facts if f.period == fact.period and f.unit == fact.unit and f.value != 0
            and (f.concept, f.dimensions) != (fact.concept, fact.dimensions)
            and Decimal("0.2") <= abs(f.value / fact.value) <= 5
            and ref.show(slot, f.value) != slot.text and ref.show(slot, f.value).strip("()") != slot.text.strip("()")]
    return [ref.replace("wrong line item", slot, ref.show(slot, rng.choice(near).value))] if near else []


def per_share(ref: Reference, slot: Slot, rng):
    share = ref.per_ads.get(str(slot.fact.concept))
    if not share or not slot.fact.unit.denominator:
        return []
    other = ref.twin(slot.fact, concept=share)
    return [ref.replace("per share as per ADS", slot, ref.show(slot, other.value))] if other else []


def basic(ref: Reference, slot: Slot, rng):
    name = str(slot.fact.concept)
    if "Diluted" not in name:
        return []
    other = ref.twin(slot.fact, concept=name.replace("DilutedShares", "Shares").replace("DilutedAds", "Ads")
                     .replace("Diluted", "Basic") + ("Basic" if "DilutedShares" in name or "DilutedAds" in name else ""))
    return [ref.replace("basic for diluted", slot, ref.show(slot, other.value))] if other else []


def misround(ref: Reference, slot: Slot, rng):
    digits = [i for i, c in enumerate(slot.text) if c.isdigit()]
    i = digits[-1]
    up = str((int(slot.text[i]) + rng.choice((1, 9))) % 10)
    return [ref.replace("misround by one unit", slot, slot.text[:i] + up + slot.text[i + 1:])]


def transposed(ref: Reference, slot: Slot, rng):
    places = [i for i in range(len(slot.text) - 1) if slot.text[i].isdigit() and slot.text[i + 1].isdigit()
              and slot.text[i] != slot.text[i + 1]]
    if not places:
        return []
    i = rng.choice(places)
    return [ref.replace("transposed digits", slot, slot.text[:i] + slot.text[i + 1] + slot.text[i] + slot.text[i + 2:])]


def not_translation(ref: Reference, slot: Slot, rng):
    """A US$ figure translated at another rate (last quarter's, a rounded one) or left untranslated."""
    if _unit_mark(slot.fact) != "US\\$":
        return []
    rmb = next((f for f in ref.facts if (f.concept, f.dimensions, f.period) == (slot.fact.concept, slot.fact.dimensions,
                                                                              slot.fact.period)
                and _unit_mark(f) == "RMB" and (f.unit.denominator or "") == (slot.fact.unit.denominator or "")), None)
    if rmb is None:
        return []
    rate = rng.choice((Decimal("7.1"), Decimal("7.0950"), Decimal("7.3"), Decimal("6.9")))
    return [ref.replace("US$ not the translation", slot, ref.show(slot, rmb.value / rate))]


def swapped(ref: Reference) -> list[Draft]:
    """'RMBx (US$y)' written as 'RMBy (US$x)'."""
    out = []
    for number, line in enumerate(ref.lines, 1):
        for match in re.finditer(r"RMB([0-9][0-9,.]*(?: (?:million|billion))?) \(US\\\$([0-9][0-9,.]*"
                                 r"(?: (?:million|billion))?)\)", line):
            x, y = match.group(1), match.group(2)
            new = f"RMB{y} (US\\${x})"
            lines = list(ref.lines)
            lines[number - 1] = line[:match.start()] + new + line[match.end():]
            out.append(Draft("RMB/US$ swapped", number, f"RMB{x}|US${y}", f"RMB{y}|US${x}", "\n".join(lines)))
    return out


def wrong_base(ref: Reference) -> list[Draft]:
    """A % change computed against another period than the one the sentence compares with."""
    out = []
    by_line: dict[int, list[Slot]] = {}
    for slot in ref.slots:
        if not slot.table:
            by_line.setdefault(slot.line, []).append(slot)
    for number, line in enumerate(ref.lines, 1):
        for match in FIGURE.finditer(line):
            if not match.group("pct") or not _UP.search(line[:match.start()]):
                continue
            new = [s for s in by_line.get(number, ()) if ref.current(s.fact) and s.start < match.start()]
            if not new:
                continue
            fact = new[-1].fact
            old = [s.fact for s in by_line.get(number, ()) if s.start > match.end()
                   and (s.fact.concept, s.fact.dimensions) == (fact.concept, fact.dimensions)]
            # Against another period, another member's base of the compared period, or the new figure itself.
            bases = [f.value for f in ref.facts if (f.concept, f.unit) == (fact.concept, fact.unit) and f.value
                     and f not in old and f != fact
                     and (f.dimensions == fact.dimensions and f.period != fact.period
                          and (f.period.is_instant or months(f.period) == months(fact.period))
                          or any(f.period == o.period and f.dimensions != o.dimensions for o in old))]
            bases += [fact.value * fact.value / o.value for o in old if o.value]     # (new - old) / new
            for base in bases:
                change = abs(fact.value / base - 1)
                after = _show(change * 100, _places(match.group("num")), False) + "%"
                lines = list(ref.lines)
                lines[number - 1] = line[:match.start()] + after + line[match.end():]
                if after != match.group(0):
                    out.append(Draft("% change against the wrong base", number, match.group(0), after,
                                     "\n".join(lines)))
    return out


PER_SLOT = {"stale period": stale_period, "six-month as three-month": six_month, "wrong line item": wrong_line,
            "per share as per ADS": per_share, "basic for diluted": basic, "misround by one unit": misround,
            "transposed digits": transposed, "US$ not the translation": not_translation}


def mistakes(ref: Reference, seed: int = 2024, per_kind: int = 40) -> list[Draft]:
    """Up to ``per_kind`` seeded drafts of each kind, spread over prose and tables."""
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        if kind == "RMB/US$ swapped":
            drafts = swapped(ref)
        elif kind == "% change against the wrong base":
            drafts = wrong_base(ref)
        else:
            drafts = [d for slot in ref.slots for d in PER_SLOT[kind](ref, slot, rng)]
        drafts = [d for d in drafts if d is not None]
        rng.shuffle(drafts)
        prose = [d for d in drafts if "\t" not in ref.lines[d.line - 1]]
        table = [d for d in drafts if "\t" in ref.lines[d.line - 1]]
        chosen = (prose[:per_kind // 2] + table[:per_kind // 2])
        chosen += [d for d in prose[per_kind // 2:] + table[per_kind // 2:]][:per_kind - len(chosen)]
        out += chosen
    return out


# ---------------------------------------------------------------------- rewordings that change nothing
def rewordings(ref: Reference, seed: int = 2024, per_kind: int = 30) -> list[Draft]:
    rng = random.Random(seed)
    groups: dict[str, list[Draft]] = {kind: [] for kind in REWORDINGS}
    for slot in ref.slots:
        if slot.table:
            continue
        match = FIGURE.fullmatch(slot.text)
        value = slot.fact.value
        if match.group("scale") == "million" and abs(value) >= 1_000_000_000:
            after = f"{match.group('mark') or ''}{_show(value.scaleb(-9), 2, False)} billion"
            groups["billion for million"].append(ref.replace("billion for million", slot, after))
        places = _places(match.group("num"))
        if places:
            fewer = _fewer(ref, match, value)
            groups["fewer places"].append(ref.replace("fewer places", slot, fewer))
            line = ref.lines[slot.line - 1]
            if not re.search(r"(approximately|nearly|about|over)\s*$", line[:slot.start]):
                groups["approximately"].append(ref.replace("approximately", slot, "approximately " + fewer))
    for number, line in enumerate(ref.lines, 1):
        if "\t" in line:
            continue
        for old, new in ((r"an increase of ([0-9.]+%)", r"up \1"), (r"a decrease of ([0-9.]+%)", r"down \1"),
                         (r"an increase of ([0-9.]+%)", r"a \1 increase"), (r"a decrease of ([0-9.]+%)", r"a \1 decrease"),
                         (r"an increase of ([0-9.]+%)", r"growth of \1"), (r"a decrease of ([0-9.]+%)", r"a decline of \1")):
            for match in re.finditer(old, line):
                lines = list(ref.lines)
                lines[number - 1] = line[:match.start()] + match.expand(new) + line[match.end():]
                groups["up/down X%"].append(Draft("up/down X%", number, match.group(0), match.expand(new),
                                                  "\n".join(lines)))
        bullet = re.fullmatch(r"- (?P<subject>[A-Z][^,]*?) was (?P<now>RMB.*?), compared to (?P<then>RMB[0-9,.]+"
                              r"(?: million)?) in the same period of (?P<year>[0-9]{4})\.", line)
        if bullet:
            lines = list(ref.lines)
            subject = bullet.group("subject")
            lines[number - 1] = (f"- Compared to {bullet.group('then')} in the same period of {bullet.group('year')}, "
                                 f"{subject[0].lower() + subject[1:] if not subject.startswith('Non') else subject} "
                                 f"was {bullet.group('now')}.")
            groups["reordered clauses"].append(Draft("reordered clauses", number, line, lines[number - 1],
                                                     "\n".join(lines)))
            later = next(i for i in range(len(ref.lines) - 1, 0, -1) if ref.lines[i].startswith("Total net revenue"))
            lines = list(ref.lines)
            lines.insert(later + 1, "")
            lines.insert(later + 2, f"As noted above, {subject[0].lower() + subject[1:] if not subject.startswith('Non') else subject}"
                                    f" was {bullet.group('now').split(' (')[0]} in the second quarter of 2024.")
            groups["figure repeated"].append(Draft("figure repeated", later + 3, "", lines[later + 1],
                                                   "\n".join(lines)))
    out = []
    for kind, drafts in groups.items():
        drafts = [d for d in drafts if d is not None]
        rng.shuffle(drafts)
        out += drafts[:per_kind]
    return out


def _fewer(ref: Reference, match: re.Match, value: Decimal) -> str:
    """The figure with one place fewer, rounded from the fact (as a writer with the ledger would)."""
    num = match.group("num")
    fewer_num = num[:-1].rstrip(".") if _places(num) else num
    template = re.match(FIGURE, (match.group("mark") or "") + fewer_num + (match.group("pct") or "") +
                        (f" {match.group('scale')}" if match.group("scale") else ""))
    return ref.prose_text(template, value)


# ---------------------------------------------------------------------- the same drafts as HTML (and so as PDF)
_STYLE = ("body{font:10pt 'DejaVu Serif',serif;margin:0}table{border-collapse:collapse;width:100%%;margin:6pt 0}"
          "td,th{padding:1pt 3pt;text-align:right;vertical-align:bottom;font-size:8.5pt}"
          "td:first-child{text-align:left;width:%s}tr{break-inside:avoid}@page{size:A4;margin:18mm}")


def as_html(text: str, label_width: str = "38%") -> str:
    """A generated layout of a draft: line N of the text on line N of the HTML (so findings keep their line),
    paragraphs as <p>, bullets as <li>, tab-separated rows as tables with a header; a narrow label column
    wraps long row labels, as a designer's layout might (rows are kept whole across pages, as word processors
    and this project's own PDF keep them)."""
    from html import escape
    out = []
    state = "none"          # none | head | body
    for line in text.split("\n"):
        prefix = ""
        if "\t" in line:
            label, *cells = (escape(c.strip()) for c in line.replace("US\\$", "US$").split("\t"))
            if not label:
                if state != "head":
                    prefix = ("</tbody></table>" if state == "body" else "") + "<table><thead>"
                    state = "head"
                spans = []                  # a group heading spans the empty cells after it
                for c in cells:
                    if c or not spans or not spans[-1][0]:
                        spans.append([c, 1])
                    else:
                        spans[-1][1] += 1
                cols = "".join(f"<th colspan='{n}'>{c}</th>" for c, n in spans)
                out.append(f"{prefix}<tr><th></th>{cols}</tr>")
                continue
            if state == "head":
                prefix = "</thead><tbody>"
            elif state == "none":
                prefix = "<table><thead></thead><tbody>"
            state = "body"
            out.append(f"{prefix}<tr><td>{label}</td>{''.join(f'<td>{c}</td>' for c in cells)}</tr>")
            continue
        if state != "none":
            prefix = ("</thead>" if state == "head" else "</tbody>") + "</table>"
            state = "none"
        body = escape(line.replace("US\\$", "US$").replace("**", ""))
        body = re.sub(r"\^\{\*([0-9]+)\}", r"<sup>\1</sup>", body)
        if not body.strip():
            out.append(prefix)
        elif body.startswith("- "):
            out.append(f"{prefix}<ul><li>{body[2:]}</li></ul>")
        else:
            out.append(f"{prefix}<p>{body}</p>")
    if state != "none":
        out.append(("</thead>" if state == "head" else "</tbody>") + "</table>")
    head = f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{_STYLE % label_width}</style></head><body>"
    return head + "\n".join(out) + "</body></html>\n"
