"""Render a release with Jinja2: the same body becomes the HTML release and the Inline XBRL document."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.sandbox
from lxml import etree
from markupsafe import Markup

from . import templating
from .templating import TEMPLATES, RenderLimit, TemplateRefused
from .tracing import SourceMap, locate, render_traced
from ..xmlio import parse_xml
from .figures import FigureError, Figures, context_id
from ..facts.carried import placeholder_groups
from ..facts.taxonomy import dated
from .ixbrl import document_name
from .linkbases import incomplete_summations
from .edgar import cover_not_allowed
from ..model import Fact, Figure, Problem, Release, Source, Taxonomy, shown_path



# The only names a template can call: every printed number, date, period and declared value is one of these.
HELPERS = ("money", "usd", "count", "pct", "per_share", "change", "share", "total", "translate", "per_ads", "rate", "months",
           "date", "text", "cell", "when", "year", "const", "meta", "label", "column_headers", "indent", "carried", "restated")


@dataclass(frozen=True)
class Rendered:
    """One rendered document and what every number in it is."""

    text: str
    figures: tuple[Figure, ...]
    hidden: tuple[Fact, ...] = ()
    sources: SourceMap | None = None     # which template line wrote each piece of ``text``


def make_env(release_dir: Path, compiled: templating.CompiledTemplates | None = None) -> jinja2.Environment:
    """The one Jinja2 environment (see :mod:`templating`): shared templates, then the release's prose."""
    prose = Path(release_dir) / "prose"
    return templating.make_env([TEMPLATES, prose], prose, compiled)


def render(release: Release, taxonomy: Taxonomy, mode: str,
           compiled: templating.CompiledTemplates | None = None) -> tuple[Rendered | None, list[Problem]]:
    """Render the release in ``mode`` ("html" or "ixbrl"); ``compiled``: the templates compiled (and checked)
    by earlier renders of this process, by their exact text.

    Returns:
        ``(rendered, problems)``; a missing fact or undefined name is a problem at its template line.
    """
    taxonomy = dated(taxonomy, release)
    env = make_env(Path(release.directory), compiled)
    untagged = frozenset(incomplete_summations(release, taxonomy)) | frozenset(cover_not_allowed(release)) \
        if mode == "ixbrl" else frozenset()
    figures = Figures(release, taxonomy, mode, untagged)
    context = {
        "release": release.meta, "taxonomy": taxonomy, "tables": release.tables, "mode": mode,
        "statements": taxonomy.statements,
        **{name: figures.helper(name) for name in HELPERS},
        "draft": release.draft, "missing": placeholder_groups(release, taxonomy) if release.draft else (),
    }
    try:
        body = render_traced(env.get_template("body.html.j2"), context)
        hidden = tuple(f for f in release.facts if f.key not in figures.shown and f.key not in untagged)
        layout = "layout.xhtml.j2" if mode == "ixbrl" else "layout.html.j2"
        page = render_traced(env.get_template(layout), dict(
            context, body=Markup(body.text), contexts=_contexts(figures, hidden), units=_units(figures, hidden),
            hidden=_hidden(figures, hidden), ixbrl_schema=f"{document_name(release)}.xsd",
        ), embedded=body)
    except (FigureError, RenderLimit, jinja2.TemplateError) as exc:
        return None, [Problem(locate(exc), _code(exc), _message(exc))]
    problem = _well_formed(page.text, page.sources, Path(release.directory)) if mode == "ixbrl" else None
    if problem:
        return None, [problem]
    return Rendered(page.text, tuple(figures.records), hidden, page.sources), []


def _well_formed(page: str, sources: SourceMap, release_dir: Path) -> Problem | None:
    """The Inline XBRL document is XML: a tag the prose leaves open (or closes twice) is located at the
    template line that wrote the offending output line."""
    try:
        parse_xml(page.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        found = sources.at_line(exc.lineno or 0)
        return Problem(found or Source(shown_path(release_dir / "prose")), "QF-RENDER-XML",
                       "the Inline XBRL document (XML) is not well-formed: "
                       + re.sub(r",? line [0-9]+(, column [0-9]+)?", "", exc.msg))   # lines of the output, not ours
    return None


def _code(exc: Exception) -> str:
    if isinstance(exc, (TemplateRefused, RenderLimit)):
        return exc.code
    if isinstance(exc, jinja2.TemplateNotFound):
        return "QF-RENDER-NOT-FOUND"
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return "QF-TEMPLATE-UNSAFE"
    if isinstance(exc, FigureError):
        return "QF-RENDER-FACT"
    if isinstance(exc, jinja2.UndefinedError):
        return "QF-RENDER-UNDEFINED"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return "QF-RENDER-SYNTAX"
    return "QF-RENDER"


def _message(exc: Exception) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template '{exc.name}' is not in templates/ or the release's prose/ folder"
    return str(exc.message if isinstance(exc, jinja2.TemplateSyntaxError) else exc)


def _contexts(figures: Figures, hidden) -> list[dict]:
    for fact in hidden:
        figures.register(fact)
    entity = figures.release.meta["entity"]
    out = []
    for cid, (period, dims) in sorted(figures.contexts.items()):
        out.append({"id": cid, "period": period, "dims": dims, "scheme": entity["scheme"],
                    "identifier": entity["identifier"]})
    return out


def _units(figures: Figures, hidden) -> list:
    return [figures.units[u] for u in sorted(figures.units)]


def _hidden(figures: Figures, hidden) -> list[dict]:
    out = []
    for fact in hidden:
        entry = {"fact": fact, "context": context_id(fact.period, fact.dimensions),
                 "unit": fact.unit.id if fact.unit else None, "id": figures.hidden_ids.get(fact.key)}
        if fact.is_numeric:
            entry["text"] = f"{fact.value:f}".replace("-", "")
            entry["negative"] = fact.value < 0
        else:
            entry["text"] = fact.value.isoformat() if isinstance(fact.value, dt.date) else str(fact.value)
        out.append(entry)
    return out


__all__ = ["Rendered", "render", "make_env"]
