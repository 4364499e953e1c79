"""Load a release directory (``release.yaml`` and its fact files) into a :class:`Release`.

Every problem found is reported, with its file and line; nothing stops at the first.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from ..model import (BadInput, CNY, CURRENCY_UNITS, FIXED_UNITS, MONTH, PURE, SHARES, Column, Concept, Fact, FactKey,
                    ItemType, Nil, Period, Placeholder, Problem, QName, Release, Restatement, Source, Table, Taxonomy,
                    Unit, shown_path)
from .numbers import decimals_of, parse_printed
from .periods import Calendar, calendar_of, parse_date, parse_period
from .extension import release_taxonomy
from .taxonomy import also_key, dimensions_for, load_taxonomy, parse_ref
from .carried import carried_items, prose_carried, release_quarter
from .yamlio import jail_problem, line_of, read_valid

PLACEHOLDER = "TODO"     # a fact file's value for a figure not known yet
MAX_DIGITS = 20          # significant digits of a value: a trillion RMB to the fen needs 15
MAX_EXPONENT = 20        # values between 1e-20 and 1e20 in magnitude
SCALES = {"units": 0, "thousands": 3, "millions": 6}
UNIT_NAMES = {"CNY": CNY, "USD": Unit("iso4217:USD"), "shares": SHARES, "pure": PURE, "months": MONTH,
              "CNY/shares": Unit("iso4217:CNY", "xbrli:shares"), "USD/shares": Unit("iso4217:USD", "xbrli:shares")}


def load_release(directory: Path, taxonomy: Taxonomy, draft: bool = False) -> tuple[Release | None, list[Problem]]:
    """Load and validate one release.

    Args:
        directory: ``releases/<id>``.
        taxonomy: the concept table.
    Returns:
        ``(release, problems)``; release is None when any problem is an error.
    """
    name = shown_path(directory / "release.yaml")
    problems = [Problem(Source(shown_path(directory / part)), "QF-FILE-OUTSIDE", message)
                for part in ("release.yaml", "prose") for message in [jail_problem(directory, part)] if message]
    if problems:
        return None, problems
    meta, problems = read_valid(directory / "release.yaml", "release.schema.json", name)
    if problems:
        return None, problems
    draft = draft or meta.get("status") == "draft"
    reader = _FactReader(taxonomy, problems)
    periods = reader.periods(meta, name)
    tables: list[Table] = []
    files: list[tuple[object, str]] = []
    for index, relative in enumerate(meta["fact_files"]):
        path = directory / relative
        file_name = shown_path(path)
        outside = jail_problem(directory, relative)
        if outside:
            problems.append(Problem(Source(name, line_of(meta, ["fact_files", index])), "QF-FILE-OUTSIDE", outside))
            continue
        if not path.is_file():
            problems.append(Problem(Source(name, line_of(meta, ["fact_files", index])), "QF-FILE-READ",
                                    f"fact file '{relative}' does not exist"))
            continue
        data, file_problems = read_valid(path, "facts.schema.json", file_name)
        problems.extend(file_problems)
        if not file_problems:
            tables.extend(reader.read_file(data, file_name, periods))
            files.append((data, file_name))
    facts = reader.merged_facts()
    if problems:   # a fact file that failed to load would make every later check a false alarm
        return None, problems
    rate_concept = reader.exchange_rate(meta["exchange_rate"], periods, Source(name, line_of(meta, ["exchange_rate"])))
    if problems:
        return None, problems
    missing = tuple(f for f in facts if f.is_placeholder)
    carried = tuple(carried_items(meta, name, files) + prose_carried(directory / "prose", release_quarter(meta)))
    if (missing or carried) and not draft:       # a final release: nothing unknown, nothing unconfirmed
        return None, [Problem(f.source, "QF-PLACEHOLDER", f"{f.concept}{_dims_text(f)} {f.period}"
                              f"{' ' + str(f.unit) if f.unit else ''} is still TODO "
                              "(a draft, status: draft or --draft, shows a marker instead)") for f in missing] \
            + list(carried)
    facts = tuple(f for f in facts if not f.is_placeholder)
    facts += also_reported(facts, taxonomy)
    return Release(meta["id"], str(directory), dict(meta), periods, facts, tuple(tables), rate_concept, draft,
                   missing, carried), []


def also_reported(facts, taxonomy: Taxonomy) -> tuple[Fact, ...]:
    """The facts a concept's ``also:`` reports: the same value, period, unit, decimals and source, on the
    standard element and the members it names (added to the fact's own dimensions)."""
    keys = {f.key for f in facts}
    out = []
    for fact in facts:
        twin = also_key(fact.key, taxonomy)
        if twin is not None and twin not in keys:
            out.append(replace(fact, concept=twin.concept, dimensions=twin.dimensions))
    return tuple(out)


@dataclass(frozen=True)
class Loaded:
    taxonomy: Taxonomy
    release: Release

    @functools.cached_property
    def calendar(self) -> Calendar:
        """The calendar the release declares: its period end, and its fiscal year's end (facts/periods.py)."""
        return calendar_of(self.release.meta, self.release.facts)

    @functools.cached_property
    def missing_keys(self) -> frozenset:        # the keys of a draft's placeholders
        return frozenset(f.key for f in self.release.missing)


def load(release_dir: Path, draft: bool = False) -> Loaded:
    """Load the concept table and a release; raises BadInput with every problem found.  ``draft`` lets
    placeholders (``TODO``) through; otherwise every one is a problem."""
    if not (release_dir / "release.yaml").is_file():
        raise BadInput([Problem(Source(str(release_dir), 0), "QF-RELEASE", "no release.yaml in this folder")])
    taxonomy, problems = load_taxonomy()
    if taxonomy is None:
        raise BadInput(problems)
    taxonomy, problems = release_taxonomy(release_dir, taxonomy)
    if taxonomy is None:
        raise BadInput(problems)
    release, problems = load_release(release_dir, taxonomy, draft)
    if release is None:
        raise BadInput(problems)
    gc.freeze()     # the fact base lives for the whole run: the collector need not rescan it (at 100x the
    #                 facts, rescanning made every later stage grow faster than the release)
    return Loaded(taxonomy, release)


class _FactReader:
    """Turns fact-file trees into facts, collecting problems."""

    def __init__(self, taxonomy: Taxonomy, problems: list[Problem]):
        self.taxonomy, self.problems = taxonomy, problems
        self.facts: list[Fact] = []

    def error(self, source: Source, code: str, message: str) -> None:
        self.problems.append(Problem(source, code, message))

    def periods(self, meta, name: str) -> dict[str, Period]:
        periods = {}
        for key, text in meta["periods"].items():
            try:
                periods[key] = parse_period(text, {})
            except ValueError as exc:
                self.error(Source(name, line_of(meta, ["periods", key])), "QF-PERIOD", str(exc))
        for key in ("document_period_end", "release_date"):
            try:
                parse_date(meta[key])
            except ValueError:
                self.error(Source(name, line_of(meta, [key])), "QF-DATE", f"'{meta[key]}' is not a valid date")
        return periods

    def exchange_rate(self, spec, periods, source: Source) -> QName | None:
        try:
            concept, _, _ = parse_ref(spec["concept"])
            period = parse_period(spec["period"], periods)
        except ValueError as exc:
            self.error(source, "QF-EXCHANGE-RATE", str(exc))
            return None
        key = FactKey(concept, period, PURE, ())
        if not any(f.key == key for f in self.facts):
            self.error(source, "QF-EXCHANGE-RATE", f"no fact {concept} at {period} holds the exchange rate")
            return None
        return concept

    # ------------------------------------------------------------------ files
    def read_file(self, data, name: str, periods: dict[str, Period]) -> list[Table]:
        tables = [self.table(tid, spec, data, name, periods) for tid, spec in data.get("tables", {}).items()]
        for index, spec in enumerate(data.get("facts", [])):
            self.single_fact(spec, Source(name, line_of(data, ["facts", index])), periods)
        return [t for t in tables if t is not None]

    def concept_and_dims(self, text: str, source: Source):
        try:
            concept_name, members, at = parse_ref(text)
        except ValueError as exc:
            self.error(source, "QF-CONCEPT", str(exc))
            return None
        if concept_name.prefix not in self.taxonomy.namespaces:
            self.error(source, "QF-PREFIX", f"undeclared prefix '{concept_name.prefix}' in '{text}'")
            return None
        concept = self.taxonomy.concepts.get(concept_name)
        if concept is None:
            self.error(source, "QF-UNKNOWN-CONCEPT", f"unknown concept '{concept_name}' (not in schema/taxonomy.yaml)")
            return None
        dims, errors = dimensions_for(members, self.taxonomy)
        for message in errors:
            self.error(source, "QF-UNKNOWN-MEMBER", message)
        return (concept, dims, at) if not errors else None

    def table(self, tid: str, spec, data, name: str, periods) -> Table | None:
        source = Source(name, line_of(data, ["tables", tid]))
        statement = self.taxonomy.statements.get(spec.get("statement", tid))
        if statement is None:
            self.error(source, "QF-STATEMENT", f"no statement '{spec.get('statement', tid)}' in schema/taxonomy.yaml")
            return None
        columns = []
        for index, text in enumerate(spec["columns"]):
            period_text, currency = text.rsplit(" ", 1)
            try:
                columns.append(Column(parse_period(period_text, periods), CURRENCY_UNITS[currency], text))
            except ValueError as exc:
                self.error(Source(name, line_of(data, ["tables", tid, "columns", index])), "QF-PERIOD", str(exc))
        if len(columns) != len(spec["columns"]):
            return None
        scale = SCALES[spec.get("scale", "units")]
        row_keys = {(r.concept, r.dimensions, r.at) for r in statement.rows if not r.is_heading}
        for key, values in spec["rows"].items():
            row_source = Source(name, line_of(data, ["tables", tid, "rows", key]))
            parsed = self.concept_and_dims(key, row_source)
            if parsed is None:
                continue
            concept, dims, at = parsed
            if (concept.name, dims, at or "end") not in row_keys:
                self.error(row_source, "QF-ROW", f"'{key}' is not a row of statement '{statement.id}'")
                continue
            if len(values) != len(columns):
                self.error(row_source, "QF-COLUMNS", f"{len(values)} values for {len(columns)} columns")
                continue
            for column, value in zip(columns, values):
                if value is not None:
                    self.table_cell(concept, dims, at or "end", column, value, scale, row_source)
        return Table(statement.id, tuple(columns), scale, source, tid)

    def table_cell(self, concept: Concept, dims, at: str, column: Column, value, scale: int, source: Source):
        period = column.period
        if concept.period_type == "instant" and not period.is_instant:
            period = Period(period.start - dt.timedelta(days=1)) if at == "start" else Period(period.end)
        elif concept.period_type == "duration" and period.is_instant:
            self.error(source, "QF-PERIOD-TYPE", f"'{concept.name}' is a duration concept in an instant column")
            return
        if value == PLACEHOLDER:
            unit = self.unit_for(concept, column.currency, source)
            self.add(Fact(concept.name, Placeholder.TODO, period, source, unit, None, dims))
            return
        printed = self.number(value, source)
        if printed is None:
            return
        number, decimals, currency, is_percent = printed
        if currency:
            self.error(source, "QF-VALUE", f"table cells carry no currency mark: '{value}'")
            return
        if concept.type is ItemType.PERCENT and not is_percent:
            self.error(source, "QF-VALUE", f"'{concept.name}' is a percentage: write it with '%', e.g. '12.5%'")
            return
        if concept.type is ItemType.MONETARY:
            number, decimals = number.scaleb(scale), decimals - scale
        unit = self.unit_for(concept, column.currency, source)
        if unit is not None:
            self.add(Fact(concept.name, number, period, source, unit, decimals, dims))

    def number(self, value, source: Source):
        if isinstance(value, Decimal):
            parsed = value, decimals_of(value), None, False
        else:
            printed = parse_printed(str(value))
            if printed is None:
                self.error(source, "QF-VALUE", f"'{value}' is not a number")
                return None
            parsed = printed.value, printed.decimals, printed.currency, printed.percent
        number = parsed[0]
        if len(number.as_tuple().digits) > MAX_DIGITS:
            self.error(source, "QF-NUMBER-PRECISION", f"'{value}' has more than {MAX_DIGITS} significant digits")
            return None
        if number and not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
            self.error(source, "QF-NUMBER-RANGE", f"'{value}' is out of range (magnitude 1e-{MAX_EXPONENT} "
                       f"to 1e{MAX_EXPONENT})")
            return None
        return parsed

    def unit_for(self, concept: Concept, currency: Unit | None, source: Source) -> Unit | None:
        kind = concept.type
        if kind is ItemType.MONETARY or kind is ItemType.PER_SHARE:
            if currency is None:
                self.error(source, "QF-UNIT", f"'{concept.name}' is monetary: write the currency, e.g. 'RMB1,234 million'")
                return None
            return currency if kind is ItemType.MONETARY else Unit(currency.numerator, "xbrli:shares")
        return FIXED_UNITS.get(kind)

    def single_fact(self, spec, source: Source, periods) -> None:
        parsed = self.concept_and_dims(spec["concept"], source)
        try:
            period = parse_period(spec["period"], periods)
        except ValueError as exc:
            self.error(source, "QF-PERIOD", str(exc))
            return
        if parsed is None:
            return
        concept, dims, _ = parsed
        if (concept.period_type == "instant") != period.is_instant:
            self.error(source, "QF-PERIOD-TYPE",
                       f"'{concept.name}' is {'an' if concept.period_type == 'instant' else 'a'} {concept.period_type} "
                       f"concept but period '{spec['period']}' is "
                       f"{'an instant' if period.is_instant else 'a duration'}")
            return
        footnotes = tuple(spec.get("footnotes", ()))
        value = spec["value"]
        if value == PLACEHOLDER:
            self.placeholder(concept, dims, period, spec, source)
            return
        if value is None:
            self.add(Fact(concept.name, Nil.NIL, period, source, self.unit_for_nil(concept, spec, source),
                          None, dims, footnotes))
            return
        if concept.type is ItemType.STRING:
            self.add(Fact(concept.name, str(value), period, source, None, None, dims, footnotes))
        elif concept.type is ItemType.DURATION:
            if re.fullmatch(r"P(?=[0-9])([0-9]{1,3}Y)?([0-9]{1,4}M)?", str(value)):
                self.add(Fact(concept.name, str(value), period, source, None, None, dims, footnotes))
            else:
                self.error(source, "QF-DURATION", f"'{value}' is not a duration in years and months (e.g. P12M)")
        elif concept.type is ItemType.DATE:
            try:
                self.add(Fact(concept.name, parse_date(value), period, source, None, None, dims, footnotes))
            except ValueError:
                self.error(source, "QF-DATE", f"'{value}' is not a valid date (YYYY-MM-DD)")
        else:
            self.numeric_fact(concept, dims, period, spec, source, footnotes)

    def placeholder(self, concept: Concept, dims, period: Period, spec, source: Source) -> None:
        """``value: TODO``: a figure not known yet (money needs ``unit:``, e.g. ``unit: CNY``)."""
        unit = None
        if concept.type.is_numeric:
            unit = self.explicit_unit(concept, spec, source) or FIXED_UNITS.get(concept.type)
            if unit is None:
                self.error(source, "QF-UNIT", f"placeholder of '{concept.name}' needs its unit, e.g. 'unit: CNY'")
                return
        self.add(Fact(concept.name, Placeholder.TODO, period, source, unit, None, dims))

    def restatement(self, spec, source: Source) -> Restatement | None:
        """``restated: {value, reason, first_published}``: the value this comparative was first published with."""
        if "restated" not in spec:
            return None
        restated = spec["restated"]
        printed = self.number(restated["value"], source)
        if printed is None:
            return None
        return Restatement(printed[0], str(restated["reason"]), str(restated["first_published"]))

    def unit_for_nil(self, concept: Concept, spec, source: Source) -> Unit | None:
        if not concept.type.is_numeric:
            return None
        return self.explicit_unit(concept, spec, source) or self.unit_for(concept, None, source)

    def explicit_unit(self, concept: Concept, spec, source: Source) -> Unit | None:
        if "unit" not in spec:
            return None
        unit = UNIT_NAMES.get(spec["unit"])
        if unit is None:
            self.error(source, "QF-UNIT", f"unknown unit '{spec['unit']}' (one of {', '.join(UNIT_NAMES)})")
        return unit

    def numeric_fact(self, concept: Concept, dims, period: Period, spec, source: Source, footnotes) -> None:
        printed = self.number(spec["value"], source)
        if printed is None:
            return
        number, decimals, currency, is_percent = printed
        if concept.type is ItemType.PERCENT and not is_percent:
            self.error(source, "QF-VALUE", f"'{concept.name}' is a percentage: write it with '%', e.g. '12.5%'")
            return
        if concept.type not in (ItemType.MONETARY, ItemType.PER_SHARE) and currency:
            self.error(source, "QF-UNIT", f"'{concept.name}' is not monetary but '{spec['value']}' has a currency")
            return
        if "unit" in spec:
            unit = self.explicit_unit(concept, spec, source)
        else:   # the currency mark gives the unit of money; other types have one unit
            unit = self.unit_for(concept, CURRENCY_UNITS.get(currency or ""), source)
        if unit is None:
            return
        if not self.unit_fits(concept, unit):
            self.error(source, "QF-UNIT", f"unit '{unit}' does not fit '{concept.name}' ({concept.type.value})")
            return
        if "decimals" in spec:
            stated = int(spec["decimals"])
            if decimals > stated:
                self.error(source, "QF-DECIMALS",
                           f"value {spec['value']} has more digits than decimals {stated} allow")
                return
            decimals = stated
        original = self.restatement(spec, source)
        self.add(Fact(concept.name, number, period, source, unit, decimals, dims, footnotes, original))

    @staticmethod
    def unit_fits(concept: Concept, unit: Unit) -> bool:
        kind = concept.type
        if kind is ItemType.MONETARY:
            return unit.numerator.startswith("iso4217:") and not unit.denominator
        if kind is ItemType.PER_SHARE:
            return unit.numerator.startswith("iso4217:") and unit.denominator == "xbrli:shares"
        return unit == FIXED_UNITS.get(kind)

    def add(self, fact: Fact) -> None:
        self.facts.append(fact)

    # ------------------------------------------------------------------ duplicates
    def merged_facts(self) -> tuple[Fact, ...]:
        """One fact per key; a key given twice must have the same value (else QF-DUPLICATE-FACT)."""
        first: dict[FactKey, Fact] = {}
        for fact in self.facts:
            seen = first.get(fact.key)
            if seen is None or (seen.is_placeholder and not fact.is_placeholder):
                first[fact.key] = fact      # a value given anywhere fills a placeholder given elsewhere
            elif fact.is_placeholder:
                continue
            elif seen.value != fact.value:
                self.error(fact.source, "QF-DUPLICATE-FACT",
                           f"{fact.concept} {fact.period}{_dims_text(fact)} is {_value_text(fact)} here but "
                           f"{_value_text(seen)} at {seen.source}")
        return tuple(first.values())


def _dims_text(fact: Fact) -> str:
    return "".join(f" [{member}]" for _, member in fact.dimensions)


def _value_text(fact: Fact) -> str:
    return str(fact.value) if not isinstance(fact.value, Decimal) else f"{fact.value:f}"
