"""``qfin-docs new-quarter FROM TO``: start the next quarter's release from this one.

Every period of FROM is mapped to its role in the next quarter (see :func:`shift`): this quarter, the same
quarter a year ago, the prior quarter, the year to date and its comparative, the balance-sheet dates, the
next quarter (an outlook).  Periods with no role (a share repurchase program) stay as they are.

The new fact files hold the same tables and facts with the shifted periods.  A value is carried where the
fact base of FROM already has the fact for the shifted period (the prior quarter, the last year end, a
fixed program); every other value is the placeholder ``TODO``.  The prose is carried with its period names
and dates shifted (``when(Q, "quarter")`` then says "third quarter of 2024"), and derived words such as
"increase" or "decrease" follow the new figures by construction.  Figures stated from unrounded data
(``stated:``) belong to one quarter and are dropped.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

from .facts.load import UNIT_NAMES as LOAD_UNIT_NAMES, load
from .model import BadInput, Fact, FactKey, ItemType, Period, Problem, Source, Unit, unit_of
from .facts.numbers import CURRENCY_MARKS
from .facts.periods import months_in, parse_period, period_text
from .facts.taxonomy import parse_ref, dimensions_for
from .facts.yamlio import read_yaml

UNIT_NAMES = {unit: name for name, unit in LOAD_UNIT_NAMES.items()}     # a unit as a fact file names it


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def last_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return _end_of_month(index // 12, index % 12 + 1)


def _year_ago(day: dt.date) -> dt.date:
    return _end_of_month(day.year - 1, day.month)


class Roll:
    """The mapping of periods from one quarter to the next."""

    def __init__(self, end: dt.date, quarters: int = 1):
        self.end = end                                   # the document period end (a quarter end)
        self.start = dt.date(end.year, end.month - 2, 1)
        self.new_end = _add_months(end, 3 * quarters)    # a year on: quarters=4
        self.new_start = dt.date(self.new_end.year, self.new_end.month - 2, 1)
        self.prior_end = self.new_start - dt.timedelta(days=1)     # the new release's prior quarter

    def date(self, day: dt.date) -> dt.date:
        """An instant: a quarter end moves one quarter on; the last year end moves only at a new year."""
        if day == self.end:
            return self.new_end
        if day == _year_ago(self.end):
            return _year_ago(self.new_end)
        if day == self.start - dt.timedelta(days=1):
            return self.prior_end
        if day == dt.date(self.end.year - 1, 12, 31):
            return dt.date(self.new_end.year - 1, 12, 31)
        if self.end - dt.timedelta(days=6) <= day < self.end:       # the last business day (an exchange rate)
            return last_business_day(self.new_end)
        return day

    def period(self, period: Period) -> Period:
        if period.is_instant:
            return Period(self.date(period.end))
        start, end = period.start, period.end
        for years in (0, 1):
            e = _year_ago(self.end) if years else self.end
            s = dt.date(e.year, e.month - 2, 1)
            ne = _year_ago(self.new_end) if years else self.new_end
            if (start, end) == (s, e):                                   # the quarter (a year ago)
                return Period(ne, dt.date(ne.year, ne.month - 2, 1))
            if (start, end) == (dt.date(e.year, 1, 1), e):               # the year to date (a year ago)
                return Period(ne, dt.date(ne.year, 1, 1))
        if end == self.start - dt.timedelta(days=1) and start == dt.date(end.year, end.month - 2, 1):
            return Period(self.prior_end, dt.date(self.prior_end.year, self.prior_end.month - 2, 1))   # prior quarter
        if start == self.end + dt.timedelta(days=1) and end == _add_months(self.end, 3):
            return Period(_add_months(self.new_end, 3), self.new_end + dt.timedelta(days=1))   # an outlook
        return period

    def has_role(self, period: Period) -> bool:
        """Whether the period has a role the next quarter shifts (the last year end keeps its date within
        a year); a period with none (a repurchase to date, a date typed in the prose) stays as it was."""
        return self.period(period) != period or period == Period(dt.date(self.end.year - 1, 12, 31))

    def name(self, old_name: str, old: Period, new: Period) -> str:
        """A name for the shifted period, in the convention of the old one (Q2-2024, H1-2024, ...)."""
        if new == old:
            return old_name
        if new.is_instant:
            return new.end.isoformat()
        months = months_in(new.start, new.end)
        if months == 3:
            return f"Q{(new.start.month + 2) // 3}-{new.end.year}"
        return {6: f"H1-{new.end.year}", 12: f"FY-{new.end.year}"}.get(months, f"M{months}-{new.end.year}")


def new_quarter(source: Path, target: Path, fill=None, quarters: int = 1) -> list[str]:
    """Write the next quarter's release folder (``quarters`` on: 4 rolls a year, where the year-ago
    comparatives are the source's own quarter); returns what it did, a line each.

    ``fill``, for tests and examples, gives a value for a fact the source does not have: a function of the
    new fact's key returning a Fact, or None to leave a placeholder."""
    if target.exists():
        raise BadInput([Problem(Source(str(target)), "QF-NEW-QUARTER", "already exists: choose a new folder")])
    loaded = load(source)
    release = loaded.release
    roll = Roll(dt.date.fromisoformat(str(release.meta["document_period_end"])), quarters)
    names = {name: roll.name(name, period, roll.period(period)) for name, period in release.periods.items()}
    new_periods = {names[name]: roll.period(period) for name, period in release.periods.items()}
    index = {f.key: f for f in release.facts}
    files = {relative: read_yaml(source / relative)[0] for relative in release.meta["fact_files"]}
    specs = _value_texts(source, release, files)
    lookup = _Lookup(index, fill)
    target.mkdir(parents=True)
    shutil.copytree(source / "prose", target / "prose")
    prose = target / "prose" / "release.html.j2"
    prose.write_text(mark_carried_prose(_shift_text(prose.read_text(encoding="utf-8"), names, roll, prose=True),
                                        release.id), encoding="utf-8")
    carried = todo = marked = 0
    for relative, data in files.items():
        text, c, t = _fact_file(data, release, loaded.taxonomy, roll, names, lookup, specs)
        marked += text.count(f"carried: {_scalar(release.id)}") + text.count(f"carried: {release.id}")
        carried, todo = carried + c, todo + t
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    (target / "release.yaml").write_text(_release_yaml(source, release, roll, names, new_periods, target.name), encoding="utf-8")
    return [f"wrote {target}: {carried} values carried from {source.name}, {todo} placeholders (TODO) to fill; "
            f"{marked} fact(s) carried as they were, marked 'carried: {release.id}' with the title, constants, "
            "waivers and prose blocks carried: each to confirm or change ('qfin-docs check' lists them)",
            f"this quarter: {period_text(Period(roll.new_end, roll.new_start), 'quarter')}; build a draft with "
            f"'qfin-docs build --draft {target}'"]


class _Lookup(dict):
    """The source's facts by key, then what ``fill`` gives (a fact keyed as asked)."""

    def __init__(self, index: dict, fill):
        super().__init__(index)
        self.fill = fill

    def get(self, key, default=None):
        found = super().get(key)
        if found is None and self.fill is not None:
            found = self.fill(key)
        return found if found is not None else default


def _value_texts(source: Path, release, files: dict) -> dict[FactKey, dict]:
    """The single-fact specs of the source release by the key of their fact (to carry values as written)."""
    specs = {}
    for relative, data in files.items():
        path = (source / relative).resolve()
        for number, spec in enumerate(data.get("facts", [])):
            specs[(path, data["facts"].item_lines[number])] = spec
    return {f.key: specs[(Path(f.source.file).resolve(), f.source.line)] for f in release.facts
            if (Path(f.source.file).resolve(), f.source.line) in specs}


def _shift_text(text: str, names: dict[str, str], roll: Roll, prose: bool = False) -> str:
    """Period names and ISO dates shifted; in the prose, stated figures dropped."""
    changed = {old: new for old, new in names.items() if old != new}
    if changed:                 # one pass, so that Q1 -> Q2 and Q2 -> Q3 do not chain
        pattern = "|".join(re.escape(old) for old in sorted(changed, key=len, reverse=True))
        text = re.sub(rf"(?<![\w-])({pattern})(?![\w-])", lambda m: changed[m[1]], text)
    text = re.sub(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])",
                  lambda m: roll.date(dt.date(int(m[1]), int(m[2]), int(m[3]))).isoformat(), text)
    if prose:
        text = re.sub(r',\s*stated="[^"]*"', "", text)
    return text


def _column(text: str, names: dict[str, str], roll: Roll) -> str:
    period, currency = text.rsplit(" ", 1)
    if period in names:
        return f"{names[period]} {currency}"
    return f"{_shift_text(period, {}, roll)} {currency}"


def _fact_file(data, release, taxonomy, roll: Roll, names, index, specs) -> tuple[str, int, int]:
    lines = ["# Rolled forward by qfin-docs new-quarter: TODO marks every figure still to fill in.", ""]
    carried = todo = 0
    if data.get("tables"):
        lines.append("tables:")
        for table_id, spec in data["tables"].items():
            table = next(t for t in release.tables if t.id == table_id)
            columns = [_column(c, names, roll) for c in spec["columns"]]
            lines += [f"  {table_id}:"] + ([f"    statement: {spec['statement']}"] if "statement" in spec else [])
            lines += [f"    columns: [{', '.join(columns)}]"]
            if "scale" in spec:
                lines.append(f"    scale: {spec['scale']}")
            lines.append("    rows:")
            as_it_was: dict[str, list[str]] = {}
            for row_key in spec["rows"]:
                concept_name, members, at = parse_ref(row_key)
                concept = taxonomy.concepts[concept_name]
                dims, _ = dimensions_for(members, taxonomy)
                cells = []
                for column in table.columns:
                    period = roll.period(column.period)
                    if concept.period_type == "instant" and not period.is_instant:
                        period = Period(period.start - dt.timedelta(days=1)) if (at or "end") == "start" \
                            else Period(period.end)
                    fact = _find(index, concept, period, column.currency, dims)
                    if fact is None:
                        cells.append("TODO")
                        todo += 1
                    else:
                        cells.append(_cell_text(fact, concept, table.scale))
                        carried += 1
                        if _as_it_was(fact, concept, release, roll.has_role(column.period)):
                            as_it_was.setdefault(row_key, []).append(columns[len(cells) - 1])
                lines.append(f"      {json.dumps(row_key)}: [{', '.join(cells)}]")
            lines += _carried_cells(as_it_was, release.id)
    if data.get("facts"):
        lines.append("facts:")
        for spec in data["facts"]:
            concept_name, members, _ = parse_ref(spec["concept"])
            concept = taxonomy.concepts[concept_name]
            dims, _ = dimensions_for(members, taxonomy)
            period_name = str(spec["period"])
            old_period = parse_period(period_name, release.periods)
            new_period = roll.period(old_period)
            new_name = names.get(period_name, new_period.__str__())
            entry = {"concept": spec["concept"], "period": new_name}
            source_fact = next((f for f in index.values() if f.concept == concept_name and f.dimensions == dims
                                and f.period == old_period), None)
            unit = source_fact.unit if source_fact is not None else None
            carried_fact = index.get(FactKey(concept_name, new_period, unit, dims)) if unit or not \
                concept.type.is_numeric else None
            if concept.type is ItemType.STRING and source_fact is not None:      # names, tickers: carried
                entry.update({k: v for k, v in spec.items() if k not in ("concept", "period", "carried")})
                entry["carried"] = release.id          # a text fact may change (a new name): to confirm
                carried += 1
            elif carried_fact is not None and (specs.get(carried_fact.key) or
                                               isinstance(carried_fact.value, (Decimal, dt.date, str))):
                if specs.get(carried_fact.key):
                    entry.update({k: v for k, v in specs[carried_fact.key].items()
                                  if k not in ("concept", "period", "carried")})
                else:
                    entry["value"] = _value_text(carried_fact, concept)
                if _as_it_was(carried_fact, concept, release, roll.has_role(old_period)):
                    entry["carried"] = release.id
                carried += 1
            else:
                entry["value"] = "TODO"
                if unit is not None and concept.type in (ItemType.MONETARY, ItemType.PER_SHARE):
                    entry["unit"] = UNIT_NAMES[unit]
                todo += 1
            lines.append("  - {" + ", ".join(f"{k}: {_scalar(v)}" for k, v in entry.items()) + "}")
    return "\n".join(lines) + "\n", carried, todo


def _carried_cells(as_it_was: dict[str, list[str]], origin: str) -> list[str]:
    """A table's ``carried:`` block: its cells carried as they were (US$ cells at the previous rate)."""
    if not as_it_was:
        return []
    return [f"    carried:   # cells carried as they were from {origin}: confirm or change", f"      from: {origin}",
            "      cells:"] + [f"        {json.dumps(row)}: [{', '.join(json.dumps(c) for c in cols)}]"
                                for row, cols in as_it_was.items()]


def _as_it_was(fact: Fact, concept, release, has_role: bool) -> bool:
    """Whether a value carried into the next quarter is carried as it was rather than as a comparative its
    period's role shifted to: a figure of a period with no role (a repurchase to date), a date or text fact,
    a US$ figure (translated at the previous release's rate)."""
    if not has_role or not isinstance(fact.value, Decimal):
        return True
    return fact.unit is not None and fact.unit.numerator == "iso4217:USD" and \
        concept.type in (ItemType.MONETARY, ItemType.PER_SHARE) and fact.concept != release.exchange_rate


def _find(index, concept, period: Period, currency: Unit, dims) -> Fact | None:
    """The fact of a table cell, in the unit its type takes in the column's currency."""
    return index.get(FactKey(concept.name, period, unit_of(concept.type, currency), dims))


def _cell_text(fact: Fact, concept, scale: int) -> str:
    value = fact.value
    assert isinstance(value, Decimal)
    decimals = fact.decimals if fact.decimals is not None else 0
    if concept.type is ItemType.PERCENT:
        return f'"{value * 100:.{max(decimals - 2, 0)}f}%"'
    if concept.type is ItemType.MONETARY:
        shown = value.scaleb(-scale)
        return f"{shown:.{max(decimals + scale, 0)}f}"
    return f"{value:.{max(decimals, 0)}f}"


def _value_text(fact: Fact, concept) -> str:
    """A fact's value written as a fact file writes it (currency, scale word, places)."""
    value, decimals = fact.value, fact.decimals if fact.decimals is not None else 0
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if concept.type is ItemType.PERCENT:
        return f"{value * 100:.{max(decimals - 2, 0)}f}%"
    mark = CURRENCY_MARKS.get(fact.unit.numerator.partition(":")[2], "") if fact.unit else ""
    if decimals < 0:      # a scale word with the places that keep the precision: -4 -> "151.88 million"
        power = min(p for p in (3, 6, 9) if p >= -decimals) if -decimals <= 9 else 9
        word = {3: "thousand", 6: "million", 9: "billion"}[power]
        return f"{mark}{value.scaleb(-power):.{power + decimals}f} {word}"
    return f"{mark}{value:.{decimals}f}"


def _scalar(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


def _release_yaml(source: Path, release, roll: Roll, names, new_periods, target_id: str) -> str:
    text = (source / "release.yaml").read_text(encoding="utf-8")
    old_q, new_q = Period(roll.end, roll.start), Period(roll.new_end, roll.new_start)
    for style in ("Quarter", "quarter", "quarter-name"):
        old, new = period_text(old_q, style), period_text(new_q, style)
        for case in (str, str.capitalize, str.title):
            text = text.replace(case(old), case(new))
    text = text.replace(release.id, target_id)
    text = re.sub(r"(?m)^id: .*$", f"id: {target_id}", text)
    block = "periods:\n" + "".join(f"  {name}: {period}\n" for name, period in new_periods.items())
    text = re.sub(r"(?m)^periods:\n(?:  .*\n)+", block, text)
    text = re.sub(r"(?m)^stated:\n(?:  .*\n)+\n?", "", text)
    release_date = dt.date.fromisoformat(str(release.meta["release_date"]))
    delay = release_date - roll.end
    text = re.sub(r"(?m)^release_date: .*$", f"release_date: {(roll.new_end + delay).isoformat()}"
                  "   # TODO: confirm the release date", text)
    text = re.sub(r"(?m)^document_period_end: .*$", f"document_period_end: {roll.new_end.isoformat()}", text)
    text = re.sub(r"(?m)^status: .*\n", "", text)      # the release rolled from was final (or a draft): this one
    text = re.sub(r"(?m)^id: .*$", lambda m: f"{m.group()}\nstatus: draft   # final once every TODO is filled and "
                  "every carried item confirmed", text, count=1)       # is a draft, whatever that one said
    fields = {}
    for field in ("title", "running_header"):
        found = re.search(rf"(?m)^{field}: (.*)$", text)
        if found:
            fields[field] = found.group(1).strip()
    text = re.sub(r"(?m)^carried:\n(?:  .*\n)+", "", text)
    if fields:
        text = text.rstrip("\n") + f"\n\n# Carried as they were from {release.id}: each is reported until changed, " \
            "or confirmed by deleting its line here.\ncarried:\n  from: " + release.id + "\n  fields:\n" + \
            "".join(f"    {field}: {_scalar(value.strip(chr(34)))}\n" for field, value in fields.items())
    text = _mark_items(text, release.id)
    rate_day = last_business_day(roll.new_end)
    text = re.sub(r"(?m)^exchange_rate: \{(.*)period: [^}]*\}", rf"exchange_rate: {{\1period: {rate_day.isoformat()}}}",
                  text)
    return text


def _mark_items(text: str, origin: str) -> str:
    """Constants and waivers of release.yaml marked ``carried: <origin>`` (one line each, where they are)."""
    out, block = [], ""
    for line in text.split("\n"):
        top = re.match(r"^([a-z_]+):", line)
        if top:
            block = top.group(1)
        if block == "constants" and re.match(r"^  \S.*: \{.*\}\s*$", line) and "carried:" not in line:
            line = line.rstrip()[:-1].rstrip() + f", carried: {origin}}}"
        out.append(line)
        if block == "waivers" and re.match(r"^  - code: ", line):
            out.append(f"    carried: {origin}")
    return "\n".join(out)


_H2 = re.compile(r"^\s*<h2[ >]")
_PERIOD_WORDS = re.compile(r"\bwhen\(\s*(?:Q|H1|YA|PQ)\b")      # a heading naming this release's period
_DATED = re.compile(r'\bwhen\("\d{4}-\d{2}-\d{2}"\)')             # a date typed as it was, not a period end


def mark_carried_prose(text: str, origin: str) -> str:
    """Wrap what the prose carries as it was in ``{% call carried(origin, kind) %}``: each section whose heading
    names no period of the release (a board change, a dividend, the repurchase update, the outlook, the call),
    each quote, each paragraph that types a date.  A reviewer confirms a block by deleting the call and its
    ``{% endcall %}``; the strict check lists every block still wrapped."""
    lines = text.split("\n")
    end_of_body = next((i for i, line in enumerate(lines) if line.lstrip().startswith("{% include")), len(lines))
    wrap: list[tuple[int, int, str]] = []           # (first line, last line, kind)
    heads = [i for i in range(end_of_body) if _H2.match(lines[i])] + [end_of_body]
    for here, after in zip(heads, heads[1:]):
        if not _PERIOD_WORDS.search(lines[here]):
            last = after - 1
            while last > here and not lines[last].strip():
                last -= 1
            wrap.append((here, last, "section"))
    inside = lambda i: any(a <= i <= b for a, b, _ in wrap)            # noqa: E731
    i = 0
    while i < end_of_body:
        if not inside(i) and lines[i].lstrip().startswith("<blockquote"):
            last = next((j for j in range(i, end_of_body) if "</blockquote>" in lines[j]), i)
            wrap.append((i, last, "quote"))
            i = last
        elif not inside(i) and _DATED.search(lines[i]) and lines[i].lstrip().startswith("<p"):
            wrap.append((i, i, "dated paragraph"))
        i += 1
    for first, last, kind in sorted(wrap, reverse=True):
        lines.insert(last + 1, "{% endcall %}")
        lines.insert(first, f'{{% call carried("{origin}", "{kind}") %}}')
    return "\n".join(lines)
