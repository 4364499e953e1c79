"""The build as one short pipeline: load -> validate -> render -> check -> write.

Each stage returns ``(result, problems)``; the build writes nothing unless every stage is clean,
and then replaces the output folder in one atomic step (:mod:`outdir`), so a failed or killed build leaves the
previous outputs intact.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import outdir
from .model import BadInput, Problem, Source
from .facts.load import load


def build(release_dir: Path, out_dir: Path, draft: bool = False) -> list[Problem]:
    """Build every output of one release into ``out_dir``.

    Returns:
        the findings of the checks (empty when clean).
    Raises:
        BadInput: the facts, templates or PDF stage failed; nothing was written.
    """
    return build_release(release_dir, out_dir, draft)[0]


def build_release(release_dir: Path, out_dir: Path, draft: bool = False):
    """:func:`build`, returning ``(findings, release)`` (whether it was a draft, what is open)."""
    from .facts import checks
    from .render import ixbrl
    from .render import html as render
    from .render.review import review_page
    from .render.pdf import PdfError, pdf_problems, render_pdf
    from .render.templating import ASSETS

    refused = outdir.out_problems(out_dir, release_dir)
    if refused:
        raise BadInput(refused)
    loaded = load(release_dir, draft)
    release, taxonomy = loaded.release, loaded.taxonomy
    fact_problems = checks.check_facts(release, taxonomy)
    if any(p.severity.value == "error" for p in fact_problems) and not release.draft:   # a draft shows them
        raise BadInput(fact_problems)
    html, problems = render.render(release, taxonomy, "html")
    if html is None:
        raise BadInput(problems)
    inline, problems = render.render(release, taxonomy, "ixbrl")
    if inline is None:
        raise BadInput(problems)
    try:
        pdf = render_pdf(html.text, ASSETS)
    except PdfError as exc:
        raise BadInput(pdf_problems(exc, html.sources, release_dir / "prose"))
    outputs = {
        "press-release.html": html.text.encode("utf-8"),
        "press-release.pdf": pdf,
        "figures.json": figures_json(html.figures),
        "review/press-release-review.html": review_page(html.text, html.figures, release, taxonomy),
        **ixbrl.document_set(release, taxonomy, inline.text),
    }
    try:
        outdir.publish(out_dir, outputs)
    except OSError as exc:
        raise BadInput([Problem(Source(str(out_dir)), "QF-OUT-WRITE",
                                f"cannot write the build: {exc.strerror or exc} ({exc.filename or out_dir}); "
                                "the previous build is unchanged")]) from None
    return fact_problems, release


def figures_json(figures) -> bytes:
    """What every printed token is, for the checker (one record per figure, in document order)."""
    return (json.dumps([f.as_json() for f in figures], indent=1, ensure_ascii=False) + "\n").encode("utf-8")
