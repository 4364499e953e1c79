"""The build as one short pipeline: load -> validate -> render -> check -> write.

Each stage returns ``(result, problems)``; the build writes nothing unless every stage is clean,
and then replaces the output folder in one step, so a failed build leaves the previous outputs intact.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .model import BadInput, Problem, Release, Source, Taxonomy
from .taxonomy import load_taxonomy
from .load import load_release


@dataclass(frozen=True)
class Loaded:
    taxonomy: Taxonomy
    release: Release


def load(release_dir: Path) -> Loaded:
    """Load the concept table and a release; raises BadInput with every problem found."""
    if not (release_dir / "release.yaml").is_file():
        raise BadInput([Problem(Source(str(release_dir), 0), "QF-RELEASE", "no release.yaml in this folder")])
    taxonomy, problems = load_taxonomy()
    if taxonomy is None:
        raise BadInput(problems)
    release, problems = load_release(release_dir, taxonomy)
    if release is None:
        raise BadInput(problems)
    return Loaded(taxonomy, release)


def build(release_dir: Path, out_dir: Path) -> list[Problem]:
    """Build every output of one release into ``out_dir``.

    Returns:
        the findings of the checks (empty when clean).
    Raises:
        BadInput: the facts, templates or PDF stage failed; nothing was written.
    """
    from . import checks, ixbrl, render
    from .pdf import PdfError, pdf_problems, render_pdf

    loaded = load(release_dir)
    release, taxonomy = loaded.release, loaded.taxonomy
    fact_problems = checks.check_facts(release, taxonomy)
    if any(p.severity.value == "error" for p in fact_problems):
        raise BadInput(fact_problems)
    html, problems = render.render(release, taxonomy, "html")
    if html is None:
        raise BadInput(problems)
    inline, problems = render.render(release, taxonomy, "ixbrl")
    if inline is None:
        raise BadInput(problems)
    try:
        pdf = render_pdf(html.text, render.ASSETS)
    except PdfError as exc:
        raise BadInput(pdf_problems(exc, [release_dir / "prose", render.TEMPLATES]))
    outputs = {
        "press-release.html": html.text.encode("utf-8"),
        "press-release.pdf": pdf,
        "figures.json": figures_json(html.figures),
        **ixbrl.document_set(release, taxonomy, inline.text),
    }
    write_outputs(out_dir, outputs)
    return fact_problems


def figures_json(figures) -> bytes:
    """What every printed number is, for the checker (one entry per figure, in document order)."""
    entries = [{
        "id": f.id, "text": f.text, "kind": f.kind, "formula": f.formula, "where": f.where,
        "scale": f.scale, "places": f.places, "value": None if f.value is None else f"{f.value:f}",
        "negated": f.negated, "source": f.source,
        "inputs": [{"concept": str(k.concept), "period": str(k.period), "unit": str(k.unit) if k.unit else None,
                    "dimensions": {str(a): str(m) for a, m in k.dimensions}} for k in f.inputs],
    } for f in figures]
    return (json.dumps(entries, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_outputs(out_dir: Path, outputs: dict[str, bytes]) -> None:
    """Write all outputs to a fresh folder, then swap it in place of ``out_dir``."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, data in sorted(outputs.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(staging, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
