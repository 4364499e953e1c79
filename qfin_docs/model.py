"""The data model: every value that flows through the pipeline is defined here.

Nothing in this module imports from the rest of the project.  Facts are frozen,
carry their source, and hold money as ``Decimal`` only.
"""
from __future__ import annotations

import datetime as dt
import enum
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Union


def shown_path(path: "str | os.PathLike[str]") -> str:
    """A path as problems show it: relative to the working directory when under it."""
    absolute = Path(path).resolve()
    try:
        return str(absolute.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where something came from: a file and a 1-based line (0 when unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """An error as a value.  ``str(problem)`` is ``file:line: CODE message``."""

    source: Source
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.source}: {self.code} {self.message}"


Problems = list[Problem]


class BadInput(Exception):
    """Raised only at a stage boundary to carry problems that stop the pipeline."""

    def __init__(self, problems: Problems):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True, order=True)
class QName:
    prefix: str
    local: str

    @classmethod
    def parse(cls, text: str) -> "QName":
        prefix, sep, local = text.partition(":")
        if not sep or not prefix or not local:
            raise ValueError(f"not a prefixed name: {text!r}")
        return cls(prefix, local)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.local}"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """An instant (``start is None``) or a duration from ``start`` to ``end``, both inclusive days."""

    end: dt.date
    start: dt.date | None = None

    @property
    def is_instant(self) -> bool:
        return self.start is None

    def __str__(self) -> str:
        return self.end.isoformat() if self.start is None else f"{self.start.isoformat()}/{self.end.isoformat()}"

    @classmethod
    def parse(cls, text: str) -> "Period":
        """``YYYY-MM-DD`` or ``start/end``, as ``str()`` writes it."""
        start, _, end = text.partition("/")
        return cls(dt.date.fromisoformat(end), dt.date.fromisoformat(start)) if end else \
            cls(dt.date.fromisoformat(start))


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    """A unit as measures: ``numerator`` over ``denominator`` (empty for a simple unit)."""

    numerator: str
    denominator: str = ""

    @property
    def id(self) -> str:
        """A stable XML id, e.g. ``CNY``, ``CNY_per_shares``."""
        simple = self.numerator.partition(":")[2]
        if self.denominator:
            return f"{simple}_per_{self.denominator.partition(':')[2]}"
        return simple

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}" if self.denominator else self.numerator

    @classmethod
    def parse(cls, text: str) -> "Unit":
        numerator, _, denominator = text.partition("/")
        return cls(numerator, denominator)


CNY = Unit("iso4217:CNY")
USD = Unit("iso4217:USD")
SHARES = Unit("xbrli:shares")
PURE = Unit("xbrli:pure")
MONTH = Unit("qfin:Month")
CURRENCY_UNITS = {"CNY": CNY, "USD": USD}


class Nil(enum.Enum):
    """The one nil value (``xsi:nil``)."""

    NIL = "nil"


class Placeholder(enum.Enum):
    """A figure not known yet (``TODO`` in a fact file): refused by a build, shown as a marker by a draft."""

    TODO = "TODO"


FactValue = Union[Decimal, str, dt.date, Nil, Placeholder]


@dataclass(frozen=True, slots=True)
class Restatement:
    """A comparative published before with another value."""

    original: "FactValue"
    reason: str
    first_published: str
Dimensions = tuple[tuple[QName, QName], ...]  # sorted (axis, member) pairs


@dataclass(frozen=True, slots=True)
class Fact:
    """One tagged fact: the single source of truth for a figure."""

    concept: QName
    value: FactValue
    period: Period
    source: Source
    unit: Unit | None = None
    decimals: int | None = None  # None = INF for numbers; always None for text and dates
    dimensions: Dimensions = ()
    footnotes: tuple[str, ...] = ()
    restated: Restatement | None = None

    @property
    def key(self) -> "FactKey":
        return FactKey(self.concept, self.period, self.unit, self.dimensions)

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.value, Decimal)

    @property
    def is_placeholder(self) -> bool:
        return self.value is Placeholder.TODO


@dataclass(frozen=True, slots=True, order=True)
class FactKey:
    """What makes two facts the same fact (XBRL's duplicate rule)."""

    concept: QName
    period: Period
    unit: Unit | None
    dimensions: Dimensions


Facts = tuple[Fact, ...]


class FigureKind(enum.Enum):
    """What a printed token is."""

    FACT = "fact"            # a fact shown at a scale and precision
    DERIVED = "derived"      # a derivation of facts (see derivations.DERIVATIONS)
    DATE = "date"            # a date fact
    TEXT = "text"            # a text fact
    PERIOD = "period"        # a period of the release in words ("second quarter of 2024")
    YEAR = "year"            # a calendar year the prose names (a biography, "beginning in 2021")
    CONSTANT = "constant"    # a value declared in release.yaml with its reason (constants:, title)
    LABEL = "label"          # a concept's label or a statement's title from schema/taxonomy.yaml
    PLACEHOLDER = "placeholder"   # a marker for a figure not known yet (draft builds only)


@dataclass(frozen=True, slots=True)
class Figure:
    """One printed token and what it is: its owner (facts, derivation, declaration), how it is shown,
    and the template line that printed it.  ``figures.json`` is these records, serialised."""

    id: int
    text: str                          # as printed, e.g. "RMB4,160.1 million"
    kind: FigureKind
    formula: str = "fact"              # "fact", a derivation name, or the style of a date or period
    inputs: tuple[FactKey, ...] = ()
    scale: int = 0                     # power of ten the digits are shown in
    places: int = 0                    # digits after the point
    where: str = "prose"               # "prose" | "table"
    value: Decimal | None = None       # the exact value the printed text rounds (derived figures)
    negated: bool = False              # a table row shown with its sign reversed (negated label)
    ref: str = ""                      # the period, constant, stated figure or label the figure names
    source: Source = Source("")        # template file:line that printed it

    def as_json(self) -> dict:
        return {"id": self.id, "text": self.text, "kind": self.kind.value, "formula": self.formula,
                "where": self.where, "scale": self.scale, "places": self.places,
                "value": None if self.value is None else f"{self.value:f}", "negated": self.negated,
                "ref": self.ref, "source": str(self.source),
                "inputs": [{"concept": str(k.concept), "period": str(k.period),
                            "unit": str(k.unit) if k.unit else None,
                            "dimensions": {str(a): str(m) for a, m in k.dimensions}} for k in self.inputs]}

    @classmethod
    def from_json(cls, data: dict) -> "Figure":
        """The record ``as_json`` wrote (the caller validates the shape first)."""
        inputs = tuple(FactKey(QName.parse(i["concept"]), Period.parse(i["period"]),
                               Unit.parse(i["unit"]) if i["unit"] else None,
                               tuple(sorted((QName.parse(a), QName.parse(m)) for a, m in i["dimensions"].items())))
                       for i in data["inputs"])
        file, _, line = data["source"].rpartition(":")
        source = Source(file, int(line)) if line.isdigit() else Source(data["source"])
        return cls(data["id"], data["text"], FigureKind(data["kind"]), data["formula"], inputs, data["scale"],
                   data["places"], data["where"], None if data["value"] is None else Decimal(data["value"]),
                   data["negated"], data["ref"], source)


class ItemType(enum.Enum):
    MONETARY = "monetary"
    PER_SHARE = "perShare"
    SHARES = "shares"
    PERCENT = "percent"   # xbrli:pure, shown as a percentage
    DECIMAL = "decimal"   # xbrli:pure count or ratio
    DURATION_MONTHS = "months"
    STRING = "string"
    DATE = "date"
    DURATION = "duration"   # xbrli:durationItemType, an ISO 8601 duration such as P12M

    @property
    def is_numeric(self) -> bool:
        return self in NUMERIC_TYPES


NUMERIC_TYPES = frozenset({ItemType.MONETARY, ItemType.PER_SHARE, ItemType.SHARES,
                           ItemType.PERCENT, ItemType.DECIMAL, ItemType.DURATION_MONTHS})


@dataclass(frozen=True, slots=True)
class Concept:
    """A taxonomy element as the project uses it."""

    name: QName
    type: ItemType
    period_type: str            # "instant" | "duration"
    balance: str | None         # "debit" | "credit" | None
    labels: dict[str, str]      # role ("label", "terse", "negated", "total", ...) -> text
    source: Source
    xbrl_type: str | None = None     # the element's type when not the default of ``type``
    documentation: str = ""
    synonyms: tuple[str, ...] = ()    # how a release's text also names it (tie-out only)
    # The same amount also reported as a standard element with dimensions (``also:`` in the concept table):
    # an extension that must stay an item of a face summation (default context) carries, nested in the same
    # printed number, the standard element on the axis/member the taxonomy intends (e.g. related parties).
    also: "tuple[QName, Dimensions] | None" = None

    @property
    def label(self) -> str:
        return self.labels["label"]


@dataclass(frozen=True, slots=True)
class Axis:
    """A dimension: its domain (also its default), members with their parents, and labels."""

    name: QName
    domain: QName
    label: str
    members: dict[QName, QName | None]   # member -> parent member (None = child of the domain)
    member_labels: dict[QName, str]
    additive: bool                       # a parent member's value is the sum of its children's
    source: Source
    member_phrases: dict = field(default_factory=dict)   # member -> phrases naming it in prose (tie-out)
    member_terse: dict[QName, str] = field(default_factory=dict)    # what a statement row prints, if not the label

    def children(self, parent: QName | None) -> list[QName]:
        return [m for m, p in self.members.items() if p == parent]


@dataclass(frozen=True, slots=True)
class Namespace:
    prefix: str
    uri: str
    schema_location: str | None      # None for the extension itself


@dataclass(frozen=True, slots=True)
class CalcItem:
    concept: QName
    weight: int


@dataclass(frozen=True, slots=True)
class Calculation:
    total: QName
    items: tuple[CalcItem, ...]
    network: str              # a statement id, or a network of its own
    source: Source


@dataclass(frozen=True, slots=True)
class Row:
    """A presentation row of a statement."""

    label: str
    concept: QName | None = None          # None for a heading row
    dimensions: Dimensions = ()
    negated: bool = False                 # show -value (negated label role)
    at: str = "end"                       # instant rows in a duration table: "start" or "end"
    label_role: str = "label"
    style: str = ""                       # "total", "subtotal", "grand"
    convenience: bool = True              # shown in convenience-translation (USD) columns
    source: Source = Source("")
    group: str = ""                       # the presentation abstract it sits under ("" = the statement's)

    @property
    def is_heading(self) -> bool:
        return self.concept is None


@dataclass(frozen=True, slots=True)
class Statement:
    id: str
    title: str
    role_uri: str
    caption: tuple[str, ...]
    rows: tuple[Row, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class Relations:
    """Identities among concepts that the checker proves (besides summations)."""

    ads_ratio: Decimal = Decimal(2)
    per_ads: dict[QName, QName] = field(default_factory=dict)
    per_ads_members: dict[QName, QName] = field(default_factory=dict)   # ADS member -> ordinary-share member
    margins: dict[QName, tuple[QName, QName]] = field(default_factory=dict)
    balance: tuple[QName, ...] = ()
    roll_forward: dict[QName, QName] = field(default_factory=dict)

    def ads_twin(self, fact) -> tuple | None:
        """For a fact on an ADS member (per_ads_members), the dimensions of its ordinary-share twin."""
        for axis, member in fact.dimensions:
            if member in self.per_ads_members:
                return tuple((a, self.per_ads_members[m] if m == member else m) for a, m in fact.dimensions)
        return None


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Everything ``schema/taxonomy.yaml`` defines."""

    namespaces: dict[str, Namespace]
    concepts: dict[QName, Concept]
    axes: dict[QName, Axis]
    statements: dict[str, Statement]
    calculations: tuple[Calculation, ...]
    member_axis: dict[QName, QName] = field(default_factory=dict)   # member -> axis
    relations: Relations = field(default_factory=Relations)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: one period and one currency."""

    period: Period
    currency: Unit
    header: str


@dataclass(frozen=True, slots=True)
class Table:
    """One rendered table of a release: a statement, its column set and scale."""

    statement: str
    columns: tuple[Column, ...]
    scale: int                 # 3 = thousands, for monetary rows
    source: Source
    id: str = ""               # the table's key in its fact file


@dataclass(frozen=True, slots=True)
class Release:
    """One release: its metadata, facts, tables and where its prose lives."""

    id: str
    directory: str
    meta: dict[str, object]
    periods: dict[str, Period]
    facts: Facts
    tables: tuple[Table, ...]
    exchange_rate: QName | None = None
    draft: bool = False               # a draft (status: draft, or --draft): placeholders and carried items allowed
    missing: Facts = ()               # the placeholders of a draft (never among ``facts``)
    carried: tuple[Problem, ...] = ()     # items carried from the previous release, unconfirmed (QF-CARRIED)


# The one unit each non-monetary item type takes (monetary and per-share types take a currency).
FIXED_UNITS: dict[ItemType, Unit] = {ItemType.SHARES: SHARES, ItemType.PERCENT: PURE, ItemType.DECIMAL: PURE,
                                     ItemType.DURATION_MONTHS: MONTH}


def unit_of(kind: ItemType, currency: Unit) -> Unit | None:
    """The unit a fact of ``kind`` takes: money in ``currency``, per-share amounts in ``currency`` per share,
    every other numeric type its one unit (None for text and dates)."""
    if kind is ItemType.MONETARY:
        return currency
    if kind is ItemType.PER_SHARE:
        return Unit(currency.numerator, "xbrli:shares")
    return FIXED_UNITS.get(kind)

