"""The strict check of a built release (``qfin-docs check``).

Every number token of the HTML, the Inline XBRL document and the PDF is accounted for: a fact shown at
its scale and precision, a declared derivation recomputed here from the facts, or a named kind of
non-financial number.  The recomputation is independent of the renderer: it starts again from the fact
base and the formula recorded in ``figures.json``.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

from ..facts.derivations import DERIVATIONS, Shape, stated_fits
from ..facts.directions import check_directions
from ..render.xbrl import NS, document_name, fact_value, nonnumeric_value
from ..model import BadInput, Fact, FactKey, Figure, FigureKind, Period, Problem, QName, Source, Unit
from ..facts.numbers import CURRENCY_MARKS, SCALE_NAMES, digits, is_negative_when_shown, parse_printed, round_to
from ..facts.periods import MAX_YEAR, MIN_YEAR, date_text, months_of, period_text
from ..facts.load import Loaded, load
from .records import read_figures
from .report import Entry, Report
from ..facts.carried import open_items
from .scan import GENERIC, tokens
from ..xmlio import drop_non_text, parse_html, parse_xml

from lxml import etree

BLOCKS = ("h1", "h2", "p", "li", "th", "td")
_IN_BLOCK = etree.XPath(f"ancestor::*[{' or '.join(f'self::{b}' for b in BLOCKS)}]")   # compiled once
_OWN_TEXT = etree.XPath("text()")
_FIGURE_SPANS = etree.XPath("//span[contains(concat(' ', @class, ' '), ' fig ')]")
_LISTS = etree.XPath("//div[@id='missing'] | //p[@class='carried-flag']")
_MARKERS = etree.XPath("//span[@class='fn']")
DRAFT_META = b'<meta name="qfin-docs-status" content="draft">'     # what the layout writes in a draft
FOOTNOTE_MARKER = re.compile(r"[0-9]{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2}")


def check_build(release_dir: Path, out_dir: Path, draft: bool = False) -> Report:
    """Check every output of a built release; the report lists every number and the findings.  In a draft
    (``status: draft`` or ``draft``) each placeholder is an open item, listed once with every place it is
    printed, and never a finding of another kind; a final release refuses placeholders and carried items,
    and a draft build of it is a finding."""
    loaded = load(release_dir, draft)
    ixbrl_path = out_dir / f"{document_name(loaded.release)}.htm"
    html_path = out_dir / "press-release.html"
    missing = [p for p in (out_dir / "figures.json", html_path, ixbrl_path, out_dir / "press-release.pdf")
               if not p.is_file()] if out_dir.is_dir() else [out_dir]
    if missing:
        raise BadInput([Problem(Source(str(p)), "QF-CHECK-BUILD", "missing: build the release first "
                                f"(qfin-docs build {release_dir} --out {out_dir})") for p in missing])
    pdf = _start_pdftotext(out_dir / "press-release.pdf")     # runs while the HTML is checked
    try:
        return _check_outputs(loaded, out_dir, pdf, html_path, ixbrl_path)
    finally:
        if pdf[1].poll() is None:
            pdf[1].kill()
            pdf[1].communicate()


def _check_outputs(loaded: Loaded, out_dir: Path, pdf, html_path: Path, ixbrl_path: Path) -> Report:
    figures = read_figures(out_dir / "figures.json")
    report = Report(draft=loaded.release.draft)
    html_bytes, ixbrl_data = _written_here(html_path), _written_here(ixbrl_path)
    judged: dict = {}       # the HTML and the iXBRL print the same figures: each judged once
    html_texts = check_html(html_bytes, figures, loaded, report, str(html_path), judged)
    if not loaded.release.draft and DRAFT_META in html_bytes:
        report.problems.append(Problem(Source(str(html_path)), "QF-DRAFT-BUILD", "a draft build never passes for "
                                       "final: build the release without --draft"))
    report.open = open_items(loaded.release, loaded.taxonomy, report.places) if loaded.release.draft else []
    check_html(ixbrl_data, figures, loaded, report, str(ixbrl_path), judged)
    check_ixbrl(ixbrl_path, html_texts, loaded, report)
    numbers = [figures[i].text for i in sorted(figures) if figures[i].kind in (FigureKind.FACT, FigureKind.DERIVED)]
    check_pdf(pdf, numbers, report)
    return report


_FOREIGN = re.compile(rb"<!DOCTYPE[^>\[]*\[|<!ENTITY|<!\x00?E\x00?N\x00?T", re.IGNORECASE)


def _written_here(path: Path) -> bytes:
    """A built document's bytes, refused (not checked) when it cannot be one this tool wrote: this tool writes
    no DTD and declares no entities, so a document that does (an entity expansion, an external entity) was
    put there by someone else."""
    data = path.read_bytes()
    foreign = _FOREIGN.search(data)
    if foreign:
        raise BadInput([Problem(Source(str(path), data.count(b"\n", 0, foreign.start()) + 1), "QF-CHECK-BUILD",
                                "declares a DTD or entities: not a document qfin-docs wrote (build the release "
                                "again)")])
    return data


# ---------------------------------------------------------------------- facts and formulas
def show_fact(fact: Fact, figure: Figure) -> str:
    """How a fact prints at the figure's scale and precision (prose or table style)."""
    scale, places = figure.scale, figure.places
    value = -fact.value if figure.negated else fact.value
    body = digits(value, scale, places)
    if figure.formula == "rate":
        return f"RMB{body} to US$1.00"
    if figure.where == "table":
        if round_to(abs(value).scaleb(-scale), places) == 0:
            return "-"
        body += "%" if scale == -2 else ""
        return f"({body})" if value < 0 else body
    sign = "-" if is_negative_when_shown(value, scale, places) else ""
    mark = CURRENCY_MARKS.get(fact.unit.numerator.partition(":")[2], "") if fact.unit else ""
    if scale == -2:
        return f"{sign}{body}%"
    word = f" {SCALE_NAMES[scale]}" if scale in SCALE_NAMES else ""
    return f"{mark}{sign}{body}{word}"


def recompute(figure: Figure, inputs: list[Fact], loaded: Loaded) -> tuple[str, str]:
    """(expected text, explanation) of a derived figure, from the registry and the facts alone."""
    derivation = DERIVATIONS.get(figure.formula)
    if derivation is None:
        return "", f"unknown derivation '{figure.formula}'"
    ratio = Decimal(str(loaded.taxonomy.relations.ads_ratio))
    value = derivation.value(inputs, ratio)
    style, _, stated = figure.ref.partition(";stated:") if ";stated:" in figure.ref else (figure.ref, "", "")
    note = ""
    if stated:
        bounds = derivation.bounds(inputs, ratio)
        printed = parse_printed(str((loaded.release.meta.get("stated") or {}).get(stated, "")))
        if printed is None or bounds is None or not stated_fits(printed.value, *bounds, figure.places):
            return "", f"stated figure '{stated}' is missing from release.yaml or outside what the facts allow"
        value, note = printed.value, f"; stated in release.yaml, within the {bounds[0]:.3%} to {bounds[1]:.3%} " \
                                     "the rounded facts allow"
    text = derivation.text(value, inputs, Shape(figure.scale, figure.places, style))
    return text, f"{derivation.name} ({derivation.formula}) of {_names(inputs)} = {value:,.6f}{note}"


def _names(facts: list[Fact]) -> str:
    return ", ".join(f"{f.concept}{''.join(f'[{m.local}]' for _, m in f.dimensions)}@{f.period}" for f in facts)


def judge(figure: Figure, printed: str, loaded: Loaded, facts: dict[FactKey, Fact]) -> tuple[str, str]:
    """(status, explanation) for one figure span: recomputed from its owner, never taken from the record."""
    if figure.kind is FigureKind.PLACEHOLDER:       # an open item of a draft (listed once, by fact)
        if loaded.release.draft and all(key in loaded.missing_keys for key in figure.inputs):
            return "placeholder", f"placeholder of a draft: {figure.text} is still TODO in the facts"
        return "untied", f"a placeholder marker '{figure.text}' whose facts are not placeholders of this release"
    inputs = [facts.get(key) for key in figure.inputs]
    if not all(inputs):
        return "untied", f"no fact for {[str(k.concept) for k, f in zip(figure.inputs, inputs) if f is None]}"
    try:
        expected, explanation = expected_text(figure, inputs, loaded)
    except (ValueError, KeyError, IndexError, TypeError, ArithmeticError) as exc:
        return "untied", f"cannot recompute this {figure.kind.value} figure: {exc}"
    status = "derived" if figure.kind is FigureKind.DERIVED else \
        "tied" if figure.kind in (FigureKind.FACT, FigureKind.DATE, FigureKind.TEXT) else "non-financial"
    if expected != printed:
        return "inconsistent", f"{explanation}: expected '{expected}'"
    if printed != figure.text:
        return "inconsistent", f"printed '{printed}' but the build recorded '{figure.text}'"
    return status, explanation


def expected_text(figure: Figure, inputs: list[Fact], loaded: Loaded) -> tuple[str, str]:
    """What a recorded figure must print, from the facts, the release and the taxonomy alone."""
    kind, meta = figure.kind, loaded.release.meta
    if kind is FigureKind.FACT:
        return show_fact(inputs[0], figure), f"fact {_names(inputs)} = {inputs[0].value:,f}"
    if kind is FigureKind.DERIVED:
        return recompute(figure, inputs, loaded)
    if kind is FigureKind.DATE:
        return date_text(inputs[0].value, figure.formula), f"date fact {_names(inputs)}"
    if kind is FigureKind.TEXT and figure.formula == "months":
        return str(months_of(str(inputs[0].value))), f"duration fact {_names(inputs)} = {inputs[0].value}"
    if kind is FigureKind.TEXT:
        return str(inputs[0].value), f"text fact {_names(inputs)}"
    if kind is FigureKind.PERIOD:
        return period_text(Period.parse(figure.ref), figure.formula), f"period {figure.ref} ({figure.formula})"
    if kind is FigureKind.YEAR:
        year = int(figure.ref)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"{year} is not a year {MIN_YEAR}-{MAX_YEAR}")
        return str(year), "a calendar year the text names"
    if kind is FigureKind.CONSTANT:
        if figure.formula == "meta":
            return str(meta[figure.ref]), f"release.yaml {figure.ref}"
        constant = (meta.get("constants") or {})[figure.ref]
        return str(constant["value"]), f"constant {figure.ref}: {constant['reason']}"
    statement_id, _, part = figure.ref.partition("#")
    statement = loaded.taxonomy.statements[statement_id]
    if part == "title":
        return statement.title, f"title of statement {statement_id}"
    if part.startswith("caption"):
        return statement.caption[int(part[7:])], f"caption of statement {statement_id}"
    return statement.rows[int(part[3:])].label, f"row label of statement {statement_id}"


# ---------------------------------------------------------------------- HTML
def check_html(html: bytes, figures: dict[int, dict], loaded: Loaded, report: Report, name: str,
               judged: dict | None = None) -> dict[int, str]:
    """Account for every number of the HTML; returns the printed text of each figure by id.  ``judged``: the
    verdicts of figures already judged in this check, with the same ``figures`` and ``loaded`` (by figure id and
    printed text: the HTML and the iXBRL print the same figures, and a verdict depends on nothing else), filled
    here."""
    root = parse_html(html)
    drop_non_text(root)
    printed: dict[int, str] = {}
    facts = {f.key: f for f in loaded.release.facts}
    facts_by_block: dict[object, list] = {}
    judged = {} if judged is None else judged
    spans = _FIGURE_SPANS(root)
    for span in spans:
        figure_id = int(span.get("id", "fig-0").partition("-")[2] or 0)
        text = " ".join(span.text_content().split())
        printed[figure_id] = text
        location = f"{name}:{span.sourceline}"
        figure = figures.get(figure_id)
        if figure is None:
            report.add(Entry(text, location, "untied", "a figure span with no record in figures.json"))
            continue
        verdict = judged.get((figure_id, text))
        if verdict is None:
            verdict = judged[figure_id, text] = judge(figure, text, loaded, facts)
        status, explanation = verdict
        if status in ("inconsistent", "untied") or any(c.isdigit() for c in text):   # a label is checked, not counted
            report.add(Entry(text, location, status, explanation, str(figure.source)))
        if status == "placeholder":
            for key in figure.inputs:
                report.places.setdefault(key, []).append(location)
        block = _block_of(span)
        facts_by_block.setdefault(block, []).append((figure, text))
    for block, entries in facts_by_block.items():
        _check_direction_words(block, entries, facts, report, name)
    missing = sorted(set(figures) - set(printed))
    if missing:
        report.problems.append(Problem(Source(name, 0), "QF-MISSING-FIGURE", f"figures not in the output: {missing[:10]}"))
    for span in spans:
        span.drop_tree()
    for listed in _LISTS(root):   # a draft's own lists
        if listed.tag == "div":
            _check_missing_list(listed, loaded, report, name)
        listed.drop_tree()
    for marker in _MARKERS(root):      # the footnote numbers the layout emits
        text = " ".join(marker.text_content().split())
        if FOOTNOTE_MARKER.fullmatch(text):
            report.add(Entry(text, f"{name}:{marker.sourceline}", "non-financial", "footnote marker"))
            marker.drop_tree()
    for element in root.iter(*BLOCKS):
        own = " ".join("".join(_OWN_TEXT(element)).split()) if element.tag in ("th", "td") else None
        text = " ".join(element.text_content().split()) if own is None else own
        if element.tag not in ("th", "td") and _IN_BLOCK(element):
            continue
        for token in tokens(text, GENERIC):
            location = f"{name}:{element.sourceline}"
            if token.kind:
                report.add(Entry(token.text, location, "non-financial", token.kind))
            else:
                report.add(Entry(token.text, location, "untied", _nearest(token, loaded),
                                 _template_source(token.text, Path(loaded.release.directory))))
    return printed


def _check_missing_list(listed, loaded: Loaded, report: Report, name: str) -> None:
    """The draft's list of what is missing names exactly the release's placeholders (a draft only)."""
    shown = {item.get("data-source") for item in listed.iter("li")}
    expected = {str(f.source) for f in loaded.release.missing}
    if not loaded.release.draft or shown != expected:
        report.problems.append(Problem(Source(name, listed.sourceline or 0), "QF-MISSING-LIST",
                                       "the draft's list of missing figures is not the release's placeholders "
                                       f"({len(shown)} listed, {len(expected)} placeholders)"
                                       if loaded.release.draft else "a final build lists missing figures"))


def _block_of(element):
    while element is not None and element.tag not in ("p", "li", "td", "th", "h1", "h2"):
        element = element.getparent()
    return element


def _check_direction_words(block, entries, index: dict[FactKey, Fact], report: Report, name: str) -> None:
    """'The year-over-year and sequential decreases ...' must agree with the paragraph's figures."""
    if block is None or block.tag not in ("p", "li"):
        return
    facts = [index.get(fig.inputs[0]) for fig, _ in entries if fig.kind is FigureKind.FACT]
    for check in check_directions(" ".join(block.text_content().split()), [f for f in facts if f is not None]):
        report.add(Entry(check.word, f"{name}:{block.sourceline}", check.status, check.explanation))


def _nearest(token, loaded: Loaded) -> str:
    """The facts closest in value to an unexplained number, to help whoever fixes it."""
    if token.printed is None:
        return "not a recognised number"
    target = abs(token.printed.value)
    candidates = sorted((abs(abs(f.value) - target), str(f.concept), str(f.period)) for f in loaded.release.facts
                        if isinstance(f.value, Decimal) and f.value)
    near = "; ".join(f"{c}@{p}" for _, c, p in candidates[:3])
    return f"typed number, not from a fact or a declared derivation (nearest facts: {near})"


def _template_source(text: str, release_dir: Path) -> str:
    """The first prose or template line that types ``text`` literally (outside Jinja expressions)."""
    from ..render.templating import TEMPLATES, find_in_templates   # Jinja2 is slow to import: only when needed
    typed = re.compile(rf"(?<![\w.,]){re.escape(text)}(?![A-Za-z0-9])")
    found = find_in_templates([release_dir / "prose", TEMPLATES],
                              lambda line: bool(typed.search(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", line))))
    return str(found) if found else ""


# ---------------------------------------------------------------------- Inline XBRL
def check_ixbrl(path: Path, html_texts: dict[int, str], loaded: Loaded, report: Report) -> None:
    """The iXBRL shows the same figures as the HTML, and every tagged value is its fact."""
    name = str(path)
    try:
        root = parse_xml(path.read_bytes())
    except etree.XMLSyntaxError as exc:
        report.problems.append(Problem(Source(name, exc.lineno or 0), "QF-CHECK-XML", f"not well-formed: {exc.msg}"))
        return
    for span in root.iterfind(".//xhtml:span[@class]", NS):
        if "fig" not in span.get("class", "").split():
            continue
        figure_id = int(span.get("id", "fig-0").partition("-")[2] or 0)
        text = " ".join("".join(span.itertext()).split())
        if html_texts.get(figure_id) != text:
            report.problems.append(Problem(Source(name, span.sourceline or 0), "QF-OUTPUTS-DIFFER",
                                           f"figure {figure_id} is '{text}' here but '{html_texts.get(figure_id)}' in the HTML"))
    facts = {f.key: f for f in loaded.release.facts}
    tags = {"contexts": _contexts(root), "units": {u.get("id"): u for u in root.iterfind(".//xbrli:unit", NS)}}
    for element in root.iter(f"{{{NS['ix']}}}nonFraction", f"{{{NS['ix']}}}nonNumeric"):
        try:
            problem = _tag_problem(element, tags, facts)
        except (KeyError, ValueError, ArithmeticError, AttributeError, TypeError) as exc:
            problem = f"{element.get('name')}: a tag this tool cannot read ({type(exc).__name__}: {exc})"
        if problem:
            report.problems.append(Problem(Source(name, element.sourceline or 0), "QF-TAG-VALUE", problem))


def _tag_problem(element, tags: dict, facts: dict[FactKey, Fact]) -> str | None:
    """How a tagged value differs from its fact (None when it is the fact)."""
    period, dims = tags["contexts"][element.get("contextRef")]
    concept = QName.parse(element.get("name"))
    if element.tag == f"{{{NS['ix']}}}nonFraction":
        fact = facts.get(FactKey(concept, period, _unit(tags["units"][element.get("unitRef")]), dims))
        value = Decimal(fact_value(element))
        half = Decimal(5).scaleb(-int(element.get("decimals")) - 1)
        if fact is None or abs(fact.value - value) > half:
            return f"{concept} {period} tagged {value:f}, fact is {'missing' if fact is None else f'{fact.value:f}'}"
        return None
    fact = facts.get(FactKey(concept, period, None, dims))
    value = nonnumeric_value(element)
    expected = None if fact is None else fact.value.isoformat() if isinstance(fact.value, dt.date) else str(fact.value)
    if value != expected:
        return f"{concept} {period} tagged '{value}', fact is {'missing' if fact is None else repr(expected)}"
    return None


def _contexts(root) -> dict[str, tuple[Period, tuple]]:
    out = {}
    for context in root.iterfind(".//xbrli:context", NS):
        try:
            out[context.get("id")] = _context(context)
        except (ValueError, TypeError, AttributeError):
            continue        # a context this tool cannot read: the tags that use it are reported
    return out


def _context(context) -> tuple[Period, tuple]:
    instant = context.findtext(".//xbrli:instant", namespaces=NS)
    if instant:
        period = Period(dt.date.fromisoformat(instant))
    else:
        period = Period(dt.date.fromisoformat(context.findtext(".//xbrli:endDate", namespaces=NS)),
                        dt.date.fromisoformat(context.findtext(".//xbrli:startDate", namespaces=NS)))
    dims = tuple(sorted((QName.parse(m.get("dimension")), QName.parse(m.text.strip()))
                        for m in context.iterfind(".//xbrldi:explicitMember", NS)))
    return period, dims


def _unit(element) -> Unit:
    measures = [m.text.strip() for m in element.iterfind(".//xbrli:measure", NS)]
    return Unit(measures[0], measures[1] if len(measures) > 1 else "")


# ---------------------------------------------------------------------- PDF
def _start_pdftotext(path: Path) -> tuple[Path, subprocess.Popen]:
    return path, subprocess.Popen(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)


def pdf_text(started: tuple[Path, subprocess.Popen]) -> str:
    path, process = started
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        out, err = b"", b"timed out"
    if process.returncode != 0:
        error = err.decode("utf-8", "replace").strip().splitlines()
        raise BadInput([Problem(Source(str(path)), "QF-CHECK-PDF",
                                f"cannot read the PDF: {error[-1] if error else process.returncode}")])
    return " ".join(out.decode("utf-8", "replace").split())


def check_pdf(started: tuple[Path, subprocess.Popen], figure_texts: list[str], report: Report) -> None:
    """Every figure appears in the PDF's text, in document order, with the same text."""
    text = pdf_text(started)
    path = started[0]
    position = 0
    for index, figure in enumerate(figure_texts, 1):
        found = text.find(figure, position)
        if found < 0:
            report.problems.append(Problem(Source(str(path), 0), "QF-OUTPUTS-DIFFER",
                                           f"figure {index} '{figure}' is not in the PDF text where expected"))
            continue
        position = found + len(figure)
