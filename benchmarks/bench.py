"""Timings of the pipeline stages and of the checkers (not a test: run with `make bench`).

Each stage runs REPEAT times in one process after a warm-up; the median is reported, with each
stage's ratio to the whole build, so that results compare across machines.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REPEAT = 7


def median_seconds(function, repeat: int = REPEAT) -> float:
    function()                                   # warm-up: imports, caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    from qfin_docs import checks, render
    from qfin_docs.pdf import render_pdf
    from qfin_docs.pipeline import build, load
    from qfin_docs.strict import check_build
    from qfin_docs.tieout import tieout_draft

    release = ROOT / "releases" / "qfin-2024q2"
    out = ROOT / "build" / "qfin-2024q2"
    reference = release / "reference" / "press-release.txt"
    loaded = load(release)
    html, _ = render.render(loaded.release, loaded.taxonomy, "html")
    stages = {
        "load (YAML, schema, taxonomy)": lambda: load(release),
        "fact checks": lambda: checks.check_facts(loaded.release, loaded.taxonomy),
        "render HTML": lambda: render.render(loaded.release, loaded.taxonomy, "html"),
        "render iXBRL": lambda: render.render(loaded.release, loaded.taxonomy, "ixbrl"),
        "PDF (WeasyPrint)": lambda: render_pdf(html.text, render.ASSETS),
        "strict check of the build (HTML, iXBRL, PDF)": lambda: check_build(release, out),
        "tie-out of the reference text": lambda: tieout_draft(release, reference),
    }
    whole = median_seconds(lambda: build(release, ROOT / "build" / ".bench"), repeat=3)
    print(f"{'stage':<48} {'median s':>9} {'x build':>8}")
    print(f"{'whole build (all outputs, written)':<48} {whole:9.3f} {1:8.2f}")
    for name, function in stages.items():
        seconds = median_seconds(function)
        print(f"{name:<48} {seconds:9.3f} {seconds / whole:8.2f}")


if __name__ == "__main__":
    main()
