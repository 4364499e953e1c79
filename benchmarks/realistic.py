"""Detection of realistic mistakes per kind, as text, HTML and PDF: the table for a closing note.

    .venv/bin/python benchmarks/realistic.py [--pdf] [--seed N]

Uses the generator of the tests (tests/realistic.py); the PDF pass renders every draft (about 1 s each).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from realistic import KINDS, REWORDINGS, Reference, as_html, mistakes, rewordings  # noqa: E402

from qfin_docs.pipeline import load  # noqa: E402
from qfin_docs.verify.drafts import _read_html, _read_text, read_draft  # noqa: E402
from qfin_docs.verify.tieout import TieOut, tie  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    release = ROOT / "releases" / "qfin-2024q2"
    loaded = load(release)
    ref = Reference((release / "reference" / "press-release.txt").read_text(encoding="utf-8"), loaded)
    engine = TieOut(loaded)
    drafts, benign = mistakes(ref, args.seed), rewordings(ref, args.seed)
    forms = ["text", "html"] + (["pdf"] if args.pdf else [])
    caught = {form: Counter() for form in forms}
    flagged = {form: Counter() for form in forms}
    seconds = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for form in forms:
            start = time.perf_counter()
            for number, draft in enumerate(drafts + benign):
                found = [e for e in tie(engine, *read(draft.text, form, Path(tmp) / f"{number}"), "d").entries
                         if not e.ok]
                figures = [a.replace("US\\$", "US$") for a in draft.after.split("|")]
                at = [e for e in found if (form == "pdf" or int(e.location.rpartition(":")[2]) == draft.line)
                      and any(f in e.text or e.text in f for f in figures)]
                if draft.kind in KINDS:
                    caught[form][draft.kind] += bool(at)
                else:
                    flagged[form][draft.kind] += bool(found)
            seconds[form] = time.perf_counter() - start
    total = Counter(d.kind for d in drafts + benign)
    print("| kind | drafts | " + " | ".join(f"caught ({f})" for f in forms) + " |")
    print("|---|---:|" + "---:|" * len(forms))
    for kind in KINDS:
        print(f"| {kind} | {total[kind]} | " + " | ".join(f"{caught[f][kind]} ({caught[f][kind] / total[kind]:.0%})"
                                                  for f in forms) + " |")
    for kind in REWORDINGS:
        print(f"| reworded: {kind} | {total[kind]} | " + " | ".join(f"{flagged[f][kind]} flagged" for f in forms) + " |")
    print("seconds: " + ", ".join(f"{f} {seconds[f]:.0f} s" for f in forms))


def read(text: str, form: str, path: Path):
    if form == "text":
        return _read_text(text)
    if form == "html":
        return _read_html(as_html(text).encode(), path)
    import weasyprint
    weasyprint.HTML(string=as_html(text, label_width="30%")).write_pdf(path.with_suffix(".pdf"))
    return read_draft(path.with_suffix(".pdf"))


if __name__ == "__main__":
    main()
