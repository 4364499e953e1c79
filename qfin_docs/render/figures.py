"""Template helpers: the only way a number reaches the page.

A template never prints a digit of a financial figure itself: it calls one of the
helpers of :class:`Figures` (``money``, ``usd``, ``count``, ``pct``, ``per_share``,
``change``, ``share``, ``total``, ``date``, ``text``, ``cell``).  Each helper looks the
facts up, formats them with explicit rounding, tags them (Inline XBRL mode), and
records a :class:`Figure` saying what the number is: a fact shown at a scale and
precision, or a declared derivation with its formula and inputs.
"""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from markupsafe import Markup, escape

from ..facts.derivations import DERIVATIONS, Shape, change_bounds, stated_fits
from ..model import (CNY, USD, Column, Fact, FactKey, Figure, FigureKind, ItemType, Period, Release,
                    Row, Source, Taxonomy, Unit, unit_of)
from ..facts.numbers import (CURRENCY_MARKS, SCALE_NAMES, SCALE_WORDS, digits, is_negative_when_shown, parse_printed,
                              round_to)
from ..facts.periods import MAX_YEAR, MIN_YEAR, date_text, months_of, parse_period, period_text
from ..facts.taxonomy import also_key, dimensions_for, parse_ref
from .drafting import carried_block, marker_text, restated_mark
from .tracing import template_line


class FigureError(Exception):
    """A template asked for something the facts cannot give (reported with the template line)."""


class MissingFigure(Exception):
    """A figure of a draft whose fact is still a placeholder (its inputs are named)."""

    def __init__(self, facts: list[Fact]):
        super().__init__(", ".join(f"{f.concept} {f.period}" for f in facts))
        self.facts = facts


def context_id(period: Period, dimensions) -> str:
    """A stable XML id for a period and dimension set."""
    base = (f"I{period.end:%Y%m%d}" if period.is_instant else f"D{period.start:%Y%m%d}-{period.end:%Y%m%d}")
    return base + "".join(f"_{member.local}" for _, member in dimensions)


class Figures:
    """The helpers bound to one release and one output mode ("html" or "ixbrl")."""

    def __init__(self, release: Release, taxonomy: Taxonomy, mode: str, untagged: frozenset[FactKey] = frozenset()):
        self.release, self.taxonomy, self.mode = release, taxonomy, mode
        self.untagged = untagged     # facts shown but not tagged (see ixbrl.incomplete_summations)
        self.hidden_ids: dict[FactKey, str] = {}    # hidden facts the text shows (-sec-ix-hidden), by their id
        self.facts: dict[FactKey, Fact] = {f.key: f for f in release.facts}
        self.missing: dict[FactKey, Fact] = {f.key: f for f in release.missing}
        self.records: list[Figure] = []
        self.shown: set[FactKey] = set()
        self.contexts: dict[str, tuple[Period, tuple]] = {}
        self.units: dict[str, Unit] = {}
        stated = release.meta.get("stated", {})
        self.stated = dict(stated) if isinstance(stated, dict) else {}

    # ------------------------------------------------------------------ lookup
    def period(self, name: str) -> Period:
        try:
            return parse_period(name, self.release.periods)
        except ValueError as exc:
            raise FigureError(str(exc)) from None

    def find(self, ref: str, period: str | Period, currency: str | None = None) -> Fact:
        """The fact for ``concept[member]`` at a period; money defaults to RMB."""
        try:
            concept_name, members, _ = parse_ref(ref)
        except ValueError as exc:
            raise FigureError(str(exc)) from None
        concept = self.taxonomy.concepts.get(concept_name)
        if concept is None:
            raise FigureError(f"unknown concept '{concept_name}'")
        dims, errors = dimensions_for(members, self.taxonomy)
        if errors:
            raise FigureError("; ".join(errors))
        when = period if isinstance(period, Period) else self.period(period)
        unit = self._unit(concept.type, currency)
        key = FactKey(concept_name, when, unit, dims)
        fact = self.facts.get(key)
        if fact is None and key in self.missing:
            raise MissingFigure([self.missing[key]])
        if fact is None:
            raise FigureError(f"no fact {ref} for {when}" + (f" in {unit}" if unit else ""))
        return fact

    @staticmethod
    def _unit(kind: ItemType, currency: str | None) -> Unit | None:
        return unit_of(kind, {"CNY": CNY, "USD": USD}[currency or "CNY"])

    def helper(self, name: str):
        """A helper for templates: in a draft, a figure whose fact is a placeholder prints a visible marker
        naming the fact (recorded, so that the check reports it as untied)."""
        function = getattr(self, name)

        def guarded(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except MissingFigure as missing:
                text = "TODO" if name == "cell" else marker_text(name, args, missing.facts, self.release,
                                                                 self.taxonomy)
                fid = self._record(text, FigureKind.PLACEHOLDER, "placeholder", [f.key for f in missing.facts])
                return self._wrap(fid, escape(text), "fig missing")
        guarded.__name__ = name
        return guarded

    # ------------------------------------------------------------------ recording and tagging
    def _record(self, text: str, kind: FigureKind, formula: str, inputs, scale: int = 0, places: int = 0,
                where: str = "prose", value: Decimal | None = None, negated: bool = False, ref: str = "") -> int:
        figure = Figure(len(self.records) + 1, text, kind, formula, tuple(inputs), scale, places, where, value,
                        negated, ref, template_line())
        self.records.append(figure)
        return figure.id

    def _wrap(self, figure_id: int, inner: Markup, css: str = "fig") -> Markup:
        return Markup('<span class="{}" id="fig-{}">{}</span>').format(css, figure_id, inner)

    def _plain(self, text: str, kind: FigureKind, formula: str = "", ref: str = "", inputs=()) -> Markup:
        """A recorded figure that is not tagged (a period, a year, a constant, a label)."""
        return self._wrap(self._record(text, kind, formula, inputs, ref=ref), escape(text), "fig txt")

    def register(self, fact: Fact) -> tuple[str, str | None]:
        cid, uid = context_id(fact.period, fact.dimensions), fact.unit.id if fact.unit is not None else None
        self.contexts[cid] = (fact.period, fact.dimensions)
        if fact.unit is not None:
            self.units[uid] = fact.unit
        return cid, uid

    def _tag_number(self, fact: Fact, shown: str, scale: int, places: int) -> Markup:
        """The digits of a fact as ix:nonFraction (iXBRL mode), its concept's ``also`` fact nested in it (iXBRL 1.1)."""
        tagged = escape(shown)
        for each in (f for f in (self.facts.get(also_key(fact.key, self.taxonomy)), fact) if f is not None):
            self.shown.add(each.key)
            if self.mode != "ixbrl" or each.key in self.untagged:
                continue
            cid, uid = self.register(each)
            zero = round_to(abs(each.value).scaleb(-scale), places) == 0 and shown in ("-", "—")
            attrs = Markup('name="{}" contextRef="{}" unitRef="{}" decimals="{}" scale="{}" format="{}"').format(
                each.concept, cid, uid, places - scale, scale, "ixt:fixed-zero" if zero else "ixt:num-dot-decimal")
            if each.value < 0 and not zero:
                attrs += Markup(' sign="-"')
            tagged = Markup("<ix:nonFraction {}>{}</ix:nonFraction>").format(attrs, tagged)
        return tagged

    def _tag_text(self, fact: Fact, shown: str, date_format: bool = False) -> Markup:
        self.shown.add(fact.key)
        if self.mode != "ixbrl" or fact.key in self.untagged:
            return escape(shown)
        cid, _ = self.register(fact)
        fmt = Markup(' format="ixt:date-monthname-day-year-en"') if date_format else Markup("")
        return Markup('<ix:nonNumeric name="{}" contextRef="{}"{}>{}</ix:nonNumeric>').format(
            fact.concept, cid, fmt, shown)

    # ------------------------------------------------------------------ facts in prose
    def money(self, ref: str, period: str, scale: str = "million", places: int = 1, currency: str = "CNY") -> Markup:
        """``RMB4,160.1 million``; negative as ``RMB-213.3 million``."""
        fact = self.find(ref, period, currency)
        return self._money(fact, SCALE_WORDS[scale], places)

    def usd(self, ref: str, period: str, scale: str = "million", places: int = 1) -> Markup:
        """The US$ figure of an RMB fact: the tagged USD fact if there is one, else a translation."""
        try:
            return self._money(self.find(ref, period, "USD"), SCALE_WORDS[scale], places)
        except FigureError:
            return self.translate(ref, period, scale, places)

    def _money(self, fact: Fact, power: int, places: int) -> Markup:
        assert isinstance(fact.value, Decimal) and fact.unit is not None
        mark = CURRENCY_MARKS[fact.unit.numerator.partition(":")[2]]
        sign = "-" if is_negative_when_shown(fact.value, power, places) else ""
        shown = digits(fact.value, power, places)
        word = f" {SCALE_NAMES[power]}" if power else ""
        text = f"{mark}{sign}{shown}{word}"
        fid = self._record(text, FigureKind.FACT, "fact", [fact.key], power, places)
        inner = Markup("{}{}{}{}").format(mark, sign, self._tag_number(fact, shown, power, places), word)
        return self._wrap(fid, inner)

    def per_share(self, ref: str, period: str, currency: str = "CNY", places: int | None = None) -> Markup:
        """``RMB8.92``, ``US$1.22``."""
        fact = self.find(ref, period, currency)
        return self._money(fact, 0, fact.decimals if places is None else places)

    def count(self, ref: str, period: str, scale: str | None = None, places: int | None = None) -> Markup:
        """``19,112,187``, ``247.6 million``, ``9.97``."""
        fact = self.find(ref, period)
        assert isinstance(fact.value, Decimal)
        power = SCALE_WORDS[scale] if scale else 0
        places = max(fact.decimals + power, 0) if places is None else places
        shown = digits(fact.value, power, places)
        sign = "-" if is_negative_when_shown(fact.value, power, places) else ""
        word = f" {scale}" if scale else ""
        fid = self._record(f"{sign}{shown}{word}", FigureKind.FACT, "fact", [fact.key], power, places)
        return self._wrap(fid, Markup("{}{}{}").format(sign, self._tag_number(fact, shown, power, places), word))

    def pct(self, ref: str, period: str, places: int | None = None) -> Markup:
        """A percentage fact: ``3.40%``."""
        fact = self.find(ref, period)
        assert isinstance(fact.value, Decimal)
        places = max(fact.decimals - 2, 0) if places is None else places
        shown = digits(fact.value, -2, places)
        sign = "-" if is_negative_when_shown(fact.value, -2, places) else ""
        fid = self._record(f"{sign}{shown}%", FigureKind.FACT, "fact", [fact.key], -2, places)
        return self._wrap(fid, Markup("{}{}%").format(sign, self._tag_number(fact, shown, -2, places)))

    def date(self, ref: str, period: str, style: str = "long", also: tuple[str, ...] | list[str] = ()) -> Markup:
        """A date fact: ``September 27, 2024`` (tagged); ``short`` and ``cjk`` styles are shown untagged,
        since no Inline XBRL transformation reads them (the fact then goes to ix:hidden).  ``also`` names other
        facts of the same date that the same words state ("holders of record of shares and ADSs as of <date>,
        respectively"): they are tagged on the same text, nested, instead of going to ix:hidden."""
        fact = self.find(ref, period)
        if not isinstance(fact.value, dt.date):
            raise FigureError(f"{ref} is not a date fact")
        twins = [self.find(other, period) for other in also]
        for other, twin in zip(also, twins):
            if twin.value != fact.value:
                raise FigureError(f"{other} is {twin.value}, not {fact.value}: it cannot be stated by the same date")
        try:
            shown = date_text(fact.value, style)
        except ValueError as exc:
            raise FigureError(str(exc)) from None
        fid = self._record(shown, FigureKind.DATE, style, [fact.key] + [t.key for t in twins])
        if style != "long":
            return self._wrap(fid, escape(shown), "fig txt")
        tagged = self._tag_text(fact, shown, date_format=True)
        for twin in twins:
            tagged = self._tag_text(twin, tagged, date_format=True)
        return self._wrap(fid, tagged, "fig txt")

    def months(self, ref: str, period: str) -> Markup:
        """A duration fact in months, as in "the 12-month program" (P12M).  Shown untagged: the transformation
        that reads "12" as P12M is the SEC's (ixt-sec:durmonth), which core Inline XBRL processors do not know,
        so the fact goes to ix:hidden, and the number points to it by EDGAR's ``-sec-ix-hidden`` (EFM 5.2.5.14)."""
        fact = self.find(ref, period)
        if not isinstance(fact.value, str) or months_of(fact.value) is None:
            raise FigureError(f"{ref} is not a duration fact")
        shown = str(months_of(fact.value))
        fid = self._record(shown, FigureKind.TEXT, "months", [fact.key])
        if self.mode != "ixbrl" or fact.key in self.untagged:
            return self._wrap(fid, escape(shown), "fig txt")
        hidden_id = self.hidden_ids.setdefault(fact.key, f"hidden-{len(self.hidden_ids) + 1}")
        return self._wrap(fid, Markup('<span style="-sec-ix-hidden:{}">{}</span>').format(hidden_id, shown), "fig txt")

    def text(self, ref: str, period: str) -> Markup:
        """A text fact (a name, a ticker, a stock code), tagged as ix:nonNumeric."""
        fact = self.find(ref, period)
        fid = self._record(str(fact.value), FigureKind.TEXT, "text", [fact.key])
        return self._wrap(fid, self._tag_text(fact, str(fact.value)), "fig txt")

    # ------------------------------------------------------------------ declared, non-financial
    def when(self, period: str | Period, style: str = "date") -> Markup:
        """A period of the release in words (see :func:`numbers.period_text`): ``when(Q, "quarter")``."""
        when = period if isinstance(period, Period) else self.period(period)
        try:
            text = period_text(when, style)
        except ValueError as exc:
            raise FigureError(str(exc)) from None
        return self._plain(text, FigureKind.PERIOD, style, str(when))

    def year(self, number: int) -> Markup:
        """A calendar year the prose names that is not a period of the release (``beginning in 2021``)."""
        if not isinstance(number, int) or isinstance(number, bool) or not MIN_YEAR <= number <= MAX_YEAR:
            raise FigureError(f"year() takes a year {MIN_YEAR}-{MAX_YEAR}, not {number!r}")
        return self._plain(str(number), FigureKind.YEAR, "year", str(number))

    def const(self, name: str) -> Markup:
        """A value declared in release.yaml ``constants:`` with its reason (an address, a regulation)."""
        constants = self.release.meta.get("constants") or {}
        if name not in constants:
            raise FigureError(f"no constant '{name}' in release.yaml (constants: {{{name}: {{value: ..., "
                              "reason: ...}}}})")
        return self._plain(str(constants[name]["value"]), FigureKind.CONSTANT, "constant", name)

    def restated(self, ref: str, period: str, currency: str | None = None) -> Markup:
        """`` (restated)`` after a comparative the release restated, where the template chooses to say so
        (nothing for a fact that is not restated)."""
        return restated_mark(self.find(ref, period, currency))

    def carried(self, origin: str, kind: str, caller=None) -> Markup:
        """``{% call carried("qfin-2024q2", "quote") %}...{% endcall %}``: prose carried as it was (see
        :func:`drafting.carried_block`)."""
        if caller is None:
            raise FigureError("carried() wraps prose: {% call carried(\"<release>\", \"<kind>\") %}...{% endcall %}")
        if not self.release.draft:
            raise FigureError(f"{kind} carried from {origin} as it was: confirm it (delete the carried call) "
                              "or rewrite it")
        return carried_block(origin, kind, str(template_line()), caller())

    def meta(self, name: str) -> Markup:
        """A text of release.yaml (``title``, ``running_header``), recorded as declared there."""
        if name not in ("title", "running_header", "company"):
            raise FigureError(f"meta() shows title, running_header or company, not '{name}'")
        return self._plain(str(self.release.meta[name]), FigureKind.CONSTANT, "meta", name)

    def label(self, statement, index: int | None = None, caption: int | None = None) -> Markup:
        """A statement's title, a caption line, or a row's label, from schema/taxonomy.yaml."""
        if index is not None:
            text, ref = statement.rows[index].label, f"{statement.id}#row{index}"
        elif caption is not None:
            text, ref = statement.caption[caption], f"{statement.id}#caption{caption}"
        else:
            text, ref = statement.title, f"{statement.id}#title"
        return self._plain(text, FigureKind.LABEL, "label", ref)

    @staticmethod
    def indent(statement, index: int) -> int:
        """A row's indent: 0 for headings, totals and subtotals; 2 for a subtotal's components; else 1."""
        row, before = statement.rows[index], [r for r in statement.rows[:index] if r.is_heading or r.style]
        return 0 if row.is_heading or row.style else 2 if before and before[-1].style == "subtotal" else 1

    def column_headers(self, table) -> list[list[tuple[Markup, int]]]:
        """Header rows of a table as (text, colspan): period group, year, currency; or date, currency."""
        columns = table.columns
        rows: list[list[tuple[Markup, int]]] = []
        if all(c.period.is_instant for c in columns):
            rows.append([(self.when(c.period, "date"), 1) for c in columns])
        else:
            groups: list[list] = []
            for column in columns:
                text = period_text(column.period, "months-ended")
                if groups and groups[-1][0] == text:
                    groups[-1][2] += 1
                else:
                    groups.append([text, column.period, 1])
            rows.append([(self.when(period, "months-ended"), span) for _, period, span in groups])
            rows.append([(self.when(c.period, "year"), 1) for c in columns])
        rows.append([(Markup("RMB") if c.currency.numerator.endswith("CNY") else Markup("USD"), 1) for c in columns])
        return rows

    # ------------------------------------------------------------------ derived figures
    def _derive(self, name: str, inputs: list[Fact], shape: Shape, value: Decimal | None = None,
                ref: str = "") -> Markup:
        """Compute (or take the stated) value of a derivation, print it as the registry does, record it."""
        derivation = DERIVATIONS[name]
        if value is None:
            value = derivation.value(inputs, self.ads_ratio)
        text = derivation.text(value, inputs, shape)
        fid = self._record(text, FigureKind.DERIVED, name, [f.key for f in inputs], shape.scale, shape.places,
                           value=value, ref=ref or shape.style)
        return self._wrap(fid, escape(text))

    @property
    def ads_ratio(self) -> Decimal:
        return Decimal(str(self.taxonomy.relations.ads_ratio))

    def _stated(self, name: str, low: Decimal, high: Decimal, places: int) -> Decimal:
        """A release may state a derived figure computed from unrounded data; it must fit the interval."""
        if name not in self.stated:
            raise FigureError(f"no stated figure '{name}' in release.yaml")
        printed = parse_printed(str(self.stated[name]))
        if printed is None or not printed.percent:
            raise FigureError(f"stated figure '{name}' is not a percentage")
        if not stated_fits(printed.value, low, high, places):
            raise FigureError(f"stated figure '{name}' = {self.stated[name]} is outside what the facts allow "
                              f"({low * 100:.3f}% to {high * 100:.3f}%)")
        return printed.value

    def change(self, ref: str, now: str, then: str, places: int = 1, article: bool = True,
               stated: str | None = None) -> Markup:
        """``an increase of 12.2%`` / ``a decrease of 23.2%`` from ``then`` to ``now``."""
        new, old = self.find(ref, now), self.find(ref, then)
        bounds = change_bounds(new, old)
        if bounds is None:
            raise FigureError(f"{ref} at {then} may be zero: no change can be computed")
        value = self._stated(stated, *bounds, places) if stated else None
        shape = Shape(-2, places, "article" if article else "")
        return self._derive("change", [new, old], shape, value, ref=shape.style + (f";stated:{stated}" if stated else ""))

    def share(self, part: str, whole: str, period: str, places: int = 1) -> Markup:
        """``64.9%``: a part as a percentage of a whole at one period."""
        return self._derive("share", [self.find(part, period), self.find(whole, period)], Shape(-2, places))

    def total(self, refs: list[str], period: str, scale: str = "billion", places: int = 2) -> Markup:
        """``RMB8.49 billion``: the sum of several RMB facts."""
        return self._derive("sum", [self.find(r, period) for r in refs], Shape(SCALE_WORDS[scale], places))

    def translate(self, ref: str, period: str, scale: str = "million", places: int = 1) -> Markup:
        """``US$…``: an RMB fact at the release's exchange rate (for figures with no USD fact)."""
        inputs = [self.find(ref, period), self.exchange_rate()]
        return self._derive("translate", inputs, Shape(SCALE_WORDS[scale], places))

    def per_ads(self, ref: str, period: str, currency: str = "CNY") -> Markup:
        """A per-ADS amount from a per-share fact: the ADS ratio times it (``RMB9.08`` from 4.54)."""
        fact = self.find(ref, period, currency)
        return self._derive("per-ads", [fact], Shape(0, fact.decimals or 0))

    def exchange_rate(self) -> Fact:
        concept = self.release.exchange_rate
        spec = self.release.meta["exchange_rate"]
        return self.find(str(concept), str(spec["period"]))  # type: ignore[index]

    def rate(self) -> Markup:
        """The exchange rate as printed: ``RMB7.2672 to US$1.00``."""
        fact = self.exchange_rate()
        assert isinstance(fact.value, Decimal)
        places = fact.decimals or 0
        shown = digits(fact.value, 0, places)
        fid = self._record(f"RMB{shown} to US$1.00", FigureKind.FACT, "rate", [fact.key], 0, places)
        return self._wrap(fid, Markup("RMB{} to US$1.00").format(self._tag_number(fact, shown, 0, places)))

    # ------------------------------------------------------------------ tables
    def cell(self, row: Row, column: Column, scale: int) -> Markup:
        """One table cell: thousands for money, ``(1,234)`` for negatives, ``-`` for zero, blank if no fact."""
        assert row.concept is not None
        concept = self.taxonomy.concepts[row.concept]
        if not row.convenience and column.currency != CNY:
            return Markup("")
        period = column.period
        if concept.period_type == "instant" and not period.is_instant:
            period = Period(period.start - dt.timedelta(days=1)) if row.at == "start" else Period(period.end)
        unit = self._unit(concept.type, column.currency.numerator.partition(":")[2])
        key = FactKey(row.concept, period, unit, row.dimensions)
        fact = self.facts.get(key)
        if fact is None and key in self.missing:
            raise MissingFigure([self.missing[key]])
        if fact is None:
            raise FigureError(f"no fact {row.concept}{''.join(f'[{m}]' for _, m in row.dimensions)} "
                              f"for {period} in {unit} (table row '{row.label}')")
        assert isinstance(fact.value, Decimal)
        power = scale if concept.type is ItemType.MONETARY else (-2 if concept.type is ItemType.PERCENT else 0)
        places = max(fact.decimals + power, 0) if fact.decimals is not None else 0
        shown_value = -fact.value if row.negated else fact.value
        if round_to(abs(fact.value).scaleb(-power), places) == 0:
            text, shown = "-", "-"
        else:
            shown = digits(fact.value, power, places)
            text = shown + ("%" if concept.type is ItemType.PERCENT else "")
            if shown_value < 0:
                text = f"({text})"
        fid = self._record(text, FigureKind.FACT, "fact", [fact.key], power, places, "table", negated=row.negated)
        tagged = self._tag_number(fact, shown, power, places)
        if concept.type is ItemType.PERCENT:
            tagged = Markup("{}%").format(tagged)
        if shown_value < 0 and text != "-":
            tagged = Markup("({})").format(tagged)
        css = "fig neg" if shown_value < 0 and text != "-" else "fig"
        return Markup('<span class="{}" id="fig-{}">{}</span>').format(css, fid, tagged)
